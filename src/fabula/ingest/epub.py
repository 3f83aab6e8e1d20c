"""EPUB: the spine's documents in reading order, read as one HTML book.

AO3's EPUBs are calibre's split of AO3's HTML download, so their documents, joined, go through
the AO3 reader. FanFicFare's have a title page of labelled metadata and one document per
chapter under an `h3.fff_chapter_title`. Any other EPUB is read document by document, its
headings giving the chapters; the package's Dublin Core fills what the pages do not say.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser

from fabula.errors import InputError
from fabula.ingest.detect import decode
from fabula.ingest.html import fanficfare_fields, html_blocks, inline_text, labelled_lines, read_html
from fabula.ingest.render import Block, draft_from_blocks
from fabula.ingest.structure import Draft
from fabula.story import Metadata

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_MAX_MEMBER = 64 * 1024 * 1024
# Obfuscated fonts are allowed; encrypted chapters mean DRM.
_ENCRYPTED_TEXT = re.compile(rb"URI=[\"'][^\"']+\.x?html?[\"']", re.IGNORECASE)


def _member(book: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        info = book.getinfo(name)
    except KeyError:
        raise InputError(path, f"broken EPUB: {name} is listed but missing") from None
    if info.file_size > _MAX_MEMBER:
        raise InputError(path, f"broken EPUB: {name} unpacks to {info.file_size // 2**20} MB")
    try:
        return book.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise InputError(path, f"broken EPUB: cannot unpack {name} ({err})") from None


def _xml(data: bytes, name: str, path: Path) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise InputError(path, f"broken EPUB: {name} is not XML ({err})") from None


def _package(book: zipfile.ZipFile, path: Path) -> tuple[str, ElementTree.Element]:
    if "META-INF/container.xml" not in book.namelist():
        raise InputError(path, "not an EPUB: META-INF/container.xml is missing")
    container = _xml(_member(book, "META-INF/container.xml", path), "META-INF/container.xml", path)
    rootfile = container.find(".//c:rootfile", _NS)
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path:
        raise InputError(path, "broken EPUB: container.xml names no package document")
    return opf_path, _xml(_member(book, opf_path, path), opf_path, path)


def _opf_metadata(opf: ElementTree.Element) -> Metadata:
    def texts(tag: str) -> list[str]:
        return [" ".join("".join(e.itertext()).split()) for e in opf.iterfind(f".//dc:{tag}", _NS)]

    metadata = Metadata(source_format="epub")
    metadata.title = next(iter(texts("title")), None) or None
    metadata.author = ", ".join(a for a in texts("creator") if a) or None
    metadata.language = next(iter(texts("language")), None) or None
    description = LexborHTMLParser(next(iter(texts("description")), "")).body
    metadata.summary = (inline_text(description) or None) if description is not None else None
    urls = [u for u in texts("source") + texts("identifier") if u.startswith(("http://", "https://"))]
    metadata.url = urls[0] if urls else None
    return metadata


def _spine(
    book: zipfile.ZipFile, opf_path: str, opf: ElementTree.Element, path: Path
) -> list[LexborHTMLParser]:
    """The spine's documents, parsed, in reading order (the navigation document left out)."""
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): item
        for item in opf.iterfind(".//opf:manifest/opf:item", _NS)
        if item.get("id") and item.get("href")
    }
    documents: list[LexborHTMLParser] = []
    for ref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
        item = manifest.get(ref.get("idref"))
        if item is None or ref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
            continue
        if "html" not in (item.get("media-type") or "xhtml"):
            continue
        name = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        documents.append(LexborHTMLParser(decode(_member(book, name, path), path)))
    return documents


def _fanficfare(documents: list[LexborHTMLParser], metadata: Metadata) -> Draft:
    metadata.source_format = "fanficfare-epub"
    blocks: list[Block] = []
    for document in documents:
        body = document.body
        if body is None:
            continue
        kind = (body.attributes.get("class") or "").split()
        if "fff_titlepage" in kind:
            fanficfare_fields(metadata, labelled_lines(body))
        elif "fff_chapter" in kind:
            heading = body.css_first("h3.fff_chapter_title")
            if heading is not None:
                blocks.append(Block(inline_text(heading), "chapter"))
                heading.decompose()
            blocks.extend(html_blocks(body))
    return draft_from_blocks(blocks, metadata)


def _merge(found: Metadata, package: Metadata) -> Metadata:
    """The pages' metadata, with the package's filling what they leave empty."""
    for name in ("title", "author", "language", "url", "summary"):
        if getattr(found, name) is None:
            setattr(found, name, getattr(package, name))
    return found


def read_epub(data: bytes, path: Path) -> Draft:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise InputError(path, f"broken EPUB: not a readable zip archive ({err})") from None
    with book:
        if "META-INF/encryption.xml" in book.namelist() and _ENCRYPTED_TEXT.search(
            _member(book, "META-INF/encryption.xml", path)
        ):
            raise InputError(
                path, "EPUB is DRM-protected (its chapters are encrypted); Fabula cannot read it"
            )
        opf_path, opf = _package(book, path)
        metadata = _opf_metadata(opf)
        documents = _spine(book, opf_path, opf, path)
    if not documents:
        raise InputError(path, "EPUB has no readable chapters (its spine lists no documents)")
    bodies = [b for b in (d.body for d in documents) if b is not None]
    classes = {c for b in bodies for c in (b.attributes.get("class") or "").split()}
    if classes & {"fff_titlepage", "fff_chapter"}:
        draft = _fanficfare(documents, metadata)
    elif any(d.css_first("#preface, div.meta.group, #chapters") for d in documents):
        draft = read_html("<html><body>" + "".join(b.inner_html or "" for b in bodies) + "</body></html>")
        draft.metadata = _merge(draft.metadata, metadata)
        draft.metadata.source_format = "ao3-epub"
    else:
        draft = draft_from_blocks([block for body in bodies for block in html_blocks(body)], metadata)
    if not draft.text.strip():
        raise InputError(path, "EPUB has no readable chapters (no text in its documents)")
    return draft

"""Reading a file's bytes safely, telling its format, and decoding text in whatever encoding it is.

Every problem a person can fix (no such file, empty, binary, too large, not decodable) is an
`InputError` naming the file, raised before any parsing starts.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from fabula.errors import InputError

MAX_BYTES = 256 * 1024 * 1024

_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NOT_STORIES = {
    b"%PDF": "a PDF file; convert it to text, HTML or EPUB first",
    b"\x89PNG": "a PNG image, not a story",
    b"\xff\xd8\xff": "a JPEG image, not a story",
    b"GIF8": "a GIF image, not a story",
}
# Single-byte encodings that read Western text the same way; charset-normalizer often ties
# them (cp1250 and cp1252 decode "café" alike) and the Western one is what fiction uses.
_PREFERRED = ("utf_8", "cp1252", "latin_1", "iso8859_15")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, after the checks that need no parsing."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory; give a story file (.txt, .md, .html, .epub)")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"file is {size / 2**20:.0f} MB; the limit is {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if not data.strip():
        raise InputError(path, "file is empty")
    return data


def sniff(path: Path, data: bytes) -> str:
    """The format ("text", "markdown", "html", "epub"): by content where it is unmistakable, else suffix."""
    for magic, problem in _NOT_STORIES.items():
        if data.startswith(magic):
            raise InputError(path, problem)
    if data.startswith(b"PK\x03\x04"):
        return "epub"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    suffix = _FORMATS.get(path.suffix.lower())
    if suffix == "text" and head.startswith((b"<!doctype html", b"<html")):
        return "html"  # a saved web page named .txt
    if suffix:
        return suffix
    return "html" if head.startswith(b"<") else "text"


def decode(data: bytes, path: Path | None) -> str:
    """Text from bytes in any encoding: BOMs first, then UTF-8, then charset-normalizer."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return normalise(data.decode(encoding))
            except UnicodeDecodeError as err:
                raise InputError(
                    path, f"cannot decode as {encoding} despite its byte-order mark: {err.reason}"
                ) from None
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary file (it contains NUL bytes), not text")
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise InputError(path, "cannot decode: the bytes are not text in any encoding Fabula knows")
    ties = [r for r in results if r.chaos <= best.chaos + 0.01 and r.coherence >= best.coherence - 0.01]
    for encoding in _PREFERRED:
        for result in ties:
            if encoding in result.could_be_from_charset:
                try:
                    return normalise(data.decode(encoding))
                except UnicodeDecodeError:
                    break
    return normalise(str(best))


def normalise(text: str) -> str:
    """One newline convention (\\n) and one Unicode form (NFC), so offsets mean the same everywhere."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)


def check_text(text: str, path: Path | None) -> str:
    """Refuse text that has nothing in it, or that is mostly control characters (binary)."""
    if not text.strip():
        raise InputError(path, "file is empty (only whitespace)" if path else "the text is empty")
    sample = text[:65536]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\t\f\v")
    if controls > 0.01 * len(sample):
        raise InputError(path, "binary file (control characters), not text")
    return text

"""Reading bytes: every encoding a story file turns up in, and every bad file a person may give,
which must end as one line on stderr naming the file and exit code 2, never a traceback."""

from __future__ import annotations

import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from fabula.errors import InputError
from fabula.ingest import from_text, load
from spans import order_problems, span_problems

STORY = (
    "Chapter 1\n\n"
    "“Don’t,” said Mara — but the café door was already open, and the señor’s dog ran out.\n\n"
    "* * *\n\n"
    "Later, Ines said it was the best crème brûlée on the coast… and nobody argued.\n"
)
PLAIN = STORY.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-").replace("…", "...")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (STORY, "cp1252"),
        (PLAIN + "Grüße aus Zürich, façade, naïve, Ångström.\n", "latin-1"),
        (STORY, "utf-16"),  # Python writes the byte-order mark
        (STORY, "utf-8-sig"),
        (STORY, "utf-8"),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    story = load(path)
    assert story.text == text
    assert [c.title for c in story.chapters] == ["Chapter 1"] and len(story.scenes) == 2
    assert not span_problems(story) and not order_problems(story)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_newlines(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(STORY.replace("\n", newline).encode("utf-8"))
    story = load(path)
    assert story.text == STORY and "\r" not in story.text
    assert len(story.scenes) == 2


def test_html_in_a_legacy_encoding(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes("<html><body><p>“Don’t go,” she said.</p><p>He went.</p></body></html>".encode("cp1252"))
    assert load(path).text == "“Don’t go,” she said.\n\nHe went."


def test_a_web_page_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "chapter.txt"
    path.write_text("<!DOCTYPE html><html><body><p>One.</p><p>Two.</p></body></html>", encoding="utf-8")
    assert load(path).text == "One.\n\nTwo."


def test_empty_string_is_an_input_error() -> None:
    with pytest.raises(InputError, match="empty"):
        from_text("   \n")


def _epub_without_text(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        book.writestr(
            "content.opf",
            '<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata/>'
            '<manifest><item id="c" href="cover.xhtml" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c"/></spine></package>',
        )
        book.writestr("cover.xhtml", '<html><body><img src="cover.jpg"/></body></html>')


def _drm_epub(path: Path) -> None:
    _epub_without_text(path)
    with zipfile.ZipFile(path, "a") as book:
        book.writestr(
            "META-INF/encryption.xml",
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
            '<enc:CipherReference URI="cover.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>',
        )


def _random_bytes(path: Path) -> None:
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))


def _too_large(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(257 * 1024 * 1024)  # sparse: no disk space used


BAD_INPUTS: dict[str, tuple[str, Callable[[Path], object] | None, str]] = {
    "missing": ("gone.txt", None, "no such file"),
    "directory": ("folder", lambda p: p.mkdir(), "directory"),
    "empty": ("empty.txt", lambda p: p.write_bytes(b""), "empty"),
    "whitespace": ("blank.md", lambda p: p.write_text(" \n\t\n  \n"), "empty"),
    "binary": ("image.txt", lambda p: p.write_bytes(b"\x00\x01\x02\x03binary\x00" * 50), "binary"),
    "undecodable": ("noise.txt", _random_bytes, "decode"),
    "pdf": ("paper.txt", lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "PDF"),
    "broken epub": (
        "broken.epub",
        lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip"),
        "broken EPUB",
    ),
    "zip not epub": (
        "archive.epub",
        lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "hi"),
        "not an EPUB",
    ),
    "epub without text": ("cover.epub", _epub_without_text, "no readable chapters"),
    "drm epub": ("locked.epub", _drm_epub, "DRM-protected"),
    "html without story": (
        "page.html",
        lambda p: p.write_text(
            "<html><head><title>x</title></head><body><script>var a;</script></body></html>"
        ),
        "no story text",
    ),
    "too large": ("huge.txt", _too_large, "limit is 256 MB"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_through_the_cli(tmp_path: Path, case: str) -> None:
    name, make, problem = BAD_INPUTS[case]
    path = tmp_path / name
    if make is not None:
        make(path)
    result = subprocess.run(
        [sys.executable, "-m", "fabula.cli", "analyze", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""

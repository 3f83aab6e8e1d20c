"""The local viewer: a searchable list of analysed works, and each work's HTML report.

Requests never name files. A work's URL is a key into the list that a scan of the library
directory produced, and the scan keeps only files that resolve inside that directory, so no
URL (`..`, `%2e%2e`, absolute paths, symlinks pointing out) can reach anything else.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Lock
from urllib.parse import parse_qs, quote, unquote

from pydantic import ValidationError

from fabula.errors import FabulaError, InputError
from fabula.export.html import content_security_policy, page, report, report_script
from fabula.story import Story

log = logging.getLogger(__name__)

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


@dataclass(frozen=True)
class Work:
    """What the list page shows and searches for one analysed work."""

    key: str
    path: Path
    title: str
    author: str | None
    fandoms: tuple[str, ...]
    names: tuple[str, ...]
    characters: int
    quotes: int
    words: int

    @property
    def url(self) -> str:
        return "/work/" + quote(self.key)

    def matches(self, terms: list[str]) -> bool:
        """Every term is in the title, the author, a fandom or a character's name or alias."""
        fields = [self.title, self.author or "", *self.fandoms, *self.names]
        return all(any(t in f.casefold() for f in fields) for t in terms)


class Library:
    """The `*.json` works under a directory, rescanned on each listing; unchanged files are not re-read."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise InputError(root, "not a directory of analysed works (Fabula JSON files)")
        self.root = root.resolve()
        self._seen: dict[Path, tuple[tuple[int, int], Work | None]] = {}
        self._lock = Lock()

    def works(self) -> list[Work]:
        found: list[Work] = []
        with self._lock:
            for path in sorted(self.root.rglob("*.json")):
                work = self._read(path)
                if work is not None:
                    found.append(work)
        return found

    def find(self, key: str) -> Work | None:
        return next((w for w in self.works() if w.key == key), None)

    def story(self, work: Work) -> Story | None:
        """The work's story, or None when the file changed into something unreadable since the scan."""
        try:
            return Story.load(work.path)
        except (OSError, ValueError, ValidationError) as err:
            log.warning("skipping %s: %s", work.path, _first_line(err))
            return None

    def _read(self, path: Path) -> Work | None:
        try:
            resolved = path.resolve(strict=True)
            stat = resolved.stat()
        except OSError:
            return None
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            log.warning("skipping %s: it points outside %s", path, self.root)
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._seen.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        work: Work | None = None
        try:
            story = Story.load(resolved)
        except (OSError, ValueError, ValidationError) as err:
            log.warning("skipping %s: not a Fabula JSON file (%s)", path, _first_line(err))
        else:
            meta = story.metadata
            work = Work(
                key=path.relative_to(self.root).as_posix(),
                path=resolved,
                title=meta.title or path.stem,
                author=meta.author,
                fandoms=tuple(meta.fandoms),
                names=tuple(n for c in story.characters for n in (c.name, *c.aliases)),
                characters=len(story.characters),
                quotes=len(story.quotes),
                words=len(story.text.split()),
            )
        self._seen[path] = (stamp, work)
        return work


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _list_page(works: list[Work], query: str) -> str:
    terms = query.casefold().split()
    shown = [w for w in works if w.matches(terms)]
    items = []
    for w in shown:
        hits = [n for n in dict.fromkeys(w.names) if terms and any(t in n.casefold() for t in terms)]
        matches = (
            '<div class="matches muted">characters: '
            + ", ".join(f"<mark>{escape(n)}</mark>" for n in hits)
            + "</div>"
            if hits
            else ""
        )
        byline = f" · by {escape(w.author)}" if w.author else ""
        fandoms = "".join(f'<span class="tag">{escape(f)}</span>' for f in w.fandoms)
        items.append(
            f'<li><a class="work-title" href="{escape(w.url)}">{escape(w.title)}</a>'
            f'<div class="muted">{w.words:,} words · {w.characters:,} characters · '
            f"{w.quotes:,} quotes{byline}</div>"
            f"<div>{fandoms}</div>{matches}</li>"
        )
    if works and not shown:
        listing = f'<p class="empty">No work matches “{escape(query)}”.</p>'
    elif not works:
        listing = (
            '<p class="empty">No analysed works here yet: '
            "<code>fabula analyze STORY -o DIR/NAME.json</code> adds one.</p>"
        )
    else:
        listing = f'<ul class="works">{"".join(items)}</ul>'
    count = f"{len(shown):,} of {len(works):,} works" if terms else f"{len(works):,} works"
    body = (
        '<nav class="top"><span class="brand">Fabula</span><a href="/">Library</a></nav><main><section>'
        '<h2>Library</h2><form class="search" method="get" action="/">'
        f'<input type="search" name="q" value="{escape(query)}" placeholder="Search by character or title" '
        'aria-label="Search by character or title" autofocus><button type="submit">Search</button></form>'
        f'<p class="muted">{count}</p>{listing}</section></main>'
    )
    return page("Library · Fabula", body, forms=True)


def _message_page(title: str, message: str) -> str:
    body = (
        '<nav class="top"><span class="brand">Fabula</span><a href="/">Library</a></nav>'
        f"<main><section><h2>{escape(title)}</h2><p>{escape(message)}</p></section></main>"
    )
    return page(f"{title} · Fabula", body)


class ViewerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, library: Library, host: str, port: int) -> None:
        self.library = library
        self.loopback = host in _LOOPBACK_NAMES
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        address, port = self.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else address
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: ViewerServer
    server_version = "Fabula"
    sys_version = ""
    # Both the list page and the reports: no network, only the report's own script.
    _POLICY = content_security_policy(report_script(), forms=True) + "; frame-ancestors 'none'"

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _answer(self, *, head: bool) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.BAD_REQUEST, _message_page("Bad request", "Unknown host."), head=head)
            return
        target, _, query = self.path.partition("?")
        library = self.server.library
        if target == "/":
            text = parse_qs(query).get("q", [""])[0]
            self._send(HTTPStatus.OK, _list_page(library.works(), text), head=head)
            return
        for prefix, as_json in (("/work/", False), ("/json/", True)):
            if target.startswith(prefix):
                key = unquote(target[len(prefix) :])
                work = library.find(key) if _plain_key(key) else None
                story = library.story(work) if work else None
                if work and story:
                    if as_json:
                        self._send(HTTPStatus.OK, story.to_json(), head=head, kind="application/json")
                    else:
                        links = [("← Library", "/"), ("JSON", "/json/" + quote(work.key))]
                        self._send(HTTPStatus.OK, report(story, links=links), head=head)
                    return
        self._send(
            HTTPStatus.NOT_FOUND, _message_page("Not found", "There is no such page or work."), head=head
        )

    def _host_allowed(self) -> bool:
        """On a loopback address, answer only requests for a loopback name (no DNS rebinding)."""
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in _LOOPBACK_NAMES

    def _send(self, status: HTTPStatus, text: str, *, head: bool, kind: str = "text/html") -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", self._POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)


def _plain_key(key: str) -> bool:
    """A relative path without `.`/`..` parts, backslashes or NULs: anything else names no work."""
    parts = key.split("/")
    return bool(key) and "\\" not in key and "\0" not in key and all(p not in {"", ".", ".."} for p in parts)


def make_server(root: Path, *, host: str = "127.0.0.1", port: int = 0) -> ViewerServer:
    """A viewer over `root`, listening (port 0 picks a free port) but not yet serving."""
    library = Library(root)
    try:
        return ViewerServer(library, host, port)
    except OSError as err:
        raise FabulaError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None

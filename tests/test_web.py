"""The local viewer: listing, search, reports, and that nothing outside the library can be read."""

from __future__ import annotations

import http.client
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from fabula.errors import FabulaError, InputError
from fabula.story import Character, Metadata, Story
from fabula.web.server import ViewerServer, make_server
from test_report import XSS, Watched, hostile_story, rich_story
from test_report import chromium as chromium
from test_report import watched as watched

SECRET = "TOPSECRET-outside-the-library"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library with two good works, a broken file, and links that point outside it."""
    root = tmp_path / "library"
    (root / "sub").mkdir(parents=True)
    rich_story().save(root / "tide.json")
    hostile_story().save(root / "sub" / "hostile work.json")
    (root / "broken.json").write_text('{"text": 5}', encoding="utf-8")
    (root / "notes.txt").write_text("not a work", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    Story(text=SECRET, metadata=Metadata(title=SECRET), characters=[Character(id="x", name=SECRET)]).save(
        outside / "secret.json"
    )
    (root / "leak.json").symlink_to(outside / "secret.json")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    return root


@pytest.fixture
def server(library: Path) -> Iterator[ViewerServer]:
    viewer = make_server(library, port=0)
    thread = threading.Thread(target=viewer.serve_forever, daemon=True)
    thread.start()
    yield viewer
    viewer.shutdown()
    viewer.server_close()
    thread.join()


def fetch(
    server: ViewerServer, target: str, host: str = "127.0.0.1", method: str = "GET"
) -> tuple[int, dict[str, str], str]:
    """A raw request: `target` goes on the wire exactly as written (browsers would normalise it)."""
    address, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(address), port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{host}:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        conn.close()


def test_list_shows_valid_works_and_warns_about_the_rest(
    library: Path, server: ViewerServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fabula.web.server"):
        status, headers, body = fetch(server, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "The Tide Is Early" in body and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body
    assert 'href="/work/tide.json"' in body and 'href="/work/sub/hostile%20work.json"' in body
    assert "2 works" in body and SECRET not in body
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "broken.json: not a Fabula JSON file" in warned
    assert "leak.json: it points outside" in warned


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("sam", ["The Tide Is Early"]),
        ("BEN okoro", ["The Tide Is Early"]),
        ("eve", ["&lt;script&gt;window.__pwned=1&lt;/script&gt;"]),
        ("tide", ["The Tide Is Early"]),
        ("anna eve", []),
    ],
)
def test_search_by_character_and_title(server: ViewerServer, query: str, titles: list[str]) -> None:
    status, _, body = fetch(server, "/?q=" + quote(query))
    assert status == 200
    found = [t for t in ("The Tide Is Early", "&lt;script&gt;window.__pwned=1&lt;/script&gt;") if t in body]
    assert found == titles
    if not titles:
        assert "No work matches" in body


def test_search_query_is_escaped(server: ViewerServer) -> None:
    _, _, body = fetch(server, "/?q=" + quote(XSS[1]))
    assert XSS[1] not in body
    assert 'value="&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;"' in body


def test_work_page_is_the_report_and_json_is_the_contract(server: ViewerServer) -> None:
    status, headers, body = fetch(server, "/work/tide.json")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<section id="network">' in body and 'href="/json/tide.json"' in body
    status, headers, body = fetch(server, "/json/tide.json")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert Story.from_json(body) == rich_story()
    assert fetch(server, "/work/sub/hostile%20work.json")[0] == 200
    status, headers, body = fetch(server, "/work/tide.json", method="HEAD")
    assert status == 200 and int(headers["Content-Length"]) > 10_000 and body == ""
    assert fetch(server, "/work/tide.json", method="POST")[0] == 501


@pytest.mark.parametrize(
    "target",
    [
        "/../outside/secret.json",
        "/work/../../outside/secret.json",
        "/work/%2e%2e/outside/secret.json",
        "/work/%2e%2e%2foutside%2fsecret.json",
        "/work/..%2f..%2foutside%2fsecret.json",
        "/json/%2e%2e/%2e%2e/outside/secret.json",
        "/work/leak.json",
        "/json/leak.json",
        "/work/linked/secret.json",
        "/work//etc/passwd",
        "/work/%2fetc%2fpasswd",
        "/work/sub/../tide.json",
        "/work/./tide.json",
        "/work/sub\\..\\tide.json",
        "/work/tide.json%00",
        "//etc/passwd",
        "http://127.0.0.1/work/leak.json",
        "/nothing-here",
    ],
)
def test_nothing_outside_the_library_can_be_read(library: Path, server: ViewerServer, target: str) -> None:
    status, _, body = fetch(server, target)
    assert status == 404
    assert SECRET not in body and "root:" not in body and "Anna Vance" not in body


def test_absolute_paths_name_no_work(library: Path, server: ViewerServer) -> None:
    secret = library.parent / "outside" / "secret.json"
    for target in (
        "/work" + quote(str(secret)),
        "/work/" + quote(str(secret), safe=""),
        "/json" + str(secret),
    ):
        status, _, body = fetch(server, target)
        assert status == 404 and SECRET not in body


def test_other_host_names_are_refused(server: ViewerServer) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 must not read the library."""
    status, _, body = fetch(server, "/", host="attacker.example")
    assert status == 400 and "The Tide Is Early" not in body
    assert fetch(server, "/", host="localhost")[0] == 200


def test_bad_directory_and_busy_port_are_user_errors(library: Path, server: ViewerServer) -> None:
    with pytest.raises(InputError, match="not a directory"):
        make_server(library / "tide.json")
    with pytest.raises(FabulaError, match=r"cannot listen on 127\.0\.0\.1"):
        make_server(library, port=server.server_address[1])


def test_serve_command_prints_its_url(library: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "fabula.cli", "serve", str(library), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Fabula viewer: http://127.0.0.1:") and "(2 works from" in line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/?q=sam")
        assert "The Tide Is Early" in conn.getresponse().read().decode("utf-8")
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- in a real browser ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_browse_search_and_open_a_work(server: ViewerServer, watched: Watched) -> None:
    page = watched.page
    page.goto(server.url)
    assert page.locator("ul.works li").count() == 2
    page.locator("input[name=q]").fill("Okoro")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url("**/?q=Okoro")
    assert page.locator("ul.works li").count() == 1
    assert page.locator("ul.works mark").inner_text() == "Ben Okoro"
    page.locator("a.work-title").click()
    page.wait_for_url("**/work/tide.json")
    assert page.locator("h1.title").inner_text() == "The Tide Is Early"
    assert page.locator("svg.network .node").count() == 4
    assert page.locator("svg.timeline .scene").count() == 3
    page.locator('.legend [data-focus-btn="0"]').click()
    assert page.locator(".text .m.hl").count() == 6
    page.get_by_role("link", name="← Library").click()
    page.wait_for_url(server.url)
    assert watched.errors == []
    assert all(url.startswith(server.url) or url.startswith("data:") for url in watched.requests)


@pytest.mark.browser
def test_hostile_work_runs_nothing_in_the_viewer(server: ViewerServer, watched: Watched) -> None:
    page = watched.page
    page.goto(server.url + "?q=" + quote(XSS[0]))
    page.goto(server.url + "?q=eve")
    assert page.locator("a.work-title").inner_text() == XSS[0]
    page.locator("a.work-title").click()
    page.wait_for_url("**/work/sub/hostile%20work.json")
    page.locator(".text").hover()
    page.locator("svg.network .node").first.hover()
    text = page.locator(".text").inner_text()
    assert XSS[0] in text and XSS[1] in text
    assert page.locator("h1.title").inner_text() == XSS[0]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watched.dialogs == [] and watched.errors == []
    assert page.locator("img").count() == 0


@pytest.mark.browser
def test_browser_cannot_reach_outside_the_library(server: ViewerServer, watched: Watched) -> None:
    for target in ("../outside/secret.json", "work/%2e%2e/%2e%2e/outside/secret.json", "work/leak.json"):
        response = watched.page.goto(server.url + target)
        assert response is not None and response.status == 404
        assert SECRET not in watched.page.content()

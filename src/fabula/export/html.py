"""The HTML report: one self-contained page about a `Story` that works offline.

The report reads only the JSON contract's fields. Every story-derived string is escaped, and
a strict Content-Security-Policy (no network at all; only this page's own script, by hash)
means that even a missed escape could neither fetch anything nor run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from itertools import pairwise

from fabula.story import AuthorNote, Character, Scene, Story

# Distinct, readable on white and on dark grey; later characters get golden-angle hues.
_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#ad494a",
)
_NETWORK_NODES = 40
_NETWORK_EDGES = 160
_CAST_ROWS = 30
_DIALOGUE_ROWS = 15
_TIMELINE_ROWS = 24
_QUOTES_PER_CHARACTER = 25
_EVIDENCE_PER_RELATION = 3
_NOTE_LABELS = {"note": "Author's note", "disclaimer": "Disclaimer", "summary": "Summary"}
_Anchor = Callable[[int], str]
_CHAPTER_WORD = re.compile(r"^(chapter|part|book|prologue|epilogue|interlude)\b", re.IGNORECASE)


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


@cache
def _asset(name: str) -> str:
    return (resources.files("fabula.export") / "templates" / name).read_text(encoding="utf-8")


def report_script() -> str:
    """The report's only script; the CSP allows it by its hash and nothing else."""
    return _asset("report.js")


def content_security_policy(script: str = "", *, forms: bool = False) -> str:
    """No fetches of any kind; inline styles; `script` only (by hash); forms only to this origin."""
    scripts = "'none'"
    forms_to = "'self'" if forms else "'none'"
    if script:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        scripts = f"'sha256-{digest}'"
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {scripts}; base-uri 'none'; form-action {forms_to}"
    )


def page(title: str, body: str, *, script: str = "", forms: bool = False, lang: str | None = None) -> str:
    """A complete HTML document with the shared stylesheet and the CSP that locks it down.

    `body` must already be escaped; `script` must be a trusted constant (it is allowed by hash).
    """
    csp = content_security_policy(script, forms=forms)
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{_esc(lang or "en")}"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(csp)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{_esc(title)}</title>\n<style>{_asset('report.css')}</style>\n"
        f"</head><body>\n{body}\n{script_tag}</body></html>\n"
    )


def colour(index: int) -> str:
    """A stable colour for the character at `index` of the cast (by prominence)."""
    if index < len(_PALETTE):
        return _PALETTE[index]
    return f"hsl({(index * 137.508) % 360:.0f} 60% 42%)"


def _colour_rules(count: int) -> str:
    return "".join(f".ch-{i}{{--c:{colour(i)}}}" for i in range(count))


@dataclass
class _Cast:
    """The characters ordered by prominence, with what the sections need to look them up."""

    characters: list[Character]
    index: dict[str, int]
    lines: Counter[str]

    @classmethod
    def of(cls, story: Story) -> _Cast:
        ordered = sorted(story.characters, key=lambda c: -_mentions(c))
        index: dict[str, int] = {}
        for c in ordered:
            index.setdefault(c.id, len(index))
        lines = Counter(q.speaker for q in story.quotes if q.speaker)
        return cls(ordered, index, lines)

    def name(self, character_id: str | None) -> str:
        if character_id is None:
            return "unknown"
        i = self.index.get(character_id)
        return self.characters[i].name if i is not None else character_id

    def css(self, character_id: str | None) -> str:
        i = self.index.get(character_id) if character_id is not None else None
        return f"ch-{i}" if i is not None else "unk"

    def chip(self, character_id: str, suffix: str = "") -> str:
        return (
            f'<span class="chip {self.css(character_id)}"><i class="dot"></i>'
            f"{_esc(self.name(character_id))}{_esc(suffix)}</span>"
        )


def _mentions(c: Character) -> int:
    return c.mention_count or len(c.mentions)


@dataclass
class _Block:
    """A paragraph or an author's note: the unit the text is laid out in."""

    start: int
    end: int
    note: AuthorNote | None = None


@dataclass(order=True)
class _Mark:
    """An inline highlight: `start`/`end` in the text; `rank` orders marks that start together."""

    start: int
    end: int
    rank: int
    open: str = field(compare=False)
    close: str = field(compare=False, default="</span>")


def report(story: Story, *, links: Sequence[tuple[str, str]] = ()) -> str:
    """The whole report as one HTML document; `links` (label, href) are added to the top bar."""
    cast = _Cast.of(story)
    blocks = _blocks(story)
    starts = [b.start for b in blocks]

    def anchor(offset: int) -> str:
        return f"#b{max(bisect_right(starts, offset) - 1, 0)}"

    title = story.metadata.title or "Untitled"
    nav = "".join(f'<a href="{_esc(href)}">{_esc(label)}</a>' for label, href in links)
    sections = [
        ("overview", "Overview", _overview(story, cast)),
        ("cast", "Cast", _cast_section(story, cast, anchor)),
        ("network", "Network", _network(story, cast, anchor)),
        ("timeline", "Timeline", _timeline(story, cast)),
        ("dialogue", "Dialogue", _dialogue(story, cast)),
        ("text", "Text", _text(story, cast, blocks)),
    ]
    toc = "".join(f'<a href="#{key}">{label}</a>' for key, label, _ in sections)
    body = (
        f'<nav class="top"><span class="brand">Fabula</span>{nav}<span class="toc">{toc}</span></nav>\n'
        f"<style>{_colour_rules(len(cast.index))}</style>\n<main>\n"
        + "\n".join(
            f'<section id="{key}"><h2>{label}</h2>\n{content}</section>' for key, label, content in sections
        )
        + "\n</main>"
    )
    return page(f"{title} · Fabula", body, script=report_script(), lang=story.metadata.language)


def _chips(values: Iterable[str], css: str = "tag") -> str:
    return "".join(f'<span class="{css}">{_esc(v)}</span>' for v in values)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_esc(p.strip())}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def _overview(story: Story, cast: _Cast) -> str:
    meta = story.metadata
    rows: list[tuple[str, str]] = [
        ("Fandoms", _chips(meta.fandoms)),
        ("Rating", _chips([meta.rating] if meta.rating else [])),
        ("Warnings", _chips(meta.warnings)),
        ("Categories", _chips(meta.categories)),
        ("Relationships", _chips(meta.relationships)),
        ("Characters", _chips(meta.characters)),
        ("Tags", _chips(meta.additional_tags)),
        ("Series", _chips(meta.series)),
        ("Language", _esc(meta.language or "")),
        ("Source", _esc(meta.url or meta.source_path or "")),
    ]
    rows += [(key, _esc(value)) for key, value in {**meta.stats, **meta.extra}.items()]
    facts = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    pov = story.pov
    pov_text = ", ".join(
        part
        for part in (
            f"{pov.person} person" if pov.person != "unknown" else "",
            f"{pov.tense} tense" if pov.tense != "unknown" else "",
            f"focal: {cast.name(pov.focal)}" if pov.focal else "",
        )
        if part
    )
    figures = [
        (f"{len(story.text.split()):,}", "words"),
        (f"{len(story.chapters):,}", "chapters"),
        (f"{len(story.scenes):,}", "scenes"),
        (f"{len(story.characters):,}", "characters"),
        (f"{len(story.quotes):,}", "quotes"),
    ]
    stats = "".join(f"<div><b>{n}</b><span>{label}</span></div>" for n, label in figures)
    parts = [
        f'<h1 class="title">{_esc(meta.title or "Untitled")}</h1>',
        f'<p class="byline">by {_esc(meta.author)}</p>' if meta.author else "",
        f'<div class="stats">{stats}</div>',
        f'<p class="pov">Point of view: {_esc(pov_text)}</p>' if pov_text else "",
        f'<blockquote class="summary">{_paragraphs(meta.summary)}</blockquote>' if meta.summary else "",
        f'<dl class="facts">{facts}</dl>' if facts else "",
    ]
    for label, notes in (("Notes", meta.notes), ("End notes", meta.end_notes)):
        if notes:
            parts.append(f'<details class="note"><summary>{label}</summary>{_paragraphs(notes)}</details>')
    outside = [n for n in story.author_notes if n.end <= n.start]
    for note in outside:
        parts.append(f'<aside class="note"><b>{_NOTE_LABELS[note.kind]}</b>{_paragraphs(note.text)}</aside>')
    return "".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _empty(what: str) -> str:
    return f'<p class="empty">{what}</p>'


def _excerpt(story: Story, start: int, end: int, limit: int = 240) -> str:
    text = " ".join(story.text[start:end].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cast_section(story: Story, cast: _Cast, anchor: _Anchor) -> str:
    if not cast.characters:
        return _empty("No characters found.")
    quotes_by: dict[str, list[tuple[int, int, str]]] = {}
    for q in story.quotes:
        if q.speaker:
            quotes_by.setdefault(q.speaker, []).append((q.start, q.end, q.text))
    rows = []
    for c in cast.characters:
        said = quotes_by.get(c.id, [])
        first = (
            c.first_mention if c.first_mention is not None else min((s for s, _ in c.mentions), default=None)
        )
        name = cast.chip(c.id)
        if first is not None:
            name = f'<a href="{anchor(first)}">{name}</a>'
        profile = "".join(
            f"<p><b>{label}</b> {_esc(', '.join(values))}</p>"
            for label, values in (
                ("does:", c.agent),
                ("undergoes:", c.patient),
                ("has:", c.possessions),
                ("is:", c.modifiers),
            )
            if values
        )
        lines = "".join(
            f'<li><a href="{anchor(start)}">{_esc(_excerpt(story, start, end) or text)}</a></li>'
            for start, end, text in said[:_QUOTES_PER_CHARACTER]
        )
        more = len(said) - _QUOTES_PER_CHARACTER
        if more > 0:
            lines += f'<li class="muted">and {more:,} more</li>'
        detail = profile + (f'<ol class="lines">{lines}</ol>' if lines else "")
        if detail:
            what = _count(len(said), "line") + (", profile" if profile else "")
            detail = f"<details><summary>{what}</summary>{detail}</details>"
        rows.append(
            f'<tr><td><button type="button" class="focus" data-focus-btn="{cast.index[c.id]}" '
            f'title="Highlight in the text">◎</button></td><td>{name}</td>'
            f"<td>{_esc(', '.join(c.aliases))}</td><td>{_esc(c.gender)}</td>"
            f'<td class="num">{_mentions(c):,}</td><td class="num">{len(said):,}</td><td>{detail}</td></tr>'
        )
    head = (
        "<tr><th></th><th>Character</th><th>Also called</th><th>Pronouns</th>"
        '<th class="num">Mentions</th><th class="num">Lines</th><th>Quotes</th></tr>'
    )
    table = '<div class="scroll"><table class="cast"><thead>{}</thead><tbody>{}</tbody></table></div>'
    shown = table.format(head, "".join(rows[:_CAST_ROWS]))
    if len(rows) > _CAST_ROWS:
        hidden = table.format(head, "".join(rows[_CAST_ROWS:]))
        label = _count(len(rows) - _CAST_ROWS, "more character")
        shown += f'<details class="more"><summary>{label}</summary>{hidden}</details>'
    return shown


@dataclass
class _Edge:
    interactions: int = 0
    dialogue: int = 0
    types: set[str] = field(default_factory=set)
    evidence: list[tuple[int, int]] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return self.interactions + self.dialogue


def _edges(story: Story, cast: _Cast) -> dict[tuple[str, str], _Edge]:
    """Interaction relations and speaker→addressee quotes, merged per unordered pair of characters."""
    edges: dict[tuple[str, str], _Edge] = {}

    def edge(a: str, b: str) -> _Edge:
        ordered = (a, b) if cast.index.get(a, 1 << 30) <= cast.index.get(b, 1 << 30) else (b, a)
        return edges.setdefault(ordered, _Edge())

    for r in story.relations:
        if r.source == r.target:
            continue
        e = edge(r.source, r.target)
        if r.type == "interaction":
            e.interactions += max(len(r.evidence), 1)
        else:
            e.types.add(r.type)
        e.evidence += [(s.start, s.end) for s in r.evidence]
    for q in story.quotes:
        for addressee in q.addressees:
            if q.speaker and addressee != q.speaker:
                edge(q.speaker, addressee).dialogue += 1
    return edges


def _network(story: Story, cast: _Cast, anchor: _Anchor) -> str:
    edges = _edges(story, cast)
    linked = {c for pair in edges for c in pair}
    nodes = [c.id for c in cast.characters if c.id in linked or _mentions(c) > 0][:_NETWORK_NODES]
    nodes += sorted(c for c in linked if c not in cast.index)[: max(_NETWORK_NODES - len(nodes), 0)]
    if not nodes:
        return _empty("No characters to draw.")
    # The heaviest ties only, so that a large cast stays a picture rather than a hairball.
    ranked = sorted(edges.items(), key=lambda item: (-item[1].weight, -len(item[1].types)))
    shown = dict([(pair, e) for pair, e in ranked if pair[0] in nodes and pair[1] in nodes][:_NETWORK_EDGES])
    width, height, margin = 760, 500, 70
    positions = _layout(nodes, shown)
    xy = {
        n: (margin + (x + 1) / 2 * (width - 2 * margin), margin + (y + 1) / 2 * (height - 2 * margin))
        for n, (x, y) in positions.items()
    }
    heaviest = max((e.weight for e in shown.values()), default=0) or 1
    most = max((_mentions(c) for c in cast.characters), default=0) or 1
    out = [f'<svg class="network" viewBox="0 0 {width} {height}" role="img" aria-label="Character network">']
    for (a, b), e in sorted(shown.items(), key=lambda item: item[1].weight):
        (x1, y1), (x2, y2) = xy[a], xy[b]
        kinds = [
            _count(e.interactions, "interaction") if e.interactions else "",
            _count(e.dialogue, "line") + " of dialogue" if e.dialogue else "",
        ]
        kinds += sorted(e.types)
        label = f"{cast.name(a)} — {cast.name(b)}: " + ", ".join(k for k in kinds if k)
        stroke = 1 + 7 * e.weight / heaviest if e.weight else 1.5
        dashed = " typed" if e.types and not e.weight else ""
        out.append(
            f'<g class="edge{dashed}" data-a="{nodes.index(a)}" data-b="{nodes.index(b)}">'
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke-width="{stroke:.1f}"/>'
            f"<title>{_esc(label)}</title></g>"
        )
        if e.types:
            out.append(
                f'<text class="edge-label" x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 4:.1f}">'
                f"{_esc(', '.join(sorted(e.types)))}</text>"
            )
    for i, n in enumerate(nodes):
        x, y = xy[n]
        c = cast.characters[i_] if (i_ := cast.index.get(n)) is not None else None
        count = _mentions(c) if c else 0
        radius = 6 + 14 * math.sqrt(count / most)
        out.append(
            f'<g class="node {cast.css(n)}" data-i="{i}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>'
            f'<text x="{x:.1f}" y="{y + radius + 13:.1f}">{_esc(cast.name(n))}</text>'
            f"<title>{_esc(cast.name(n))}: {count:,} mentions, {cast.lines[n]:,} lines</title></g>"
        )
    out.append("</svg>")
    legend = (
        '<p class="muted">Circle size: mentions. Line width: interactions and lines of dialogue between two '
        "characters; dashed: a named relation only. Hover over a character to see their ties.</p>"
    )
    return legend + "".join(out) + _relations_table(story, cast, anchor)


def _layout(nodes: list[str], edges: dict[tuple[str, str], _Edge]) -> dict[str, tuple[float, float]]:
    """A spring layout with a fixed seed (the same story always draws the same picture)."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for (a, b), e in edges.items():
        graph.add_edge(a, b, weight=max(e.weight, 1))
    positions = nx.spring_layout(graph, seed=7, weight="weight", k=1.6 / math.sqrt(len(nodes)))
    # Stretch each axis to [-1, 1] so that a chain of characters uses the whole picture.
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    x0, dx = min(xs), (max(xs) - min(xs)) or 1.0
    y0, dy = min(ys), (max(ys) - min(ys)) or 1.0
    return {
        n: (2 * (float(p[0]) - x0) / dx - 1, 2 * (float(p[1]) - y0) / dy - 1) for n, p in positions.items()
    }


def _relations_table(story: Story, cast: _Cast, anchor: _Anchor) -> str:
    typed = [r for r in story.relations if r.type != "interaction"]
    if not typed:
        return ""
    rows = []
    for r in sorted(typed, key=lambda r: (cast.index.get(r.source, 1 << 30), r.type, r.target)):
        evidence = "".join(
            f'<li><a href="{anchor(s.start)}">{_esc(_excerpt(story, s.start, s.end))}</a></li>'
            for s in r.evidence[:_EVIDENCE_PER_RELATION]
        )
        confidence = f"{r.confidence:.2f}" if r.confidence is not None else ""
        rows.append(
            f"<tr><td>{cast.chip(r.source)}</td><td>{_esc(r.type)}</td><td>{cast.chip(r.target)}</td>"
            f'<td class="num">{confidence}</td><td><ul class="evidence">{evidence}</ul></td></tr>'
        )
    head = (
        '<tr><th>From</th><th>Relation</th><th>To</th><th class="num">Confidence</th><th>Evidence</th></tr>'
    )
    return (
        f'<h3>Relationships</h3><div class="scroll"><table class="relations"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _timeline(story: Story, cast: _Cast) -> str:
    scenes = story.scenes
    if not scenes:
        return _empty("No scenes found.")
    length = max(len(story.text), 1)
    present: Counter[str] = Counter()
    for s in scenes:
        present.update(set(s.characters) | ({s.focal} if s.focal else set()))
    rows = sorted(present, key=lambda c: (cast.index.get(c, 1 << 30), c))[:_TIMELINE_ROWS]
    label_w, width, bar_h, row_h = 150, 760, 26, 18
    track = width - label_w - 10
    height = bar_h + (24 + row_h * len(rows) if rows else 0) + 6

    def x(offset: int) -> float:
        return label_w + track * min(offset, length) / length

    out = [f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-label="Scene timeline">']
    for i, ch in enumerate(story.chapters):
        out.append(
            f'<line class="chapter-tick" x1="{x(ch.start):.1f}" x2="{x(ch.start):.1f}" y1="0" y2="{height}">'
            f"<title>{_esc(ch.title or f'Chapter {i + 1}')}</title></line>"
        )
    out.append(f'<text class="axis" x="{label_w - 8}" y="{bar_h - 8}">scenes</text>')
    for n, s in enumerate(scenes, 1):
        x0, w = x(s.start), max(x(s.end) - x(s.start), 1.5)
        details = _scene_caption(s, cast) or "no details"
        out.append(
            f'<a href="#scene-{n}"><rect class="scene s{n % 2}" x="{x0:.1f}" y="4" width="{w:.1f}" '
            f'height="{bar_h - 8}"><title>Scene {n}: {_esc(details)}</title></rect></a>'
        )
    for r, c in enumerate(rows):
        y = bar_h + 24 + r * row_h
        name = cast.name(c)
        short = name if len(name) <= 20 else name[:19] + "…"
        out.append(
            f'<g class="{cast.css(c)}"><text class="row-label" x="{label_w - 8}" y="{y + 12}">'
            f"{_esc(short)}<title>{_esc(name)}</title></text>"
        )
        for n, s in enumerate(scenes, 1):
            focal = s.focal == c
            if c not in s.characters and not focal:
                continue
            x0, w = x(s.start), max(x(s.end) - x(s.start), 3)
            out.append(
                f'<rect class="presence{" focal" if focal else ""}" x="{x0:.1f}" y="{y + 3}" '
                f'width="{w:.1f}" height="{row_h - 6}"><title>Scene {n}: {_esc(name)}'
                f"{' (focal)' if focal else ''}</title></rect>"
            )
        out.append("</g>")
    out.append("</svg>")
    more = len(present) - len(rows)
    note = f'<p class="muted">and {more:,} more characters in the table below.</p>' if more > 0 else ""
    if not rows:
        note = '<p class="muted">No characters placed in scenes yet.</p>'
    return "".join(out) + note + _scene_table(story, cast)


def _scene_caption(scene: Scene, cast: _Cast) -> str:
    parts = []
    if scene.focal:
        parts.append(f"focal: {cast.name(scene.focal)}")
    if scene.pov:
        parts.append(f"{scene.pov} person")
    others = [cast.name(c) for c in scene.characters if c != scene.focal]
    if others:
        parts.append("with " + ", ".join(others))
    parts += [", ".join(scene.places), ", ".join(scene.time_cues)]
    return " · ".join(p for p in parts if p)


def _scene_table(story: Story, cast: _Cast) -> str:
    chapter_starts = [c.start for c in story.chapters]
    length = max(len(story.text), 1)
    rows = []
    for n, s in enumerate(story.scenes, 1):
        chapter = bisect_right(chapter_starts, s.start) if chapter_starts else ""
        people = "".join(cast.chip(c, " ★" if c == s.focal else "") for c in s.characters)
        if s.focal and s.focal not in s.characters:
            people = cast.chip(s.focal, " ★") + people
        rows.append(
            f'<tr><td class="num"><a href="#scene-{n}">{n}</a></td><td class="num">{chapter}</td>'
            f'<td class="num">{100 * s.start / length:.0f}%</td><td>{_esc(s.pov or "")}</td>'
            f"<td>{people}</td><td>{_esc(', '.join(s.places))}</td>"
            f"<td>{_esc(', '.join(s.time_cues))}</td></tr>"
        )
    head = (
        '<tr><th class="num">Scene</th><th class="num">Chapter</th><th class="num">At</th><th>POV</th>'
        "<th>Characters (★ focal)</th><th>Places</th><th>Time</th></tr>"
    )
    return (
        f'<details class="scenes"><summary>All {len(story.scenes):,} scenes</summary><div class="scroll">'
        f'<table class="scenes"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div></details>'
    )


def _dialogue(story: Story, cast: _Cast) -> str:
    spoken: Counter[str | None] = Counter()
    lines: Counter[str | None] = Counter()
    for q in story.quotes:
        spoken[q.speaker] += max(len(q.text.split()), 1)
        lines[q.speaker] += 1
    total = sum(spoken.values())
    if not total:
        return _empty("No dialogue found.")
    speakers = sorted((s for s in spoken if s), key=lambda s: -spoken[s])
    bars = [(cast.name(s), cast.css(s), spoken[s], lines[s]) for s in speakers[:_DIALOGUE_ROWS]]
    rest = speakers[_DIALOGUE_ROWS:]
    if rest:
        others = _count(len(rest), "other speaker")
        bars.append((others, "unk", sum(spoken[s] for s in rest), sum(lines[s] for s in rest)))
    if spoken[None]:
        bars.append(("Unattributed", "unk", spoken[None], lines[None]))
    rows = [
        f'<div class="bar-row {css}"><span class="bar-label">{_esc(label)}</span>'
        f'<span class="bar"><span class="fill" style="width:{100 * words / total:.1f}%"></span></span>'
        f'<span class="bar-value">{100 * words / total:.0f}% · {_count(count, "line")}</span></div>'
        for label, css, words, count in bars
    ]
    return f'<p class="muted">Share of the words spoken in quotes.</p><div class="bars">{"".join(rows)}</div>'


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", re.DOTALL)
_LINE = re.compile(r"\S[^\n]*")
# A line of only punctuation ("* * *", "~~~", "#") that a writer uses as a scene break.
_SEPARATOR = re.compile(r"[^\w\s](?:\s*[^\w\s]){0,23}\Z")


def _covering(spans: list[tuple[int, int]], offset: int) -> int | None:
    """The index of the span (sorted by start) that contains `offset`, if any."""
    i = bisect_right(spans, (offset, 1 << 62)) - 1
    return i if i >= 0 and spans[i][1] > offset else None


def _blocks(story: Story) -> list[_Block]:
    """Cut the text into paragraphs and author's notes, splitting at chapter and scene starts.

    Paragraphs come from the contract when present, else from blank lines (or lines, in a text
    without blank lines). Every piece of non-blank text lands in exactly one block.
    """
    text, n = story.text, len(story.text)
    notes = sorted((n_ for n_ in story.author_notes if n_.end > n_.start), key=lambda n_: n_.start)
    note_spans = [(min(x.start, n), min(x.end, n)) for x in notes]
    paras = sorted((p.start, p.end) for p in story.paragraphs)
    if not paras:
        pattern = _PARAGRAPH if _BLANK_LINE.search(text) else _LINE
        paras = [m.span() for m in pattern.finditer(text)]
    breaks = {c.start for c in story.chapters} | {s.start for s in story.scenes}
    cuts = sorted(
        {0, n, *(x for x in breaks if 0 < x < n), *(x for span in note_spans + paras for x in span)}
    )
    blocks: list[_Block] = []
    previous: tuple[str, int] | None = None
    for a, b in pairwise(cuts):
        note = _covering(note_spans, a)
        para = _covering(paras, a)
        key = ("note", note) if note is not None else ("para", para) if para is not None else ("gap", 0)
        if blocks and key == previous and a not in breaks:
            blocks[-1].end = b
        else:
            blocks.append(_Block(a, b, notes[note] if note is not None else None))
        previous = key
    trimmed = []
    for block in blocks:
        piece = text[block.start : block.end]
        stripped = piece.strip()
        if stripped:
            start = block.start + len(piece) - len(piece.lstrip())
            trimmed.append(_Block(start, start + len(stripped), block.note))
    return trimmed


def _marks(story: Story, cast: _Cast, blocks: list[_Block]) -> list[list[_Mark]]:
    """Quotes, character mentions and other entities as inline marks, clipped to each block."""
    starts = [b.start for b in blocks]
    per_block: list[list[_Mark]] = [[] for _ in blocks]

    def add(start: int, end: int, rank: int, open_tag: str) -> None:
        k = max(bisect_right(starts, start) - 1, 0)
        while k < len(blocks) and blocks[k].start < end:
            s, e = max(start, blocks[k].start), min(end, blocks[k].end)
            if s < e:
                per_block[k].append(_Mark(s, e, rank, open_tag))
            k += 1

    for q in story.quotes:
        who = (
            f"{cast.name(q.speaker)} → {', '.join(cast.name(a) for a in q.addressees)}"
            if q.addressees
            else cast.name(q.speaker)
        )
        title = f"{who if q.speaker else 'Unattributed'} ({q.kind})"
        add(q.start, q.end, 0, f'<span class="q {cast.css(q.speaker)} k-{q.kind}" title="{_esc(title)}">')
    mentioned: set[tuple[int, int]] = set()
    for c in cast.characters:
        open_tag = f'<span class="m {cast.css(c.id)}" title="{_esc(c.name)}">'
        for start, end in c.mentions:
            mentioned.add((start, end))
            add(start, end, 1, open_tag)
    # Other named things (places, organisations...); people are the characters' mentions above.
    for e in story.entities:
        if e.label != "PER" and e.kind != "PRON" and (e.start, e.end) not in mentioned:
            add(e.start, e.end, 2, f'<span class="e" title="{_esc(e.label)}">')
    return per_block


def _inline(text: str, block: _Block, marks: list[_Mark]) -> str:
    """Escape the block's text wrapped in its marks, always nesting properly.

    Marks that cross (a quote ending inside a mention) are closed and reopened around the
    crossing point, so the result never breaks HTML nesting.
    """
    marks.sort(key=lambda m: (m.start, -m.end, m.rank))
    points = sorted({block.start, block.end, *(m.start for m in marks), *(m.end for m in marks)})
    out: list[str] = []
    stack: list[_Mark] = []
    cursor, i = block.start, 0
    for p in points:
        if p > cursor:
            out.append(escape(text[cursor:p], quote=False))
            cursor = p
        ending = [depth for depth, m in enumerate(stack) if m.end <= p]
        if ending:
            popped = stack[ending[0] :]
            del stack[ending[0] :]
            out.extend(m.close for m in reversed(popped))
            for m in popped:
                if m.end > p:
                    out.append(m.open)
                    stack.append(m)
        while i < len(marks) and marks[i].start == p:
            out.append(marks[i].open)
            stack.append(marks[i])
            i += 1
    out.extend(m.close for m in reversed(stack))
    return "".join(out)


def _text(story: Story, cast: _Cast, blocks: list[_Block]) -> str:
    if not blocks:
        return _empty("No text.")
    ends = [b.end for b in blocks]
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    headings: set[int] = set()
    for i, chapter in enumerate(story.chapters):
        k = bisect_right(ends, chapter.start)
        first = story.text[blocks[k].start : blocks[k].end] if k < len(blocks) else ""
        title = chapter.title
        if len(first) < 120 and (
            (title and title.casefold() in first.casefold()) or (not title and _CHAPTER_WORD.match(first))
        ):
            headings.add(k)
        elif title or len(story.chapters) > 1:
            before.setdefault(k, []).append(f'<h3 class="chapter">{_esc(title or f"Chapter {i + 1}")}</h3>')
    separators = {
        k for k, b in enumerate(blocks) if b.note is None and _SEPARATOR.match(story.text[b.start : b.end])
    }
    story_start = next((k for k, b in enumerate(blocks) if b.note is None), len(blocks))
    chapter_blocks = {bisect_right(ends, c.start) for c in story.chapters}
    for n, scene in enumerate(story.scenes, 1):
        k = bisect_right(ends, scene.start)
        # The text's own "* * *" or a chapter heading already marks the break: only a caption then.
        shown = k > story_start and k not in chapter_blocks and not {k - 1} & (separators | headings)
        ornament = '<span class="ornament">⁂</span>' if shown else ""
        caption = _scene_caption(scene, cast)
        (after if k in headings else before).setdefault(k, []).append(
            f'<div class="scene-break" id="scene-{n}">{ornament}'
            f'<span class="caption">Scene {n}{" · " + _esc(caption) if caption else ""}</span></div>'
        )
    marks = _marks(story, cast, blocks)
    out = [_legend(cast), '<div class="text">']
    for k, block in enumerate(blocks):
        out += before.get(k, [])
        inner = _inline(story.text, block, marks[k])
        if block.note is not None:
            label = _NOTE_LABELS[block.note.kind]
            out.append(f'<aside class="note" id="b{k}"><b>{label}</b><div class="pre">{inner}</div></aside>')
        elif k in headings:
            out.append(f'<h3 class="chapter" id="b{k}">{inner}</h3>')
        elif k in separators:
            out.append(f'<p class="separator" id="b{k}">{inner}</p>')
        else:
            out.append(f'<p id="b{k}">{inner}</p>')
        out += after.get(k, [])
    out += before.get(len(blocks), [])
    out.append("</div>")
    return "\n".join(out)


def _legend(cast: _Cast) -> str:
    if not cast.characters:
        return ""
    buttons = "".join(
        f'<button type="button" class="chip {cast.css(c.id)}" data-focus-btn="{cast.index[c.id]}">'
        f'<i class="dot"></i>{_esc(c.name)}</button>'
        for c in cast.characters[:12]
    )
    return f'<div class="legend"><span class="muted">Highlight:</span>{buttons}</div>'

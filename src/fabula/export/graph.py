"""The character network as a graph file: GEXF (Gephi) or GraphML (yEd, Cytoscape, igraph).

Nodes are characters (name, gender, mentions); an edge joins each pair that interacts or has a
typed relation, with the interaction weight, its parts per kind (dialogue, co_mention,
co_presence) and the typed relations' names. The network is recomputed from the story's quotes,
sentences, scenes and mentions, so a `Story` loaded from JSON exports the same graph.
"""

from __future__ import annotations

import io
from typing import Literal

import networkx as nx

from fabula.relations.interactions import network, pair
from fabula.story import Story

GraphFormat = Literal["gexf", "graphml"]
SUFFIXES: dict[str, GraphFormat] = {".gexf": "gexf", ".graphml": "graphml"}


def graph(story: Story) -> nx.Graph:
    """The undirected character graph of `story`."""
    g = nx.Graph()
    for c in story.characters:
        g.add_node(
            c.id, label=c.name, name=c.name, gender=c.gender, mentions=max(c.mention_count, len(c.mentions))
        )
    for (a, b), edge in network(story).items():
        g.add_edge(
            a,
            b,
            weight=edge.weight,
            dialogue=edge.dialogue,
            co_mention=edge.co_mention,
            co_presence=edge.co_presence,
            relations="",
        )
    for relation in story.relations:
        if relation.type == "interaction":
            continue
        a, b = pair(relation.source, relation.target)
        if not g.has_edge(a, b):
            g.add_edge(a, b, weight=0.0, dialogue=0, co_mention=0, co_presence=0, relations="")
        types = [t for t in g.edges[a, b]["relations"].split(";") if t]
        if relation.type not in types:
            g.edges[a, b]["relations"] = ";".join([*types, relation.type])
    # Quotes may name speakers the characters stage never listed: keep them, with no attributes.
    for node in g.nodes:
        g.nodes[node].setdefault("label", node)
        g.nodes[node].setdefault("name", node)
        g.nodes[node].setdefault("gender", "unknown")
        g.nodes[node].setdefault("mentions", 0)
    return g


def to_gexf(story: Story) -> str:
    out = io.BytesIO()
    nx.write_gexf(graph(story), out)
    return out.getvalue().decode("utf-8")


def to_graphml(story: Story) -> str:
    out = io.BytesIO()
    nx.write_graphml(graph(story), out)
    return out.getvalue().decode("utf-8")


def render_graph(story: Story, fmt: GraphFormat) -> str:
    """The graph in `fmt`; the CLI picks `fmt` from the output suffix through `SUFFIXES`."""
    return to_gexf(story) if fmt == "gexf" else to_graphml(story)

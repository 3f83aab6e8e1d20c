"""The shipped spaCy pipelines, loaded once per process.

`en_fabula_core` (tagger, morphologizer, parser, lemmatizer; UD English EWT) and
`litbank_entities` (nested mentions; LitBank) are trained separately and joined here: the
entity component carries its own tok2vec, so it can be sourced into the core pipeline.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from fabula.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
CORE = "en_fabula_core"
ENTITIES = "litbank_entities"
SPANS_KEY = "sc"


def model_path(name: str) -> Path:
    """Where a shipped model lives; a `ModelError` names the command that rebuilds it."""
    path = MODELS_DIR / name
    if not (path / "config.cfg").is_file():
        recipe = "core" if name == CORE else "entities"
        raise ModelError(
            f"model {name} is missing at {path}; "
            f"rebuild it with `fabula train {recipe} --data ../shared/data`"
        )
    return path


@functools.cache
def load_pipeline() -> Language:
    """Tokenizer, tagger, parser, lemmatizer and entity spans in one pipeline (cached per process)."""
    import spacy

    nlp = spacy.load(model_path(CORE))
    entities = spacy.load(model_path(ENTITIES))
    nlp.add_pipe("spancat", source=entities)
    return nlp

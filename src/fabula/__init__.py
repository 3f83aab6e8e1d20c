"""Fabula: understanding fiction, from fan fiction to Victorian novels."""

from fabula.api import analyze, read
from fabula.errors import FabulaError, InputError
from fabula.pipeline import PipelineConfig, stage
from fabula.story import SCHEMA_VERSION, Story

__all__ = [
    "SCHEMA_VERSION",
    "FabulaError",
    "InputError",
    "PipelineConfig",
    "Story",
    "analyze",
    "read",
    "stage",
]
__version__ = "0.1.0"

"""The shipped weights, and how the small JSON ones are read from the package."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import TypeVar

from fabula.errors import ModelError

ModelT = TypeVar("ModelT")


def load_package_json(
    package: str, path: str, parse: Callable[[str], ModelT], *, what: str, rebuild: str
) -> ModelT:
    """Parse a JSON weights file shipped in `package`; a missing or broken one is a `ModelError`
    that names the command rebuilding it."""
    try:
        return parse(resources.files(package).joinpath(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(f"{what} unreadable ({err}); rebuild them with `{rebuild}`") from None

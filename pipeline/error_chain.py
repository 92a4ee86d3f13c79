"""The errors behind an error: what a command's top-level handler looks through to say what went wrong.

Beam re-raises a worker's error as a ``RuntimeError`` that keeps only its text, so callers check each error's
type and its text.
"""

from __future__ import annotations

from typing import Iterator


def error_chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error``, then the error that caused it or was being handled when it was raised, and so on, each once."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__

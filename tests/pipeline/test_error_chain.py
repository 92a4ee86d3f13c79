"""The errors behind an error, each once."""

from __future__ import annotations

from pipeline.error_chain import error_chain


def test_causes_and_contexts_are_followed_once_even_in_a_cycle() -> None:
    root = OSError(28, "No space left on device")
    try:
        try:
            raise root
        except OSError as exc:
            raise RuntimeError("worker failed") from exc
    except RuntimeError as outer:
        top = outer
    root.__context__ = top  # a cycle, as code that re-raises in a handler can make
    assert [type(error).__name__ for error in error_chain(top)] == ["RuntimeError", "OSError"]
    assert list(error_chain(None)) == []

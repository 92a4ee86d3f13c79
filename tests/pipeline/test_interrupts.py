"""Tests of pipeline/interrupts.py (the whole stop, through the CLI, is in tests/hostile/test_crashes_and_concurrency.py)."""

from __future__ import annotations

import os
import signal

import pytest

from pipeline import interrupts


def test_a_keyboard_interrupt_without_a_signal_received_is_ctrl_c_and_other_errors_are_no_stop() -> None:
    assert interrupts.stop_signal(KeyboardInterrupt()) is signal.SIGINT
    assert interrupts.stop_signal(RuntimeError("a worker failed")) is None


def test_sigterm_raises_keyboard_interrupt_and_an_error_after_it_counts_as_the_stop(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interrupts, "_RECEIVED", [])
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        interrupts.stop_like_ctrl_c()
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler right after the call returns
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)

    # Beam re-raises the interrupt from a worker as a RuntimeError: still the stop by SIGTERM.
    assert interrupts.stop_signal(RuntimeError("KeyboardInterrupt [while running 'Parse']")) is signal.SIGTERM

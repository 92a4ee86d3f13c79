"""Tests of pipeline/interrupts.py (the whole stop, through the CLI, is in tests/hostile/test_crashes_and_concurrency.py)."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

import pytest

from pipeline import interrupts

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
FEED = REPOSITORY / "tests" / "fixtures" / "feeds" / "rss20.xml"


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


def test_a_stop_found_at_a_step_boundary_is_the_stop_by_that_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interrupts, "_RECEIVED", [])
    interrupts.raise_if_stopped()  # no stop came: nothing happens
    interrupts._RECEIVED.append(signal.SIGTERM)
    with pytest.raises(interrupts.StopRequested) as stop:
        interrupts.raise_if_stopped()
    assert interrupts.stop_signal(stop.value) is signal.SIGTERM


class RaisingOnCollection:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __del__(self) -> None:
        raise self.error


def test_only_a_stops_interrupt_is_kept_out_of_the_report_of_dropped_exceptions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(interrupts, "_RECEIVED", [signal.SIGTERM])
    monkeypatch.setattr(sys, "unraisablehook", interrupts._quiet_about_lost_interrupts)
    RaisingOnCollection(KeyboardInterrupt("SIGTERM"))
    RaisingOnCollection(ValueError("a bug in a finalizer"))

    reported = capsys.readouterr().err
    assert "a bug in a finalizer" in reported and "SIGTERM" not in reported


# The signal comes while a garbage-collector callback runs, as it did once in about ten stops of a real run: its
# KeyboardInterrupt is lost (Python prints it as "Exception ignored"). Armed once the CLI has installed its handlers;
# the callback checks that it did fire.
LOST_INTERRUPT_RUN = """
import gc, os, signal, sys
from pipeline import interrupts
from pipeline.cli import main

def signal_inside_a_gc_callback(phase, info):
    if phase == "start" and not gc.callbacks_fired and signal.getsignal(signal.SIGTERM) is interrupts._raise_interrupt:
        gc.callbacks_fired = True
        os.kill(os.getpid(), signal.SIGTERM)

gc.callbacks_fired = False
gc.callbacks.append(signal_inside_a_gc_callback)
code = main(sys.argv[1:])
sys.exit(code if gc.callbacks_fired else 3)
"""


def test_a_stop_whose_interrupt_was_lost_still_stops_the_run(tmp_path: pathlib.Path) -> None:
    output = tmp_path / "out"
    completed = subprocess.run([sys.executable, "-c", LOST_INTERRUPT_RUN, "ingest", str(FEED), "--output", str(output)],
                               cwd=REPOSITORY, capture_output=True, text=True, timeout=300)

    assert completed.returncode == 128 + signal.SIGTERM, completed.stderr[-3000:]
    assert "newsbeam: stopped by SIGTERM" in completed.stderr
    assert "Traceback" not in completed.stderr and "Exception ignored" not in completed.stderr
    staging = output / "_state" / "staging"
    assert not staging.exists() or not list(staging.iterdir())

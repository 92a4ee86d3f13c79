"""SIGTERM stops a run as Ctrl-C does, and the command says so instead of printing a traceback.

A service manager, ``timeout`` or a cluster scheduler stops a job with SIGTERM, which by default ends the
process at once: no ``finally`` runs, so the run's staged rows stayed on disk. Raised as
``KeyboardInterrupt`` instead, the stop unwinds through Beam like Ctrl-C (Beam re-raises it from a worker
as a ``RuntimeError``, so the signal received is remembered to tell the two apart). Every file of the
dataset is whole either way: files are written under temporary names and renamed, and a rerun completes the
run. ``newsbeam stream`` installs its own handlers over these (it finishes the current window first).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

_RECEIVED: list[signal.Signals] = []  # the stop signals this process received, in order


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    _RECEIVED.append(signal.Signals(signum))
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _not_beam_after_a_stop(record: logging.LogRecord) -> bool:
    """Beam logs the interrupt it re-raises with a traceback: noise once a stop was asked for."""
    return not (_RECEIVED and record.name.startswith("apache_beam"))


class StopRequested(RuntimeError):
    """A stop signal came, and the run found it at a step boundary (``raise_if_stopped``)."""


def _quiet_about_lost_interrupts(unraisable: "sys.UnraisableHookArgs") -> None:
    """Python's report of an exception it had to drop, except the interrupt of a stop signal: the run finds
    that stop at its next step boundary (``raise_if_stopped``) and says so in one line, without a traceback."""
    if not (_RECEIVED and isinstance(unraisable.exc_value, KeyboardInterrupt)):
        sys.__unraisablehook__(unraisable)


def stop_like_ctrl_c() -> None:
    """Make SIGTERM and SIGINT raise ``KeyboardInterrupt`` in the main thread, remembering which came; call
    after logging is set up (Beam's log records are filtered out at its handlers once a stop came)."""
    _RECEIVED.clear()  # a new command: earlier stops (of a test, in the same process) are not its own
    sys.unraisablehook = _quiet_about_lost_interrupts
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _raise_interrupt)
        for handler in logging.getLogger().handlers:
            handler.addFilter(_not_beam_after_a_stop)


def raise_if_stopped() -> None:
    """Raise ``StopRequested`` when a stop signal came; called at step boundaries, in any thread.

    The ``KeyboardInterrupt`` a signal raises is lost when it lands in a garbage collector's callback (a
    weakref's, a ``__del__``): Python prints "Exception ignored" and goes on, and the run ran to its end with
    exit 0 (seen once in about ten stops). The next boundary stops it instead.
    """
    if _RECEIVED:
        raise StopRequested(f"stopped by {_RECEIVED[-1].name}")


def stop_signal(error: BaseException) -> signal.Signals | None:
    """The signal that stopped the run when ``error`` is how the stop surfaced, else None."""
    if isinstance(error, KeyboardInterrupt) or _RECEIVED:
        return _RECEIVED[-1] if _RECEIVED else signal.SIGINT
    return None

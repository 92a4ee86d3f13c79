"""One run at a time per output directory: an exclusive lock on ``OUT/_state/run.lock``."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
import time
from typing import Iterator


class OutputLockedError(RuntimeError):
    """Another run holds the output directory."""


@contextlib.contextmanager
def output_lock(output_dir: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the output directory's lock for the block; wait up to ``wait_s``, then refuse clearly."""
    lock_path = pathlib.Path(output_dir) / "_state" / "run.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(descriptor, 200, 0).decode(errors="replace").strip() or "another process"
                    raise OutputLockedError(
                        f"{output_dir} is in use by another newsbeam run ({holder}); "
                        "wait for it to finish or pass --lock-wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing releases the flock

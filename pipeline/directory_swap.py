"""Swap a rebuilt directory in for a live one, so that a reader finds the old or the new one, never neither.

Linux's ``renameat2(..., RENAME_EXCHANGE)`` exchanges two paths in one step (glibc 2.28+, ext4, xfs,
btrfs, tmpfs and most local file systems); we call it through ctypes. Where it is missing (another OS,
an old kernel, a file system that refuses it) the fallback is two renames: live -> ``<staged>.old``, then
staged -> live, with a short window in which the live path does not exist (readers then see an empty
partition, never a mix). A crash inside that window leaves the staged directory in place and the live one
missing: ``pipeline.backfill`` finds it on the next run and finishes the move.
"""

from __future__ import annotations

import ctypes
import errno
import os
import pathlib

from pipeline.atomic_files import fsync_directory

AT_FDCWD = -100
RENAME_EXCHANGE = 1 << 1
UNSUPPORTED_ERRNOS = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP)

_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    _renameat2.restype = ctypes.c_int


class ExchangeUnsupportedError(OSError):
    """renameat2 with RENAME_EXCHANGE is not available here."""


def exchange_paths(first: pathlib.Path, second: pathlib.Path) -> None:
    """Atomically exchange two existing paths (both must exist, on one file system)."""
    if _renameat2 is None:
        raise ExchangeUnsupportedError(errno.ENOSYS, "renameat2 is not in this C library")
    result = _renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result != 0:
        code = ctypes.get_errno()
        error_type = ExchangeUnsupportedError if code in UNSUPPORTED_ERRNOS else OSError
        raise error_type(code, f"renameat2 exchange failed: {os.strerror(code)}", str(first), None, str(second))


def swap_directory(staged: pathlib.Path, live: pathlib.Path) -> pathlib.Path | None:
    """Put ``staged`` at ``live`` atomically; return where the previous live directory now is (to delete),
    or None when there was none."""
    if not live.exists():
        live.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, live)
        fsync_directory(live.parent)
        return None
    try:
        exchange_paths(staged, live)
        displaced = staged
    except ExchangeUnsupportedError:
        displaced = staged.with_name(f"{staged.name}.old")
        os.rename(live, displaced)  # from here until the next rename, ``live`` is missing
        os.rename(staged, live)
    fsync_directory(live.parent)
    fsync_directory(displaced.parent)
    return displaced

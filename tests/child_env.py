"""The environment for a child process a test may kill: its temporary files go under the test's own directory.

Beam's ``Pipeline`` makes a ``beam-pipeline-temp*`` directory with ``tempfile`` and removes it when its run
ends; a SIGKILLed child never gets there. With ``TMPDIR`` inside the test's ``tmp_path``, what it leaves is
removed with pytest's temporary directories instead of piling up in ``/tmp``.
"""

from __future__ import annotations

import os
import pathlib


def env_with_private_tmpdir(directory: pathlib.Path) -> dict[str, str]:
    """``os.environ`` with ``TMPDIR`` set to ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TMPDIR": str(directory)}

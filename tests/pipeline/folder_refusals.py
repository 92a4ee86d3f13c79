"""A folder whose listing fails, for the tests of directory walks.

The tests run as root in containers, and root is never refused by ``chmod``: ``os.scandir`` is made to fail
for the folder instead, as it fails for a folder without read permission (``os.walk`` lists with it).
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import pytest


def refuse_listing(monkeypatch: pytest.MonkeyPatch, folder: pathlib.Path,
                   error: type[OSError] = PermissionError) -> None:
    """Make listing ``folder`` (by any path that leads to it) raise ``error``: no permission, or gone."""
    scandir, refused = os.scandir, os.path.realpath(folder)
    messages = {PermissionError: (13, "Permission denied"), FileNotFoundError: (2, "No such file or directory")}

    def refusing(path: Any = ".") -> Any:
        if os.path.realpath(path) == refused:
            raise error(*messages[error], os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)

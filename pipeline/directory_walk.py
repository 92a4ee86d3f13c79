"""Walk a directory tree the way a user who links folders into it expects: through links to folders, once each.

``os.walk`` does not enter a link to a folder (``followlinks=False``), so the files of a linked folder
(``drop/archive -> /mnt/archive``) were never read and never said; entering links blindly would loop for ever
on a link to an enclosing folder. Here every real folder is entered once, by whichever path reaches it first in
sorted order: a link to a folder already walked (an enclosing one, or a second link to the same) adds nothing.
Names starting with ``.`` or ``_`` (hidden folders, our own ``_state``) are not entered.
"""

from __future__ import annotations

import os
from collections.abc import Iterator


def walk_folders(directory: str | os.PathLike[str]) -> Iterator[tuple[str, list[str]]]:
    """(folder path, sorted file names in it) for ``directory`` and every folder below it, links followed once."""
    entered: set[tuple[int, int]] = set()
    for root, folders, files in os.walk(directory, followlinks=True):
        try:
            status = os.stat(root)
        except OSError:  # removed since its parent was listed
            folders[:] = []
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in entered:
            folders[:] = []
            continue
        entered.add(identity)
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        yield root, sorted(files)

"""Walk a directory tree the way a user who links folders into it expects: through links to folders, once each.

``os.walk`` does not enter a link to a folder (``followlinks=False``), so the files of a linked folder
(``drop/archive -> /mnt/archive``) were never read and never said; entering links blindly would loop for ever
on a link to an enclosing folder. Here every real folder is entered once, by whichever path reaches it first in
sorted order: a link to a folder already walked (an enclosing one, or a second link to the same) adds nothing.
Nor does a link to a folder that encloses the directory walked (``drop/root -> /``, ``drop/up -> ..``): it
would take in everything beside the directory (the whole file system), not what was linked into it. Any other
linked folder is walked whole, wherever it leads.
Names starting with ``.`` or ``_`` (hidden folders, our own ``_state``) are not entered.

A folder that cannot be listed (no permission) is not skipped without a word: it is given as an entry of its
parent's, so that reading it says why (``pipeline.sources.read_file``). One removed during the walk has nothing
to read and is passed over.
"""

from __future__ import annotations

import os
from collections.abc import Iterator


def walk_folders(directory: str | os.PathLike[str]) -> Iterator[tuple[str, list[str]]]:
    """(folder path, sorted entry names in it) for ``directory`` and every folder below it, links followed once;
    the entries are its files, and any folder in it that could not be listed (see the module docstring)."""
    entered: set[tuple[int, int]] = set()
    enclosing = _enclosing_folders(directory)
    unlistable: list[str] = []
    for root, folders, files in os.walk(directory, onerror=lambda error: _note_unlistable(error, unlistable),
                                        followlinks=True):
        yield from _as_entries(unlistable, entered)
        try:
            status = os.stat(root)
        except OSError:  # removed since its parent was listed
            folders[:] = []
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in entered or identity in enclosing:
            folders[:] = []
            continue
        entered.add(identity)
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        yield root, sorted(files)
    yield from _as_entries(unlistable, entered)


def _enclosing_folders(directory: str | os.PathLike[str]) -> set[tuple[int, int]]:
    """The (device, inode) of every folder above ``directory``'s real path, up to the root of the file system."""
    found: set[tuple[int, int]] = set()
    folder = os.path.realpath(directory)
    while (parent := os.path.dirname(folder)) != folder:
        folder = parent
        try:
            status = os.stat(folder)
        except OSError:
            continue
        found.add((status.st_dev, status.st_ino))
    return found


def _note_unlistable(error: OSError, unlistable: list[str]) -> None:
    """``os.walk``'s report of a folder it could not list: kept, unless the folder is gone (removed meanwhile)."""
    if error.filename is not None and not isinstance(error, (FileNotFoundError, NotADirectoryError)):
        unlistable.append(os.fsdecode(error.filename))


def _as_entries(unlistable: list[str], entered: set[tuple[int, int]]) -> Iterator[tuple[str, list[str]]]:
    """Each folder noted as unlistable, as an entry of its parent, once per real folder (emptying the list)."""
    while unlistable:
        path = unlistable.pop(0)
        try:
            status = os.stat(path)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) not in entered:
            entered.add((status.st_dev, status.st_ino))
            yield os.path.dirname(path), [os.path.basename(path)]

"""Watch a drop directory: list the files that are complete and not yet ingested.

Convention for writers (documented in README): write to a name ending in ``.tmp`` or ``.part`` (or
starting with a dot) and rename when complete; such names are never read, nor an editor's backups. For writers that do not
follow it, a file is taken only once its size and modification time have stayed the same between two
scans, or have not changed for ``settle_s`` seconds.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import time

from pipeline.directory_walk import walk_folders

IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")
# An editor's files beside the ones it saves: "feeds.xml~" (a backup), "#feeds.xml#" (an unsaved buffer);
# vim's ".feeds.xml.swp" starts with a dot already. Read, they were an article or error row each.
EDITOR_BACKUP_SUFFIXES = ("~", "#")


@dataclasses.dataclass
class DropDirectoryWatcher:
    """Remembers the last scan, so that a file still being written is not read half-way."""

    directory: pathlib.Path
    settle_s: float = 2.0
    last_seen: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def scan(self, now_s: float | None = None) -> list[tuple[str, str]]:
        """(ledger key, path) of every complete file now in the directory, sorted by path."""
        now_s = time.time() if now_s is None else now_s
        seen: dict[str, tuple[int, int]] = {}
        complete: list[tuple[str, str]] = []
        for path in sorted(self._candidates()):
            stat = _status(path)
            if stat is None:
                continue  # renamed or removed since the listing
            signature = (stat.st_size, stat.st_mtime_ns)
            seen[path] = signature
            settled = now_s - stat.st_mtime >= self.settle_s
            if self.last_seen.get(path) == signature or settled:
                complete.append((f"drop:{path}:{stat.st_size}:{stat.st_mtime_ns}", path))
        self.last_seen = seen
        return complete

    def _candidates(self) -> list[str]:
        paths = []
        for folder, files in walk_folders(self.directory):
            paths += [os.path.join(folder, name) for name in files
                      if not name.startswith((".", "_", "#"))
                      and not name.lower().endswith(IN_PROGRESS_SUFFIXES + EDITOR_BACKUP_SUFFIXES)]
        return paths


def _status(path: str) -> os.stat_result | None:
    """The file's status; the link's own for a link that loops or leads nowhere (taken, its read gives an error row:
    skipped, it was never said); None when nothing is there."""
    for status in (os.stat, os.lstat):
        try:
            return status(path)
        except OSError:
            continue
    return None

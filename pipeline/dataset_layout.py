"""The layout an output directory was created with, kept in ``OUT/_state/layout.json`` and enforced.

An article's file is chosen by hashing its id into ``num_shards``; a run with another shard count would
put the same article into another file and duplicate it. So the first run records the count and later
runs with a different one are refused with a clear message.
"""

from __future__ import annotations

import json
import pathlib

from pipeline.atomic_files import write_bytes_atomically


class LayoutMismatchError(ValueError):
    """The output directory was written with another layout."""


def layout_path(output_dir: str) -> pathlib.Path:
    """Where the layout of ``output_dir`` is recorded."""
    return pathlib.Path(output_dir) / "_state" / "layout.json"


def ensure_layout(output_dir: str, num_shards: int) -> None:
    """Record the shard count on first use; refuse a different one later."""
    path = layout_path(output_dir)
    if path.exists():
        recorded = json.loads(path.read_text())["num_shards"]
        if recorded != num_shards:
            raise LayoutMismatchError(
                f"{output_dir} was written with --shards {recorded}; this run asks for {num_shards}, which would "
                f"put articles into other files and duplicate them. Use --shards {recorded}, or a new output "
                "directory (a backfill into a new directory re-shards a dataset).")
        return
    write_bytes_atomically(path, json.dumps({"num_shards": num_shards}).encode())

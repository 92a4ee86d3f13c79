"""The layout an output directory was created with, kept in ``OUT/_state/layout.json`` and enforced.

An article's file is chosen by hashing its id into ``num_shards``; a run with another shard count would
put the same article into another file and duplicate it. So the first run records the count and later
runs with a different one are refused with a clear message. The layout also records the schema versions
of the datasets' files: a run of a version with newer schemas first rewrites the older files
(``pipeline.schema_upgrade``), since readers take a dataset's columns from one file.
"""

from __future__ import annotations

import json
import logging
import pathlib
from typing import Any

from pipeline.atomic_files import write_bytes_atomically
from pipeline.schema_upgrade import SchemaMismatchError, current_versions, upgrade_output

LOG = logging.getLogger("newsbeam")


class LayoutMismatchError(ValueError):
    """The output directory was written with another layout."""


def layout_path(output_dir: str) -> pathlib.Path:
    """Where the layout of ``output_dir`` is recorded."""
    return pathlib.Path(output_dir) / "_state" / "layout.json"


def ensure_layout(output_dir: str, num_shards: int) -> None:
    """Record the shard count on first use; refuse a different one later. Bring the files to the current
    schemas (``ensure_current_schemas``)."""
    layout = _read_layout(output_dir)
    recorded = layout.get("num_shards")
    if recorded is not None and recorded != num_shards:
        raise LayoutMismatchError(
            f"{output_dir} was written with --shards {recorded}; this run asks for {num_shards}, which would "
            f"put articles into other files and duplicate them. Use --shards {recorded}, or a new output "
            "directory (a backfill into a new directory re-shards a dataset).")
    _ensure_schemas(output_dir, layout, {**layout, "num_shards": num_shards})


def recorded_shards(output_dir: str) -> int | None:
    """The shard count the output directory was first written with (None before its first run)."""
    return _read_layout(output_dir).get("num_shards")


def ensure_current_schemas(output_dir: str) -> int:
    """Rewrite the dataset files of older schema versions in the current ones (``pipeline.schema_upgrade``)
    unless the layout records that they are; return how many files were rewritten. Raises
    LayoutMismatchError for files that cannot be rewritten without loss. Call while holding the output lock."""
    layout = _read_layout(output_dir)
    return _ensure_schemas(output_dir, layout, layout)


def _ensure_schemas(output_dir: str, recorded: dict[str, Any], layout: dict[str, Any]) -> int:
    """``ensure_current_schemas``, then ``layout`` (the ``recorded`` one with the caller's changes) written
    when it differs from what is recorded."""
    current, upgraded = current_versions(), 0
    if layout.get("schema_versions") != current:
        try:
            upgraded = upgrade_output(output_dir)
        except SchemaMismatchError as exc:
            raise LayoutMismatchError(str(exc)) from exc
        if upgraded:
            LOG.warning("rewrote %d file(s) of %s in the current schemas %s (once, after an upgrade)", upgraded,
                        output_dir, current)
        layout = {**layout, "schema_versions": current}
    if layout != recorded:
        write_bytes_atomically(layout_path(output_dir), json.dumps(layout).encode())
    return upgraded


def _read_layout(output_dir: str) -> dict[str, Any]:
    path = layout_path(output_dir)
    return json.loads(path.read_text()) if path.exists() else {}

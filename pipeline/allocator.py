"""Which allocator Arrow uses in every process of a run: the C library's malloc. Both switches live here.

Arrow's C++ default allocator (the Parquet writer's, and the Python API's unless set otherwise) is chosen
once, when pyarrow loads, from ``ARROW_DEFAULT_MEMORY_POOL``. With mimalloc (pyarrow's default) a long
backfill's resident memory grew by about 2.5 MB per batch (pages kept after their buffers were freed), and
a 2-worker run of 20,000 items peaked at 984 MiB against 918 MiB with malloc (README, "Performance";
"Backfill, compaction, inspection"). The variable is read by worker processes too, which inherit it.
"""

from __future__ import annotations

import os


def choose_arrow_allocator() -> None:
    """Set ``ARROW_DEFAULT_MEMORY_POOL=system`` unless the user chose one; call before pyarrow is imported."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def use_system_allocator_for_arrow() -> None:
    """Allocate Arrow buffers made through pyarrow's Python API with the C library's malloc from now on.

    Why (measured): with pyarrow's default pool (mimalloc), a backfill's resident memory grew by 5 to 10 MB
    per batch, all of it in mimalloc's region, while Python's heap and malloc's stayed level (pages kept
    after their buffers were freed). Arrow's C++ default pool (the Parquet writer's) is fixed when pyarrow
    loads (``choose_arrow_allocator``, called by ``pipeline.cli``); this covers callers that import the
    backfill or the stream without the CLI (README, "Backfill, compaction, inspection")."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())

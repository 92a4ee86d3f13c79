"""The one options object of a run: built from the CLI, frozen, handed down to every part."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from pipeline.date_range import DateRange
from transforms.settings import TransformSettings

DASK_RUNNER = "apache_beam.runners.dask.dask_runner.DaskRunner"
# Short runner names users type -> what Beam accepts (Beam refuses the short name of the Dask runner).
RUNNER_ALIASES = {"DaskRunner": DASK_RUNNER, "dask": DASK_RUNNER}
LOCAL_RUNNERS = ("FnApiRunner", "local")


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """Everything a run needs to know; nothing reads the environment or globals on its own."""

    mode: str  # ingest, run, backfill
    inputs: tuple[str, ...]
    output_dir: str
    run_id: str
    transforms: TransformSettings = TransformSettings()
    num_shards: int = 8
    max_document_bytes: int = 50 * 1024 * 1024
    fail_on_error: bool = False
    runner: str = "FnApiRunner"
    beam_args: tuple[str, ...] = ()  # passed through to Beam's PipelineOptions
    lock_wait_s: float = 0.0  # how long to wait for another run holding the output directory
    date_range: DateRange | None = None  # backfill: partition days to write; records outside are counted


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC start time plus a random suffix."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def resolve_runner(name: str) -> str:
    """Beam's name for a runner the user named (short names mapped, anything else passed through)."""
    return RUNNER_ALIASES.get(name, name)

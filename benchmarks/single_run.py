"""One measured run, in a process of its own: the bare loop or the pipeline over a corpus directory.

The throughput benchmark starts this module once per run, so that every run begins with a cold process
(imports, gazetteer, dateparser tables) and its peak memory is its own. It writes what it measured as
JSON to ``--result``; the parent adds wall time and peak RSS, which only it can see.

    python -m benchmarks.single_run bare CORPUS OUTPUT --result FILE
    python -m benchmarks.single_run pipeline CORPUS OUTPUT --workers 2 --result FILE
    python -m benchmarks.single_run pipeline "" OUTPUT --result FILE      # empty input: start-up cost
    python -m benchmarks.single_run pipeline "" OUTPUT --result FILE --cache-dir DIR   # gazetteer kept in DIR
"""

from __future__ import annotations

import time

PROCESS_START = time.perf_counter()  # before the heavy imports below, so that import time is seen

import argparse  # noqa: E402 - see PROCESS_START
import json  # noqa: E402
import pathlib  # noqa: E402
from typing import Any  # noqa: E402

from pipeline.allocator import choose_arrow_allocator  # noqa: E402

choose_arrow_allocator()  # as the newsbeam command does, before pyarrow loads

from pipeline.run_summary import counts_from  # noqa: E402
from pipeline.sources import expand_inputs  # noqa: E402
from transforms.settings import TransformSettings  # noqa: E402

# Beam options of the local runner per worker count; multi_threading is never used (wrong sums, DESIGN.md).
WORKER_ARGS = {1: ("--direct_num_workers=1",),
               2: ("--direct_num_workers=2", "--direct_running_mode=multi_processing")}


def run_bare(paths: list[str], output_dir: str, settings: TransformSettings) -> dict[str, Any]:
    """The bare loop over ``paths``; its counts, in the pipeline manifest's terms."""
    from benchmarks.bare_loop import run_bare_loop

    stats = run_bare_loop(paths, output_dir, settings)
    return counts_from(stats, len(paths))


def run_beam(paths: list[str], output_dir: str, workers: int, settings: TransformSettings) -> dict[str, Any]:
    """The pipeline on the local FnApiRunner over ``paths``, as ``newsbeam ingest`` runs it."""
    from pipeline.execution import run_pipeline
    from pipeline.options import RunOptions, new_run_id

    options = RunOptions(mode="ingest", inputs=tuple(paths), output_dir=output_dir, run_id=new_run_id(),
                         transforms=settings, runner="FnApiRunner", beam_args=WORKER_ARGS[workers])
    return run_pipeline(options, [{"path": path} for path in paths])["counts"]


def main(argv: list[str] | None = None) -> int:
    """Run once and write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("bare", "pipeline"))
    parser.add_argument("corpus", help="corpus directory; an empty string for an empty input")
    parser.add_argument("output")
    parser.add_argument("--workers", type=int, default=1, choices=sorted(WORKER_ARGS))
    parser.add_argument("--result", required=True)
    parser.add_argument("--cache-dir", default=None, help="the gazetteer cache directory (default: none, build)")
    args = parser.parse_args(argv)
    # The transforms are imported here, outside the timed part, as a long-running worker has them loaded.
    import benchmarks.bare_loop  # noqa: F401
    import pipeline.execution  # noqa: F401

    imported = time.perf_counter()
    paths = expand_inputs([args.corpus]) if args.corpus else []
    start = time.perf_counter()
    settings = TransformSettings(cache_dir=args.cache_dir)
    counts = (run_bare(paths, args.output, settings) if args.mode == "bare"
              else run_beam(paths, args.output, args.workers, settings))
    finished = time.perf_counter()
    result = {"mode": args.mode, "workers": args.workers, "files": len(paths),
              "input_bytes": sum(pathlib.Path(path).stat().st_size for path in paths),
              "import_s": round(imported - PROCESS_START, 3), "elapsed_s": round(finished - start, 3),
              "counts": counts}
    pathlib.Path(args.result).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

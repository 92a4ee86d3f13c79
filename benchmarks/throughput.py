"""Throughput benchmark: the pipeline against the bare loop, on a generated corpus, as medians of runs.

One command: ``python -m benchmarks.throughput`` (``--items N``, ``--repeat N``, ``--quick``). It

1. generates a corpus (``benchmarks/generate.py``, deterministic by ``--seed``) in a temporary directory;
2. runs, each in a fresh process and into a fresh output directory, ``--repeat`` times and interleaved
   (so that a noisy neighbour hurts every mode alike): the bare loop (``benchmarks/bare_loop.py``: the
   same functions, no Beam), the pipeline on the FnApiRunner with 1 worker, and with 2 workers
   (``--direct_num_workers 2 --direct_running_mode multi_processing``);
   Before them, a process of its own builds the gazetteer cache in the benchmark's cache directory, as a
   machine's first run does (its time and peak RSS are reported apart, as ``gazetteer_cache_build``): every
   measured run then reads the cache, as later runs on a machine do. (Before 2026-12-05's last change
   the first measured run built it, so that run's peak held the build: an invocation such as ``--modes
   pipeline-1,pipeline-2`` reported it as pipeline-1's peak.)
3. runs each mode once more per repetition over an empty input: its start-up cost;
4. prints a table of medians (items/s, MB/s of input, peak RSS, start-up, ratio to the bare loop) and
   writes every figure as JSON under ``benchmarks/results/`` (git-ignored) or to ``--json``.

Peak RSS is the largest sum, sampled every 0.1 s, of the resident memory of the run's process and all
of its descendants (the 2-worker pipeline starts its workers as child processes). No figure here is
asserted anywhere: the machine is shared and noisy, so read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from benchmarks.generate import generate_corpus

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
MODES: dict[str, tuple[str, int]] = {  # name -> (single_run mode, workers)
    "bare": ("bare", 1), "pipeline-1": ("pipeline", 1), "pipeline-2": ("pipeline", 2),
}
TARGETS = {"ratio_pipeline_1": 0.8, "ratio_pipeline_2": 1.5, "startup_s": 3.0, "peak_rss_mib": 1024.0}
SAMPLE_INTERVAL_S = 0.1
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


# --- Measuring one process tree ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:  # the process (or thread) ended between two reads
        pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_bytes(root: int) -> dict[int, int]:
    """Resident memory of ``root`` and of every descendant, by process id (Linux /proc)."""
    found, pending = {}, [root]
    while pending:
        pid = pending.pop()
        found[pid] = _rss_bytes(pid)
        pending.extend(_children(pid))
    return found


def run_measured(command: list[str], timeout_s: float) -> dict[str, Any]:
    """Run ``command``; its wall time, CPU time (all its processes), exit code and peak RSS (tree sum)."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, peak_processes = 0, []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_processes
        while not stop.wait(SAMPLE_INTERVAL_S):
            processes = tree_rss_bytes(process.pid)
            if sum(processes.values()) > peak:
                peak = sum(processes.values())
                peak_processes = sorted((size for size in processes.values() if size > 8 * MIB), reverse=True)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped descendants count too (Beam's workers)
    cpu = usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "exit_code": process.returncode,
            "peak_rss_mib": round(peak / MIB, 1),
            # At that peak, each process of the run over 8 MiB (the 2-worker pipeline: driver and workers).
            "peak_rss_by_process_mib": [round(size / MIB) for size in peak_processes],
            "stderr_tail": stderr.decode("utf-8", "replace")[-2000:] if process.returncode else ""}


def build_gazetteer_cache(cache_dir: pathlib.Path, timeout_s: float) -> dict[str, Any]:
    """Build the gazetteer cache in ``cache_dir`` in a measured process of its own (a machine's first run)."""
    command = [sys.executable, "-c", "import sys; from transforms.gazetteer_cache import load_gazetteer; "
               "from transforms.settings import TransformSettings; "
               "load_gazetteer(TransformSettings(cache_dir=sys.argv[1]))", str(cache_dir)]
    measured = run_measured(command, timeout_s)
    if measured["exit_code"] != 0:
        raise RuntimeError(f"building the gazetteer cache failed: {measured['stderr_tail']}")
    return measured


def run_mode(mode: str, corpus: str, work_dir: pathlib.Path, timeout_s: float) -> dict[str, Any]:
    """One run of ``mode`` (empty ``corpus``: the empty input) in a fresh process and output directory."""
    kind, workers = MODES[mode]
    output = pathlib.Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=work_dir))
    result_file = output.with_suffix(".json")
    # One gazetteer cache for every run of the benchmark, built before the first (build_gazetteer_cache).
    command = [sys.executable, "-m", "benchmarks.single_run", kind, corpus, str(output / "out"),
               "--workers", str(workers), "--result", str(result_file), "--cache-dir", str(work_dir / "cache")]
    measured = run_measured(command, timeout_s)
    if measured["exit_code"] == 0:
        measured.update(json.loads(result_file.read_text()))
    shutil.rmtree(output, ignore_errors=True)
    result_file.unlink(missing_ok=True)
    return {"mode": mode, **measured}


# --- Summaries ---------------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def summarize(runs: list[dict[str, Any]], startups: list[dict[str, Any]], corpus: dict[str, Any]) -> dict:
    """Medians of one mode's runs: items/s and MB/s over the run's own elapsed time, RSS, start-up."""
    good = [run for run in runs if run["exit_code"] == 0]
    started = [run for run in startups if run["exit_code"] == 0]
    return {
        "runs": len(runs), "failed_runs": len(runs) - len(good),
        "items_per_s": _median([corpus["items"] / run["elapsed_s"] for run in good]),
        "mb_per_s": _median([corpus["bytes"] / 1e6 / run["elapsed_s"] for run in good]),
        "elapsed_s": _median([run["elapsed_s"] for run in good]),
        "wall_s": _median([run["wall_s"] for run in good]),
        # CPU seconds of every process of the run: the figure least moved by a busy machine.
        "cpu_s": _median([run["cpu_s"] for run in good]),
        "items_per_cpu_s": _median([corpus["items"] / run["cpu_s"] for run in good]),
        "peak_rss_mib": _median([run["peak_rss_mib"] for run in good]),
        "items_parsed": _median([run["counts"]["items_parsed"] for run in good]),
        "articles_written": _median([run["counts"]["articles_written"] for run in good]),
        "errors": _median([run["counts"]["errors"] for run in good]),
        # Start-up: a fresh process over an empty input, from launch to exit (imports included), and the
        # part of it after the imports (for the pipeline: building and running Beam with nothing to do).
        "startup_s": _median([run["wall_s"] for run in started]),
        "startup_after_imports_s": _median([run["elapsed_s"] for run in started]),
        "startup_peak_rss_mib": _median([run["peak_rss_mib"] for run in started]),
    }


def ratios(summary: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """items/s of each pipeline mode over the bare loop's."""
    bare = (summary.get("bare") or {}).get("items_per_s")
    return {f"ratio_{mode.replace('-', '_')}": round(summary[mode]["items_per_s"] / bare, 3)
            if bare and summary[mode]["items_per_s"] else None for mode in summary if mode != "bare"}


def check_targets(summary: dict[str, dict[str, Any]], ratio: dict[str, float | None]) -> dict[str, Any]:
    """Each target of the performance issue with the figure reached and whether it is met."""
    checks: dict[str, Any] = {}
    for name in ("ratio_pipeline_1", "ratio_pipeline_2"):
        if ratio.get(name) is not None:
            checks[name] = {"target": f">= {TARGETS[name]}", "value": ratio[name], "met": ratio[name] >= TARGETS[name]}
    for mode in ("pipeline-1", "pipeline-2"):
        figures = summary.get(mode)
        if not figures or figures["items_per_s"] is None:
            continue
        checks[f"startup_s {mode}"] = {"target": f"<= {TARGETS['startup_s']}", "value": figures["startup_s"],
                                       "met": figures["startup_s"] is not None and figures["startup_s"] <= TARGETS["startup_s"]}
        checks[f"peak_rss_mib {mode}"] = {"target": f"< {TARGETS['peak_rss_mib']}", "value": figures["peak_rss_mib"],
                                          "met": figures["peak_rss_mib"] < TARGETS["peak_rss_mib"]}
    return checks


def format_table(summary: dict[str, dict[str, Any]], ratio: dict[str, float | None]) -> str:
    """The medians as an aligned text table."""
    header = ("mode", "items/s", "MB/s", "peak RSS MiB", "start-up s", "(after imports)", "elapsed s", "vs bare",
              "items/CPU-s")
    rows = [header]
    for mode, figures in summary.items():
        versus = ratio.get(f"ratio_{mode.replace('-', '_')}")
        rows.append((mode, _fmt(figures["items_per_s"], 1), _fmt(figures["mb_per_s"], 2),
                     _fmt(figures["peak_rss_mib"], 0), _fmt(figures["startup_s"], 2),
                     _fmt(figures["startup_after_imports_s"], 2), _fmt(figures["elapsed_s"], 1),
                     "1.00x" if mode == "bare" else (f"{versus:.2f}x" if versus else "-"),
                     _fmt(figures["items_per_cpu_s"], 1)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) if column else cell.ljust(width)
                               for column, (cell, width) in enumerate(zip(row, widths))) for row in rows)


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


# --- The command -------------------------------------------------------------------------------------


def benchmark(items: int, repeat: int, seed: int, modes: list[str], timeout_s: float,
              corpus_dir: str | None = None) -> dict[str, Any]:
    """Generate (or reuse) a corpus, run every mode ``repeat`` times, and return every figure."""
    work_dir = pathlib.Path(tempfile.mkdtemp(prefix="newsbeam-bench-"))
    try:
        corpus_path = pathlib.Path(corpus_dir) if corpus_dir else work_dir / "corpus"
        started = time.perf_counter()
        corpus = generate_corpus(corpus_path, items, seed)
        corpus["generate_s"] = round(time.perf_counter() - started, 2)
        cache_build = build_gazetteer_cache(work_dir / "cache", timeout_s)
        print(f"  gazetteer cache built in {cache_build['wall_s']:.1f} s, "
              f"peak RSS {cache_build['peak_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        startups: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for repetition in range(repeat):
            for mode in modes:
                run = run_mode(mode, str(corpus_path), work_dir, timeout_s)
                runs[mode].append(run)
                startups[mode].append(run_mode(mode, "", work_dir, timeout_s))
                print(f"  [{repetition + 1}/{repeat}] {mode}: {_run_line(run, corpus)}", file=sys.stderr, flush=True)
        summary = {mode: summarize(runs[mode], startups[mode], corpus) for mode in modes}
        ratio = ratios(summary)
        return {"corpus": corpus, "gazetteer_cache_build": cache_build, "summary": summary, "ratios": ratio,
                "targets": check_targets(summary, ratio),
                "runs": runs, "startup_runs": startups}
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _run_line(run: dict[str, Any], corpus: dict[str, Any]) -> str:
    if run["exit_code"] != 0:
        return f"FAILED (exit {run['exit_code']}): {run['stderr_tail'][-300:]}"
    return (f"{corpus['items'] / run['elapsed_s']:.1f} items/s, {run['elapsed_s']:.1f} s, "
            f"CPU {run['cpu_s']:.1f} s, peak RSS {run['peak_rss_mib']:.0f} MiB {run['peak_rss_by_process_mib']}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        import apache_beam

        beam_version = apache_beam.__version__
    except ImportError:  # pragma: no cover - Beam is a dependency
        beam_version = None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "beam": beam_version,
            "platform": platform.platform(), "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000, help="items in the generated corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode; medians are reported")
    parser.add_argument("--quick", action="store_true", help="2,000 items, one run each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run before it is killed")
    parser.add_argument("--corpus", help="generate into (and keep) this directory instead of a temporary one")
    parser.add_argument("--json", help="where to write the results (default: benchmarks/results/)")
    args = parser.parse_args(argv)
    items, repeat = (2_000, 1) if args.quick else (args.items, args.repeat)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown modes: {', '.join(unknown)}")
    started_at = dt.datetime.now(dt.timezone.utc)
    print(f"newsbeam throughput: {items:,} items, {repeat} run(s) of {', '.join(modes)}", file=sys.stderr)
    machine_before = machine()
    results = benchmark(items, repeat, args.seed, modes, args.timeout, args.corpus)
    results = {"command": " ".join(["python -m benchmarks.throughput", *(argv if argv is not None else sys.argv[1:])]),
               "started_at": started_at.isoformat(), "items": items, "repeat": repeat, "seed": args.seed,
               "machine": {**machine_before, "load_average_after": os.getloadavg()}, **results}
    path = pathlib.Path(args.json) if args.json else RESULTS_DIR / f"throughput-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    corpus = results["corpus"]
    print(f"\ncorpus: {corpus['items']:,} items in {corpus['files']:,} files, {corpus['bytes'] / 1e6:.1f} MB "
          f"(seed {args.seed}); medians of {repeat} run(s); load average {machine_before['load_average'][0]:.2f}")
    print(format_table(results["summary"], results["ratios"]))
    for name, check in results["targets"].items():
        print(f"target {name}: {check['value']} (want {check['target']}): {'met' if check['met'] else 'NOT met'}")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

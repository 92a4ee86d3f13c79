"""Where the time goes, per stage: cProfile over the bare loop and over the pipeline (FnApiRunner, 1 worker).

    python -m benchmarks.profile_pipeline --items 2000            # generate a corpus, profile both
    python -m benchmarks.profile_pipeline --corpus DIR --only pipeline --top 40

Each of the two runs in a process of its own (no cache warmed by the other). With one worker the
FnApiRunner runs the DoFns in its own process, so cProfile sees them. For each stage
function the table gives its cumulative time (inclusive of what it calls) and its share of the whole
run; "Beam and other" is what no stage accounts for (the runner, coders, the shuffle, start-up).
cProfile slows Python-heavy code more than C-heavy code, so read shares, not absolute speeds; the
throughput benchmark gives the speeds. ``--top N`` also prints the N costliest functions by cumulative
time, and ``--save FILE`` keeps the raw profile for ``python -m pstats`` or snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import pathlib
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

from benchmarks.generate import generate_corpus

# (label, module file suffix, function name): the stage functions and the libraries' main entry points.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("read files", "pipeline/sources.py", "read_input"),
    ("parse (all formats)", "transforms/parsing.py", "parse_document"),
    ("  feedparser", "feedparser/api.py", "parse"),
    ("  HTML page metadata", "transforms/html_pages.py", "parse_html_page"),
    ("  JSON lines", "transforms/json_documents.py", "parse_jsonl"),
    ("clean HTML", "transforms/html_cleaning.py", "clean_article"),
    ("  main content (trafilatura)", "transforms/main_content.py", "extract_main_content"),
    ("  clean_html (BeautifulSoup)", "transforms/html_cleaning.py", "clean_html"),
    ("full text", "transforms/full_text.py", "attach_full_text"),
    ("normalize text", "transforms/text.py", "normalize_article_text"),
    ("  ftfy", "ftfy/__init__.py", "fix_text"),
    ("language", "transforms/language.py", "annotate_language"),
    ("time", "transforms/timestamps.py", "normalize_article_time"),
    ("  dateparser", "dateparser/date.py", "get_date_data"),
    ("identity", "transforms/identity.py", "identify_article"),
    ("entities", "transforms/entities.py", "annotate_entities"),
    ("gazetteer build", "transforms/gazetteer.py", "build_gazetteer"),
    ("stage rows", "pipeline/staging.py", "stage"),
    ("write Parquet (sink)", "pipeline/parquet_sink.py", "write_shard"),
    ("  load staged rows", "pipeline/staging.py", "load_staged"),
    ("  rows -> Arrow", "pipeline/rows.py", "rows_to_table"),
    ("  Parquet write + fsync", "pipeline/atomic_files.py", "write_parquet_atomically"),
)


def stage_times(stats: pstats.Stats) -> dict[str, tuple[float, int]]:
    """Cumulative seconds and calls of each stage function found in ``stats``."""
    found: dict[str, tuple[float, int]] = {}
    for (filename, _, function), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for label, suffix, name in STAGES:
            if function == name and filename.replace("\\", "/").endswith(suffix):
                seconds, count = found.get(label, (0.0, 0))
                found[label] = (seconds + cumulative, count + calls)
    return found


def format_stages(title: str, stats: pstats.Stats, total_s: float) -> str:
    """The per-stage table of one profile."""
    found = stage_times(stats)
    lines = [f"{title}: {total_s:.1f} s profiled", f"  {'stage':<32}{'seconds':>9}{'share':>8}{'calls':>9}"]
    top_level = 0.0
    for label, _, _ in STAGES:
        if label not in found:
            continue
        seconds, calls = found[label]
        if not label.startswith(" ") and label != "gazetteer build":
            top_level += seconds
        lines.append(f"  {label:<32}{seconds:>9.2f}{seconds / total_s:>8.1%}{calls:>9}")
    other = max(0.0, total_s - top_level - found.get("gazetteer build", (0.0, 0))[0])
    lines.append(f"  {'Beam and other':<32}{other:>9.2f}{other / total_s:>8.1%}")
    return "\n".join(lines)


def profile(function: Callable[[], Any], save: str | None) -> tuple[pstats.Stats, float]:
    """Run ``function`` under cProfile; its stats and wall time."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(function)
    elapsed = time.perf_counter() - start
    if save:
        profiler.dump_stats(save)
    return pstats.Stats(profiler), elapsed


def profile_bare(paths: list[str], output: str, save: str | None) -> tuple[pstats.Stats, float]:
    """Profile of the bare loop over ``paths``."""
    from benchmarks.bare_loop import run_bare_loop

    return profile(lambda: run_bare_loop(paths, output), save)


def profile_pipeline(paths: list[str], output: str, save: str | None) -> tuple[pstats.Stats, float]:
    """Profile of the pipeline on the FnApiRunner with one (in-process) worker."""
    from benchmarks.single_run import run_beam

    return profile(lambda: run_beam(paths, output, workers=1), save)


def main(argv: list[str] | None = None) -> int:
    """Command line: profile the bare loop and/or the pipeline and print the per-stage tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000, help="items to generate (ignored with --corpus)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", help="an existing corpus directory")
    parser.add_argument("--only", choices=("bare", "pipeline"))
    parser.add_argument("--top", type=int, default=0, help="also print the N costliest functions")
    parser.add_argument("--save", help="file name prefix for the raw profiles (.bare.prof, .pipeline.prof)")
    args = parser.parse_args(argv)
    from pipeline.sources import expand_inputs

    work = pathlib.Path(tempfile.mkdtemp(prefix="newsbeam-profile-"))
    try:
        corpus = args.corpus or str(work / "corpus")
        if not args.corpus:
            generate_corpus(corpus, args.items, args.seed)
        if not args.only:  # each in a fresh process: no cache (gazetteer, parsed dates) carried from one to the other
            for name in ("bare", "pipeline"):
                subprocess.run([sys.executable, "-m", "benchmarks.profile_pipeline", "--corpus", corpus, "--only", name,
                                "--top", str(args.top), *(["--save", args.save] if args.save else [])], check=True)
            return 0
        runs = {"bare": profile_bare, "pipeline": profile_pipeline}
        save = f"{args.save}.{args.only}.prof" if args.save else None
        stats, elapsed = runs[args.only](expand_inputs([corpus]), str(work / f"out-{args.only}"), save)
        print(format_stages(args.only, stats, elapsed), flush=True)
        if args.top:
            stats.sort_stats("cumulative").print_stats(args.top)
        print(flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

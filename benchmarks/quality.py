"""The quality harness: every quality measure in one command, one table, one JSON file.

Run ``python -m benchmarks.quality [CORPORA_DIR] [--misses] [--json PATH]`` (the corpora default to
``../shared/corpora``, or ``$NEWSBEAM_CORPORA``). In one process it runs, through their own modules:

- ``extraction``: main-text extraction P/R/F1 on the ScrapingHub benchmark, trafilatura beside us
  (``benchmarks.quality_extraction``);
- ``timestamps``: dateparser's date cases, feedparser's date tests and real feeds
  (``benchmarks.quality_timestamps``);
- ``page_dates``: publication times of the benchmark's full pages against their URLs and htmldate
  (``benchmarks.quality_page_dates``);
- ``entities``: entity precision/recall on our labelled set (``benchmarks.quality_entities``; in the
  repository, never absent).

It prints a summary against the project's targets (extraction F1 at least trafilatura's, 99 % of timestamps
right, entity precision 0.95 and recall 0.9; page dates have no target: they are reported), then each section
as its own command prints it. A section whose corpus is absent is skipped with the note saying how to get it. Every
figure is written as JSON to ``benchmarks/results/quality-<UTC time>.json`` (git-ignored) or to ``--json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import pathlib
from collections.abc import Callable
from typing import Any

from benchmarks import quality_entities, quality_extraction, quality_page_dates, quality_timestamps
from benchmarks.corpora import corpora_dir

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
DEFAULT_CORPORA_DIR = corpora_dir()
TIMESTAMP_TARGET = 0.99
ENTITY_PRECISION_TARGET = 0.95
ENTITY_RECALL_TARGET = 0.9
NO_TARGET = "none set"  # a figure reported beside the targets (met is None)
SKIPPED = "skipped"
SKIPPED_FIGURE = "skipped (corpus absent)"


@dataclasses.dataclass(frozen=True)
class TargetLine:
    """One line of the summary: a figure, the target it is held to, and whether it meets it (None: skipped)."""

    what: str
    figure: str
    target: str
    met: bool | None

    def verdict(self) -> str:
        """``met``, ``below``, ``reported`` for a figure without a target, or ``skipped`` when the section
        did not run."""
        if self.target == NO_TARGET:
            return SKIPPED if self.figure == SKIPPED_FIGURE else "reported"
        return {True: "met", False: "below", None: SKIPPED}[self.met]


# --- Running the sections -----------------------------------------------------------------------------


def _aeb_section(corpora: pathlib.Path, measure: Callable[[pathlib.Path], dict[str, Any]]) -> dict[str, Any]:
    """A measure on the ScrapingHub benchmark, or the note saying how to get it when it is absent."""
    if quality_extraction.find_corpus(corpora) is None:
        return {"absent": quality_extraction.absent_note(corpora)}
    return measure(corpora)


def measure(corpora: pathlib.Path) -> dict[str, Any]:
    """Every section's figures, by section name; a section whose corpus is absent holds ``absent``."""
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns on every page it gives up on
    return {
        "extraction": _aeb_section(corpora, quality_extraction.measure),
        "timestamps": quality_timestamps.measure(corpora),
        "page_dates": _aeb_section(corpora, quality_page_dates.measure),
        "entities": quality_entities.measure(),
    }


# --- The summary against the targets -----------------------------------------------------------------


def _at_least(value: float | None, target: float) -> bool | None:
    """Whether ``value`` reaches ``target``; None when there is no value (the section was skipped)."""
    return None if value is None else value >= target


def _share_line(what: str, share: float | None, part: int | None, whole: int | None,
                target: float | None = TIMESTAMP_TARGET) -> TargetLine:
    """A share with its counts, held to ``target`` (the timestamp target), or only reported when it is None."""
    figure = SKIPPED_FIGURE if share is None else f"{share:.2%} ({part} of {whole})"
    if target is None:
        return TargetLine(what, figure, NO_TARGET, None)
    return TargetLine(what, figure, f">= {target:.0%}", _at_least(share, target))


def extraction_lines(extraction: dict[str, Any]) -> list[TargetLine]:
    """Our extraction F1 against trafilatura's."""
    if "absent" in extraction:
        return [TargetLine("extraction F1", SKIPPED_FIGURE, ">= trafilatura", None)]
    extractors = extraction["extractors"]
    ours, theirs = extractors[quality_extraction.NEWSBEAM]["f1"], extractors[quality_extraction.TRAFILATURA]["f1"]
    return [TargetLine("extraction F1", f"ours {ours:.3f}, trafilatura {theirs:.3f}", ">= trafilatura",
                       ours >= theirs)]


def timestamp_lines(timestamps: dict[str, dict[str, Any]]) -> list[TargetLine]:
    """The share right of dateparser's absolute cases and the agreement with feedparser on real feeds."""
    cases, feeds = timestamps["dateparser_cases"], timestamps["realfeeds"]
    right_cases = sum(cases.get(f"absolute_{verdict}", 0) for verdict in quality_timestamps.RIGHT_VERDICTS)
    feeds_compared = feeds.get("dates", 0) - feeds.get("both_missing", 0)
    return [
        _share_line("timestamps, absolute date cases", cases.get("absolute_share_right"), right_cases,
                    cases.get("absolute_total")),
        _share_line("timestamps, real feeds", feeds.get("agreement"), feeds.get("agree"), feeds_compared),
    ]


def page_date_lines(page_dates: dict[str, Any]) -> list[TargetLine]:
    """The share of pages with a time of their own, and of URL-dated pages whose day we agree with (those
    whose time came from the URL itself left out); reported, not held to a target."""
    url_compared = (page_dates.get("url_dated") or 0) - (page_dates.get("from_url") or 0)
    return [
        _share_line("page dates, a page time", page_dates.get("share_page_time"), page_dates.get("page_time"),
                    page_dates.get("pages"), target=None),
        _share_line("page dates, agree with URL day", page_dates.get("share_agree_url"), page_dates.get("agree_url"),
                    url_compared, target=None),
    ]


def entity_lines(entities: dict[str, Any]) -> list[TargetLine]:
    """Entity precision and recall against their targets."""
    precision, recall = entities["precision"], entities["recall"]
    return [
        TargetLine("entities, precision", f"{precision:.3f}", f">= {ENTITY_PRECISION_TARGET}",
                   precision >= ENTITY_PRECISION_TARGET),
        TargetLine("entities, recall", f"{recall:.3f}", f">= {ENTITY_RECALL_TARGET}", recall >= ENTITY_RECALL_TARGET),
    ]


def summary(results: dict[str, Any]) -> list[TargetLine]:
    """Every summary line, section by section."""
    return [*extraction_lines(results["extraction"]), *timestamp_lines(results["timestamps"]),
            *page_date_lines(results["page_dates"]), *entity_lines(results["entities"])]


# --- Report -----------------------------------------------------------------------------------------------


def format_summary(lines: list[TargetLine]) -> str:
    """The summary as a table: figure, target, verdict."""
    rows = [f"{'measure':<34} {'figure':<36} {'target':<16} verdict"]
    rows += [f"{line.what:<34} {line.figure:<36} {line.target:<16} {line.verdict()}" for line in lines]
    return "\n".join(rows)


def format_report(results: dict[str, Any], *, all_misses: bool = False) -> str:
    """The summary, then each section as its own command prints it."""
    extraction, page_dates = results["extraction"], results["page_dates"]
    sections = [
        ("summary", format_summary(summary(results))),
        ("extraction", extraction.get("absent") or quality_extraction.format_table(extraction)),
        ("timestamps", quality_timestamps.format_table(results["timestamps"], all_misses=all_misses).lstrip("\n")),
        ("page dates", page_dates.get("absent")
         or quality_page_dates.format_table(page_dates, all_misses=all_misses).lstrip("\n")),
        ("entities", quality_entities.format_table(results["entities"])),
    ]
    return "\n\n".join(f"=== {title}\n{text}" for title, text in sections)


def write_json(results: dict[str, Any], corpora: pathlib.Path, target: pathlib.Path | None) -> pathlib.Path:
    """Every figure and the summary as JSON at ``target``, else under ``benchmarks/results/``."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = target or RESULTS_DIR / f"quality-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"corpora_dir": str(corpora), "summary": [dataclasses.asdict(line) for line in summary(results)],
                "results": results}
    path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: run every section, print the report, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="?", type=pathlib.Path, default=DEFAULT_CORPORA_DIR,
                        help=f"the shared corpora folder; default {DEFAULT_CORPORA_DIR}")
    parser.add_argument("--misses", action="store_true", help="list every miss, not a few")
    parser.add_argument("--json", type=pathlib.Path, help="write the figures here instead of benchmarks/results/")
    args = parser.parse_args(argv)
    results = measure(args.corpora)
    print(format_report(results, all_misses=args.misses))
    print(f"\nfigures: {write_json(results, args.corpora, args.json)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

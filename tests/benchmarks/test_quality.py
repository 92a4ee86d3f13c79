"""The one-command quality harness: a smoke run on three self-written pages, and its verdicts on the targets."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from benchmarks import quality, quality_extraction


def test_one_run_reports_every_section_and_writes_the_json(
    aeb_corpora: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "figures" / "quality.json"
    assert quality.main([str(aeb_corpora), "--json", str(target)]) == 0
    printed = capsys.readouterr().out
    written = json.loads(target.read_text(encoding="utf-8"))
    results = written["results"]
    assert results["page_dates"]["pages"] == results["extraction"]["pages"] == 4
    assert all("absent" in section for section in results["timestamps"].values())
    assert results["entities"]["sentences"] > 100  # the labelled set of the repository
    for heading in ("=== summary", "=== extraction", "=== timestamps", "=== page dates", "=== entities"):
        assert heading in printed
    assert printed.count("corpus absent:") == 3 and "it is dateparser 1.5.0's test cases" in printed
    assert f"figures: {target}" in printed
    verdicts = {line["what"]: line["met"] for line in written["summary"]}
    assert verdicts["timestamps, real feeds"] is None  # skipped, not below
    assert verdicts["page dates, a page time"] is None  # reported: no target
    assert "75.00% (3 of 4)" in printed


def results_with(*, ours_f1: float, trafilatura_f1: float, precision: float, recall: float) -> dict[str, Any]:
    """Results shaped like ``quality.measure``'s, with the figures the summary judges."""
    extractors = {quality_extraction.NEWSBEAM: {"f1": ours_f1}, quality_extraction.TRAFILATURA: {"f1": trafilatura_f1}}
    timestamps = {
        "dateparser_cases": {"absolute_total": 200, "absolute_right": 197, "absolute_right_wall_clock": 1,
                             "absolute_share_right": 0.99},
        "feedparser_tests": {"absent": "feedparser-tests", "origin": "?"},
        "realfeeds": {"dates": 101, "both_missing": 1, "agree": 98, "agreement": 0.98},
    }
    page_dates = {"pages": 10, "page_time": 9, "share_page_time": 0.9, "url_dated": 4, "agree_url": 2,
                  "from_url": 1, "share_agree_url": 0.6667}
    return {"extraction": {"extractors": extractors}, "timestamps": timestamps, "page_dates": page_dates,
            "entities": {"precision": precision, "recall": recall}}


def test_each_figure_is_held_to_its_target() -> None:
    lines = quality.summary(results_with(ours_f1=0.96, trafilatura_f1=0.958, precision=0.95, recall=0.89))
    verdicts = {line.what: line.verdict() for line in lines}
    assert verdicts == {
        "extraction F1": "met", "timestamps, absolute date cases": "met", "timestamps, real feeds": "below",
        "page dates, a page time": "reported", "page dates, agree with URL day": "reported",
        "entities, precision": "met", "entities, recall": "below",
    }
    figures = {line.what: line.figure for line in lines}
    assert figures["timestamps, absolute date cases"] == "99.00% (198 of 200)"
    assert figures["timestamps, real feeds"] == "98.00% (98 of 100)"
    assert figures["page dates, agree with URL day"] == "66.67% (2 of 3)"  # the page dated by its URL left out


def test_extraction_below_trafilatura_is_below() -> None:
    lines = quality.summary(results_with(ours_f1=0.95, trafilatura_f1=0.958, precision=1.0, recall=1.0))
    assert lines[0].verdict() == "below" and lines[0].figure == "ours 0.950, trafilatura 0.958"

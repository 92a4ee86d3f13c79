"""The throughput benchmark runs end to end on a tiny corpus and reports every figure (no timing asserted)."""

from __future__ import annotations

import json
import pathlib

from benchmarks import generate, throughput

FIGURES = ("items_per_s", "mb_per_s", "elapsed_s", "wall_s", "cpu_s", "items_per_cpu_s", "peak_rss_mib",
           "startup_s", "startup_after_imports_s", "items_parsed", "articles_written")


def test_the_benchmark_reports_every_figure_for_every_mode(tmp_path: pathlib.Path) -> None:
    result_path = tmp_path / "throughput.json"
    assert throughput.main(["--items", "200", "--repeat", "1", "--json", str(result_path)]) == 0
    results = json.loads(result_path.read_text())
    assert results["corpus"]["items"] == 200
    assert set(results["summary"]) == set(throughput.MODES)
    for mode, figures in results["summary"].items():
        assert figures["failed_runs"] == 0, results["runs"][mode]
        for name in FIGURES:
            assert figures[name] is not None and figures[name] > 0, (mode, name)
        assert figures["items_parsed"] == results["summary"]["bare"]["items_parsed"]  # same work in every mode
    # the gazetteer cache is built once, apart, before the measured runs (which only read it)
    assert results["gazetteer_cache_build"]["exit_code"] == 0 and results["gazetteer_cache_build"]["peak_rss_mib"] > 0
    assert set(results["ratios"]) == {"ratio_pipeline_1", "ratio_pipeline_2"}
    assert all(check["value"] is not None for check in results["targets"].values())


def test_the_corpus_is_the_same_for_the_same_seed(tmp_path: pathlib.Path) -> None:
    first = generate.generate_corpus(tmp_path / "a", 120, seed=7)
    second = generate.generate_corpus(tmp_path / "b", 120, seed=7)
    assert first == second
    names = sorted(path.relative_to(tmp_path / "a") for path in (tmp_path / "a").rglob("*") if path.is_file())
    assert names == sorted(path.relative_to(tmp_path / "b") for path in (tmp_path / "b").rglob("*") if path.is_file())
    assert all((tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes() for name in names)
    assert set(first["by_kind"]) == {"feed", "jsonl", "page"}

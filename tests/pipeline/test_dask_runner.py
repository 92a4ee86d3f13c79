"""The same pipeline on Beam's DaskRunner, on a 2-worker Dask cluster on 127.0.0.1, gives the local rows.

About 30 s: the cluster starts once for the module; each Dask pipeline pays its workers' set-up.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import pathlib
from typing import Any, Iterator

import pytest

from pipeline.backfill import run_backfill
from pipeline.date_range import DateRange
from pipeline.execution import run_pipeline
from pipeline.options import RunOptions, new_run_id
from pipeline.sources import InputFile
from tests.pipeline.archive_builders import Item, WarcRecord, day, html_page, rss_feed, write_tar, write_warc
from tests.pipeline.dataset_builders import read_dataset
from tests.pipeline.test_backfill import SITES, site_items, write_feeds
from transforms.settings import TransformSettings

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    """A LocalCluster of two worker processes, one thread each, on 127.0.0.1."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """Feeds, a tar.gz of feeds and a WARC of pages: every path through the reading stage."""
    folder = write_feeds(tmp_path_factory.mktemp("sources") / "feeds", "v1")
    write_tar(folder / "more.tar.gz", {f"{site}.xml": rss_feed(site.replace(".", "-more."), site_items(site, "tar"))
                                       for site in SITES})
    write_warc(folder / "pages.warc.gz", [
        WarcRecord("response", f"https://pages.example/news/p{number}",
                   html_page("pages.example", Item(f"p{number}", day(1 + number % 5), f"page {number}")))
        for number in range(10)] + [WarcRecord("response", "https://pages.example/empty", b"",
                                               warc_date="2024-05-03T10:00:00Z")])  # an error row in the range
    return folder


def backfill_options(output: pathlib.Path, sources: pathlib.Path, runner: str, beam_args: tuple[str, ...]) -> RunOptions:
    return RunOptions(mode="backfill", inputs=(str(sources),), output_dir=str(output), run_id=new_run_id(),
                      transforms=TransformSettings(detect_language=False), num_shards=4, runner=runner,
                      beam_args=beam_args, date_range=DateRange(dt.date(2024, 5, 2), dt.date(2024, 5, 4)))


def sorted_rows(output: pathlib.Path, dataset: str) -> list[dict[str, Any]]:
    key = "article_id" if dataset == "articles" else "error_id"
    if not (output / dataset).exists():
        return []
    return sorted(read_dataset(output, dataset), key=lambda row: row[key])


def test_backfill_on_dask_writes_the_same_rows_as_the_local_runner(
        tmp_path: pathlib.Path, sources: pathlib.Path, cluster_address: str) -> None:
    local = run_backfill(backfill_options(tmp_path / "local", sources, "FnApiRunner", ()), progress_stream=None)
    dask_args = ("--dask_client_address", cluster_address, "--dask_npartitions", "2")
    on_dask = run_backfill(backfill_options(tmp_path / "dask", sources, "DaskRunner", dask_args), progress_stream=None)
    local_rows = sorted_rows(tmp_path / "local", "articles")
    assert len(local_rows) > 40
    assert sorted_rows(tmp_path / "dask", "articles") == local_rows  # every column, every row
    local_errors = sorted_rows(tmp_path / "local", "errors")
    assert len(local_errors) == 1 and sorted_rows(tmp_path / "dask", "errors") == local_errors
    assert on_dask["counts"] == local["counts"]  # counted from the data: Dask has no Beam metrics


def test_dask_spreads_the_inputs_only_when_given_dask_npartitions(
        tmp_path: pathlib.Path, sources: pathlib.Path, cluster_address: str) -> None:
    files = sorted(str(path) for path in sources.glob("*.xml"))
    inputs = [InputFile(path=path) for path in files]
    base = RunOptions(mode="ingest", inputs=tuple(files), output_dir="", run_id="", runner="DaskRunner",
                      transforms=TransformSettings(detect_language=False), num_shards=4)
    tasks: dict[str, collections.Counter[str]] = {}
    with distributed.Client(cluster_address) as client:
        for name, extra in (("default", ()), ("npartitions", ("--dask_npartitions", "2"))):
            run = dataclasses.replace(base, output_dir=str(tmp_path / name), run_id=new_run_id(),
                                      beam_args=("--dask_client_address", cluster_address, *extra))
            with distributed.get_task_stream(client=client) as stream:
                run_pipeline(run, inputs)  # beam.Create(..., reshuffle=True) inside: it runs, but on Dask the
                # Reshuffle is a no-op and Create makes bags of 128 elements unless told otherwise
            tasks[name] = collections.Counter(task["worker"] for task in stream.data
                                              if "apply_dofn_to_bundle" in str(task["key"]))
    assert sum(tasks["default"].values()) < sum(tasks["npartitions"].values())
    assert len(tasks["npartitions"]) == 2  # both workers ran pipeline stages
    assert sorted_rows(tmp_path / "default", "articles") == sorted_rows(tmp_path / "npartitions", "articles")

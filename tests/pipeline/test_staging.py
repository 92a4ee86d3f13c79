"""Staged rows: a write from stubs gives the same files and counts as a write from whole articles."""

from __future__ import annotations

import datetime as dt
import hashlib
import pathlib
import pickle

from pipeline.parquet_sink import SinkSettings, write_article_shard
from pipeline.staging import STAGED, StagingFile, expand_staged, load_staged, remove_staging, staging_directory
from tests.pipeline.test_parquet_sink import article, files_under, ident, when

SHARD = 3


def _sink(root: pathlib.Path, name: str) -> SinkSettings:
    return SinkSettings(output_dir=str(root / name), num_shards=8, pipeline_version="0.1.0-test")


def _contents(root: str) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in files_under(root) if "staging" not in path.parts}


def _run(articles: list[dict], sink: SinkSettings, staged: bool) -> dict:
    if staged:  # two bundles' files, as the pipeline's staging step leaves them: only their markers are passed
        files = [StagingFile(staging_directory(sink.output_dir, "run-1")) for _ in range(2)]
        for number, record in enumerate(articles):
            files[number % 2].stage(record)
        for staging in files:
            staging.close()
        articles = [staging.marker() for staging in files]
    return write_article_shard(SHARD, articles, sink)


def test_a_staged_write_equals_a_direct_write(tmp_path: pathlib.Path) -> None:
    updated = when(2, 9)
    batches = [  # a first run, then a run with an update, a day correction and an unchanged copy
        [article(ident(1), day=1, body_status="full"), article(ident(2), day=2, body_status="teaser_only"),
         article(ident(3), day=2), article(ident(3), day=2, updated=updated, body="Longer body.")],
        [article(ident(1), day=1, body_status="full"), article(ident(2), day=3, updated=updated),
         article(ident(4), day=1, title="New")],
    ]
    direct, staged = _sink(tmp_path, "direct"), _sink(tmp_path, "staged")
    for batch in batches:
        assert _run(batch, staged, staged=True) == _run(batch, direct, staged=False)
        assert _contents(staged.output_dir) == _contents(direct.output_dir)


def test_stubs_are_small_and_load_back_in_order(tmp_path: pathlib.Path) -> None:
    records = [article(ident(number), body="A long body. " * 500) for number in range(5)]
    staging = StagingFile(tmp_path / "staging")
    stubs = [staging.stage(record) for record in records]
    staging.close()
    assert all(len(pickle.dumps(stub)) < len(pickle.dumps(record)) / 10 for stub, record in zip(stubs, records))
    loaded = load_staged([stubs[3], records[0], stubs[1]])
    assert [record["body_text"] for record in loaded] == [records[3]["body_text"], records[0]["body_text"],
                                                          records[1]["body_text"]]
    assert loaded[0]["published_at"] == records[3]["published_at"] and STAGED not in loaded[0]


def test_a_marker_expands_to_the_stubs_of_its_file(tmp_path: pathlib.Path) -> None:
    records = [article(ident(number), body=f"Body {number}.") for number in range(4)]
    staging = StagingFile(tmp_path / "staging")
    stubs = [staging.stage(record) for record in records]
    staging.close()
    error = {"kind": "error", "error_id": "e1"}
    assert list(expand_staged([staging.marker(), error])) == [*stubs, error]
    assert [row["body_text"] for row in load_staged(list(expand_staged([staging.marker()])))] == \
        [record["body_text"] for record in records]


def test_each_staging_file_is_new_and_the_run_removes_them(tmp_path: pathlib.Path) -> None:
    directory = staging_directory(tmp_path, "run-1")
    first, second = StagingFile(directory), StagingFile(directory)  # two bundles, or a retried one
    assert first.path != second.path
    first.close()
    second.close()
    remove_staging(tmp_path, "run-1")
    assert not directory.exists()


def test_the_fields_the_writer_decides_on_survive_staging(tmp_path: pathlib.Path) -> None:
    source = article(ident(7), updated=dt.datetime(2024, 5, 3, tzinfo=dt.timezone.utc), body_status="paywalled")
    staging = StagingFile(tmp_path / "staging")
    stub = staging.stage(source)
    staging.close()
    for field in ("article_id", "published_at", "updated_at", "fetched_at", "content_sha256", "body_status"):
        assert stub[field] == source[field]

"""Crashes and concurrency: SIGKILL at random points, a crash between any two writes, two runs at once,
a full disk. Nothing partial is ever visible, nothing is lost, a rerun gives exactly the rows of a run
that was never interrupted.

The killed runs are real processes running the real CLI, forked from a warm server
(``tests/hostile/fork_runner.py``) so that they start working at once and a kill can land anywhere in
them. The seeds of the kill points are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import os
import pathlib
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest

import pipeline.execution  # noqa: F401 - loaded up front: the lock tests race a running child
from pipeline import parquet_sink
from pipeline.atomic_files import TEMP_MARKER
from pipeline.cli import main
from pipeline.parquet_sink import SinkSettings, write_article_shard
from schemas.article import ARTICLE_SCHEMA
from schemas.error import ERROR_SCHEMA
from tests.hostile.fork_runner import ForkRunner
from tests.hostile.support import read_dataset
from tests.pipeline.test_parquet_sink import article, dataset_rows, ident

KILL_SEEDS = list(range(20240601, 20240611))  # ten trials
FIRST_FETCH_S, SECOND_FETCH_S = 1_717_200_000, 1_717_300_000  # file mtimes: the fetch times of the two versions
RUN_ARGS = ["--shards", "4", "--no-language-detection"]
EX_IOERR, EX_TEMPFAIL = 74, 75


# --- inputs: two versions of about 150 items over six days and four shards ------------------------------


def rss(items: list[tuple[str, int, str]]) -> bytes:
    """An RSS feed of (slug, June day, text) items."""
    entries = "".join(
        f"<item><title>Story {slug}</title><link>https://courier.example/{slug}</link>"
        f"<pubDate>{email.utils.format_datetime(dt.datetime(2024, 6, day, 8 + len(slug) % 10, tzinfo=dt.timezone.utc))}"
        f"</pubDate><description>{text}</description></item>" for slug, day, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Courier</title>'
            f"<link>https://courier.example/</link>{entries}</channel></rss>").encode()


def write_inputs(folder: pathlib.Path, version: int) -> pathlib.Path:
    """Version 1, or version 2: a fifth of the items edited, a seventh moved a day later, ten new per feed."""
    folder.mkdir(parents=True)
    for feed in range(2):
        items = []
        for number in range(50 + (10 if version == 2 else 0)):
            day = 1 + (number * 7 + feed) % 6
            text = f"Harbour report {feed}-{number} from Baku: ferries to Aktau and Turkmenbashi."
            if version == 2 and number % 5 == 0:
                text += " Updated: the storm has passed."
            if version == 2 and number % 7 == 0:
                day += 1
            items.append((f"{feed}-{number}", day, text))
        (folder / f"feed-{feed}.xml").write_bytes(rss(items))
    lines = [json.dumps({"url": f"https://wire.example/{number}", "title": f"Wire {number}",
                         "html": f"<p>Wire story {number} (v{version if number % 4 == 0 else 1}).</p>",
                         "published": f"2024-06-0{1 + number % 6}T12:00:00Z"}) for number in range(24)]
    (folder / "wire.jsonl").write_text("\n".join(lines + ["{broken"]))
    (folder / "broken.xml").write_bytes(b"<rss><channel><item><title>cut")
    for path in folder.iterdir():
        os.utime(path, (FIRST_FETCH_S if version == 1 else SECOND_FETCH_S,) * 2)
    return folder


def canonical_rows(output: pathlib.Path, dataset: str) -> list[str]:
    """Every row of a dataset as canonical JSON, sorted: equal lists mean equal datasets, row by row."""
    return sorted(json.dumps(row, default=str, sort_keys=True) for row in read_dataset(output, dataset))


def row_ids(output: pathlib.Path, dataset: str) -> set[str]:
    key = "error_id" if dataset == "errors" else "article_id"
    return {row[key] for row in read_dataset(output, dataset)}


def assert_nothing_partial_or_corrupt(output: pathlib.Path) -> None:
    """Every visible Parquet file reads whole in its schema; temporary files are hidden; state files parse."""
    schemas = {"articles": ARTICLE_SCHEMA, "errors": ERROR_SCHEMA}
    for path in output.rglob("*"):
        if not path.is_file():
            continue
        if TEMP_MARKER in path.name:
            assert path.name.startswith("."), f"visible temporary file {path}"
            continue
        if path.suffix == ".parquet":
            dataset = path.relative_to(output).parts[0]
            pq.read_table(path, schema=schemas.get(dataset))  # raises on a partial or foreign file
        elif path.suffix == ".json":
            json.loads(path.read_text())


@pytest.fixture(scope="module")
def fork_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkRunner]:
    runner = ForkRunner(str(tmp_path_factory.mktemp("fork-runner")))
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory, fork_runner: ForkRunner) -> dict[str, Any]:
    """Inputs, the dataset after version 1 (the base of every trial), and after version 2 (the reference)."""
    root = tmp_path_factory.mktemp("versions")
    first, second = write_inputs(root / "v1", 1), write_inputs(root / "v2", 2)
    base, reference = root / "base", root / "reference"
    assert fork_runner.run(["ingest", str(first), "--output", str(base), *RUN_ARGS]) == 0
    shutil.copytree(base, reference)
    start = time.monotonic()
    assert fork_runner.run(["ingest", str(second), "--output", str(reference), *RUN_ARGS]) == 0
    return {"second": second, "base": base, "reference": reference, "run_s": time.monotonic() - start}


# --- SIGKILL -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_sigkill_at_a_random_point_leaves_whole_files_and_the_rerun_gives_the_uninterrupted_rows(
    seed: int, tmp_path: pathlib.Path, fork_runner: ForkRunner, two_versions: dict[str, Any]
) -> None:
    delay_s = random.Random(seed).uniform(0.0, two_versions["run_s"])
    output = tmp_path / "out"
    shutil.copytree(two_versions["base"], output)
    command = ["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS]

    pid = fork_runner.start(command)
    time.sleep(delay_s)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the run ended before the kill point: the checks below hold all the same
    outcome = fork_runner.wait()
    print(f"seed {seed}: SIGKILL after {delay_s:.2f} s of a {two_versions['run_s']:.2f} s run -> {outcome}")

    assert_nothing_partial_or_corrupt(output)
    base, reference = two_versions["base"], two_versions["reference"]
    for dataset in ("articles", "errors"):
        assert row_ids(base, dataset) <= row_ids(output, dataset), "a row of the previous run was lost"
        assert set(canonical_rows(output, dataset)) <= set(canonical_rows(base, dataset)) | set(
            canonical_rows(reference, dataset)), "a row is neither the old nor the new version"

    assert fork_runner.run(command) == 0
    assert_nothing_partial_or_corrupt(output)
    for dataset in ("articles", "errors"):
        assert canonical_rows(output, dataset) == canonical_rows(reference, dataset)


STOP_SEEDS = list(range(20261206, 20261209))  # three trials
EXIT_STOPPED_BY_SIGTERM = 128 + signal.SIGTERM


@pytest.mark.parametrize("seed", STOP_SEEDS)
def test_sigterm_stops_a_run_with_a_message_and_no_staged_rows_and_the_rerun_completes(
    seed: int, tmp_path: pathlib.Path, fork_runner: ForkRunner, two_versions: dict[str, Any]
) -> None:
    delay_s = random.Random(seed).uniform(0.3, 0.7 * two_versions["run_s"])
    output = tmp_path / "out"
    command = ["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS]
    while True:  # a run faster than the one measured may end before the signal: then again, sooner
        shutil.rmtree(output, ignore_errors=True)
        shutil.copytree(two_versions["base"], output)
        log_start = fork_runner.log_path.stat().st_size if fork_runner.log_path.exists() else 0
        pid = fork_runner.start(command)
        time.sleep(delay_s)
        signalled_at = time.monotonic()
        with contextlib.suppress(ProcessLookupError):  # the run ended (and its process was reaped) before
            os.kill(pid, signal.SIGTERM)
        outcome = fork_runner.wait()
        print(f"seed {seed}: SIGTERM after {delay_s:.2f} s of a {two_versions['run_s']:.2f} s run -> {outcome}")
        if fork_runner.last_ended_at > signalled_at or delay_s <= 0.1:
            break
        delay_s /= 2
    printed = fork_runner.log_path.read_bytes()[log_start:].decode()

    assert outcome == {"exit_code": EXIT_STOPPED_BY_SIGTERM, "signal": None}
    assert "newsbeam: stopped by SIGTERM" in printed and "run the same command again" in printed
    assert "Traceback" not in printed
    assert not any((output / "_state" / "staging").iterdir())  # the run's staged rows went with it
    assert_nothing_partial_or_corrupt(output)
    assert fork_runner.run(command) == 0
    for dataset in ("articles", "errors"):
        assert canonical_rows(output, dataset) == canonical_rows(two_versions["reference"], dataset)


def test_a_run_removes_the_staged_rows_a_killed_run_left(
    tmp_path: pathlib.Path, fork_runner: ForkRunner, two_versions: dict[str, Any]
) -> None:
    output = tmp_path / "out"
    shutil.copytree(two_versions["base"], output)
    left = output / "_state" / "staging" / "20240601T000000Z-dead00"
    left.mkdir(parents=True)
    (left / f".rows-0a1b{TEMP_MARKER}staged").write_bytes(b"\0" * 4096)

    assert fork_runner.run(["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS]) == 0

    assert not left.exists()
    assert canonical_rows(output, "articles") == canonical_rows(two_versions["reference"], "articles")


def test_a_crash_between_any_two_file_writes_of_a_shard_loses_no_article(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every crash point of one writer, in turn: articles that move to a later day are the risky ones."""
    first = [article(ident(number), day=3 if number % 2 else 5, title=f"Story {number}") for number in range(6)]
    second = [article(ident(number), day=5 if number % 2 else 3, title=f"Story {number}", body="Moved.",
                      fetched=dt.datetime(2024, 5, 20, tzinfo=dt.timezone.utc)) for number in range(6)]
    base = SinkSettings(str(tmp_path / "base"), 1, "test")
    write_article_shard(0, first, base)
    reference = SinkSettings(str(tmp_path / "reference"), 1, "test")
    shutil.copytree(base.output_dir, reference.output_dir)
    write_article_shard(0, second, reference)
    merge_into_file = parquet_sink.merge_into_file

    for crash_at in range(1, 20):
        output = SinkSettings(str(tmp_path / f"crash-{crash_at}"), 1, "test")
        shutil.copytree(base.output_dir, output.output_dir)
        calls: list[int] = []

        def crashing(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == crash_at:
                raise SimulatedCrash(f"before write {crash_at}")
            return merge_into_file(*args, **kwargs)

        monkeypatch.setattr(parquet_sink, "merge_into_file", crashing)
        try:
            write_article_shard(0, second, output)
        except SimulatedCrash:
            pass
        monkeypatch.setattr(parquet_sink, "merge_into_file", merge_into_file)

        ids = {row["article_id"] for row in dataset_rows(output.output_dir)}
        assert ids == {item["article_id"] for item in first}, f"crash at write {crash_at} lost an article"
        write_article_shard(0, second, output)  # the rerun
        assert sorted(map(repr, dataset_rows(output.output_dir))) == sorted(map(repr, dataset_rows(reference.output_dir)))
        if len(calls) < crash_at:  # the writer finished before this crash point: every point was tried
            break


class SimulatedCrash(BaseException):
    """Raised in place of a file write: a BaseException, so that nothing on the way catches it."""


# --- two runs at once ----------------------------------------------------------------------------------------


def wait_for_lock_holder(output: pathlib.Path, pid: int, timeout_s: float = 30.0) -> None:
    """Wait until process ``pid`` holds the output lock (it writes its pid into the lock file)."""
    lock = output / "_state" / "run.lock"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == f"pid {pid}":
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never took the lock")


def test_a_second_run_on_the_same_output_exits_75_with_a_clear_message(
    tmp_path: pathlib.Path, fork_runner: ForkRunner, two_versions: dict[str, Any], capsys: pytest.CaptureFixture
) -> None:
    output = tmp_path / "out"
    pid = fork_runner.start(["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS])
    wait_for_lock_holder(output, pid)

    code = main(["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS])
    first = fork_runner.wait()

    assert code == EX_TEMPFAIL and first == {"exit_code": 0, "signal": None}
    message = capsys.readouterr().err
    assert f"is in use by another newsbeam run (pid {pid})" in message and "--lock-wait" in message


def test_a_second_run_with_lock_wait_runs_after_the_first_and_never_interleaves(
    tmp_path: pathlib.Path, fork_runner: ForkRunner, two_versions: dict[str, Any]
) -> None:
    output = tmp_path / "out"
    shutil.copytree(two_versions["base"], output)
    pid = fork_runner.start(["ingest", str(two_versions["second"]), "--output", str(output), *RUN_ARGS])
    wait_for_lock_holder(output, pid)

    code = main(["ingest", str(two_versions["second"]), "--output", str(output), "--lock-wait", "120", *RUN_ARGS])
    first = fork_runner.wait()

    assert code == 0 and first == {"exit_code": 0, "signal": None}
    manifests = sorted((json.loads(path.read_text()) for path in (output / "_runs").glob("*.json")),
                       key=lambda manifest: manifest["finished_at"])
    assert manifests[-2]["finished_at"] <= manifests[-1]["finished_at"]
    assert manifests[-1]["counts"]["articles_new"] == 0  # the second found everything written by the first
    for dataset in ("articles", "errors"):
        assert canonical_rows(output, dataset) == canonical_rows(two_versions["reference"], dataset)


# --- full disk -----------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A 3 MB tmpfs mounted for the test (needs root and a sandbox that allows mounts), else skipped."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip() or result.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def incompressible_feed(items: int, words_per_item: int) -> bytes:
    rng = random.Random(7)
    stories = [(f"big-{number}", 3, " ".join(rng.randbytes(6).hex() for _ in range(words_per_item)))
               for number in range(items)]
    return rss(stories)


def test_a_full_disk_gives_a_clear_error_and_keeps_the_dataset(
    tmp_path: pathlib.Path, small_disk: pathlib.Path, capsys: pytest.CaptureFixture
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    (small / "feed.xml").write_bytes(rss([(f"small-{number}", 2, f"Short story {number}.") for number in range(20)]))
    big = tmp_path / "big"
    big.mkdir()
    (big / "big.xml").write_bytes(incompressible_feed(items=30, words_per_item=15_000))  # ~6 MB of rows
    output = small_disk / "out"
    assert main(["ingest", str(small), "--output", str(output), *RUN_ARGS]) == 0
    before = canonical_rows(output, "articles")

    code = main(["ingest", str(big), "--output", str(output), *RUN_ARGS])

    assert code == EX_IOERR
    message = capsys.readouterr().err
    assert "no space left on the device" in message and "run the same command again" in message
    assert "Traceback" not in message  # Beam's log of the worker's error is filtered out: the one line says it
    assert_nothing_partial_or_corrupt(output)
    assert set(before) <= set(canonical_rows(output, "articles"))

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    assert main(["ingest", str(big), "--output", str(output), *RUN_ARGS]) == 0
    assert len(read_dataset(output, "articles")) == 20 + 30

"""Sources: which files a run reads, and how each becomes a RawDocument or an error record."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import os
import pathlib
import threading
import time
from typing import Any, Iterator

import pytest

from pipeline import sources
from pipeline.sources import InputFile, expand_inputs, read_input
from tests.peak_memory import measure_call
from tests.pipeline.folder_refusals import refuse_listing
from transforms.records import sha256_hex

MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title></channel></rss>'


def write(path: pathlib.Path, data: bytes = b"x", mtime: int = MTIME) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def read_one(entry: InputFile, max_bytes: int = 1_000_000) -> dict[str, Any]:
    (record,) = list(read_input(entry, max_bytes))
    return record


# --- expand_inputs ---------------------------------------------------------------------------------

def test_directories_are_walked_recursively_and_sorted(tmp_path: pathlib.Path) -> None:
    b = write(tmp_path / "in" / "b.xml")
    a = write(tmp_path / "in" / "a.xml")
    nested = write(tmp_path / "in" / "2024" / "05" / "feed.rss.gz")
    assert expand_inputs([str(tmp_path / "in")]) == sorted([str(a), str(b), str(nested)])


def test_hidden_and_underscore_entries_are_skipped_in_a_walk(tmp_path: pathlib.Path) -> None:
    kept = write(tmp_path / "in" / "kept.xml")
    write(tmp_path / "in" / ".hidden.xml")
    write(tmp_path / "in" / "_sidecar.xml")
    write(tmp_path / "in" / ".git" / "objects.xml")
    write(tmp_path / "in" / "_state" / "run.xml")
    assert expand_inputs([str(tmp_path / "in")]) == [str(kept)]


@pytest.mark.parametrize("name", ["README.md", "feeds.toml", "NOTES.MD", "run.lock", "out.parquet"])
def test_notes_and_config_files_are_ignored_in_a_walk(tmp_path: pathlib.Path, name: str) -> None:
    kept = write(tmp_path / "in" / "feed.xml")
    write(tmp_path / "in" / name)
    assert expand_inputs([str(tmp_path / "in")]) == [str(kept)]


def test_globs_are_expanded(tmp_path: pathlib.Path) -> None:
    first = write(tmp_path / "in" / "one.jsonl")
    second = write(tmp_path / "in" / "deep" / "two.jsonl")
    write(tmp_path / "in" / "three.xml")
    assert expand_inputs([str(tmp_path / "in" / "**" / "*.jsonl")]) == sorted([str(first), str(second)])


def test_missing_paths_are_ignored_and_duplicates_listed_once(tmp_path: pathlib.Path) -> None:
    feed = write(tmp_path / "feed.xml")
    patterns = [str(tmp_path / "nope.xml"), str(tmp_path / "nothing-*.xml"), str(feed), str(tmp_path)]
    assert expand_inputs(patterns) == [str(feed)]


def test_paths_come_back_absolute(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "in" / "feed.xml")
    monkeypatch.chdir(tmp_path)
    assert expand_inputs(["in"]) == [str((tmp_path / "in" / "feed.xml").resolve())]


# --- read_input ------------------------------------------------------------------------------------

def test_plain_file_becomes_a_raw_document_with_provenance(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)
    entry = InputFile(path=str(path), source_id="quay", language_hint="nl", tags=["harbour"],
                      content_type="application/rss+xml", http_status=200, etag='"abc"')
    raw = read_one(entry)
    assert raw["kind"] == "raw"
    assert raw["body"] == RSS
    assert raw["raw_sha256"] == sha256_hex(RSS)
    assert (raw["uri"], raw["raw_path"], raw["source_id"]) == (str(path), str(path), "quay")
    assert (raw["language_hint"], raw["tags"], raw["content_type"]) == ("nl", ["harbour"], "application/rss+xml")
    assert (raw["http_status"], raw["etag"]) == (200, '"abc"')


def test_fetched_feed_uri_is_its_url(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "raw" / "ab.xml", RSS)
    raw = read_one(InputFile(path=str(path), feed_url="https://quay.example.org/rss"))
    assert raw["uri"] == "https://quay.example.org/rss"
    assert raw["feed_url"] == "https://quay.example.org/rss"
    assert raw["raw_path"] == str(path)


def test_fetched_at_is_the_file_mtime_so_reruns_are_identical(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)
    first = read_one(InputFile(path=str(path)))
    time.sleep(0.01)
    second = read_one(InputFile(path=str(path)))
    assert first["fetched_at"] == dt.datetime.fromtimestamp(MTIME, dt.timezone.utc)
    assert first == second


def test_fetched_at_given_by_the_input_wins_and_is_utc(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)
    raw = read_one(InputFile(path=str(path), fetched_at="2024-05-01T12:00:00+02:00"))
    assert raw["fetched_at"] == dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert raw["fetched_at"].utcoffset() == dt.timedelta(0)


def test_gzip_file_is_inflated_and_hashed_inflated(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml.gz", gzip.compress(RSS, mtime=0))
    raw = read_one(InputFile(path=str(path)))
    assert raw["body"] == RSS
    assert raw["raw_sha256"] == sha256_hex(RSS)


def test_gzip_is_recognised_by_content_not_name(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml", gzip.compress(RSS))
    assert read_one(InputFile(path=str(path)))["body"] == RSS


def test_multi_member_gzip_is_inflated_whole(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "joined.jsonl.gz", gzip.compress(b'{"n": 1}\n') + gzip.compress(b'{"n": 2}\n')
                 + gzip.compress(b'{"n": 3}\n'))
    assert read_one(InputFile(path=str(path)))["body"] == b'{"n": 1}\n{"n": 2}\n{"n": 3}\n'


def test_corrupt_gzip_is_a_bad_gzip_error(tmp_path: pathlib.Path) -> None:
    damaged = bytearray(gzip.compress(RSS * 50))
    damaged[20:30] = b"\xff" * 10
    path = write(tmp_path / "feed.xml.gz", bytes(damaged))
    error = read_one(InputFile(path=str(path), source_id="quay"))
    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "read", "bad_gzip")
    assert error["source_id"] == "quay"
    assert error["raw_path"] == str(path)


def test_a_gzip_file_with_garbage_between_members_keeps_the_first_and_is_flagged(tmp_path: pathlib.Path) -> None:
    first, second = RSS[:40], RSS[40:]
    path = write(tmp_path / "feed.xml.gz", gzip.compress(first) + b"\x00junk" + gzip.compress(second))
    document = read_one(InputFile(path=str(path)))
    assert (document["kind"], document["body"], document["quality_flags"]) == ("raw", first, ["body_partly_decoded"])
    whole = read_one(InputFile(path=str(write(tmp_path / "whole.xml.gz", gzip.compress(first) + gzip.compress(second)
                                                + b"\r\n"))))  # two members, then padding: whole, unflagged
    assert (whole["body"], whole.get("quality_flags")) == (RSS, None)


@pytest.mark.parametrize("keep", [2, 10, 0.5, -8], ids=["magic-only", "header-only", "half", "no-trailer"])
def test_truncated_gzip_is_a_bad_gzip_error(tmp_path: pathlib.Path, keep: float) -> None:
    compressed = gzip.compress(bytes(range(256)) * 40)
    cut = int(len(compressed) * keep) if isinstance(keep, float) else keep
    path = write(tmp_path / "feed.xml.gz", compressed[:cut])
    assert read_one(InputFile(path=str(path)))["error_type"] == "bad_gzip"


def test_gzip_bomb_stops_at_max_bytes_in_bounded_memory(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "bomb.xml.gz", gzip.compress(b"\x00" * 50_000_000, compresslevel=9))
    assert path.stat().st_size < 1_000_000

    (kind, error_type), growth_mb = measure_call(
        "from pipeline.sources import InputFile, read_input",
        f"[(record['kind'], record['error_type']) for record in read_input(InputFile(path={str(path)!r}), "
        f"1_000_000)][0]",
    )

    assert (kind, error_type) == ("error", "too_large")
    assert growth_mb < 10  # the 50 MB never existed in memory


def test_file_over_max_bytes_is_too_large_without_being_opened(tmp_path: pathlib.Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "huge.xml", b"")
    os.truncate(path, 50_000_000)  # sparse: no real bytes written
    os.utime(path, (MTIME, MTIME))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(sources, "open", refuse, raising=False)
    error = read_one(InputFile(path=str(path)), max_bytes=1_000_000)
    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "read", "too_large")
    assert "50000000" in error["message"]
    assert error["occurred_at"] == dt.datetime.fromtimestamp(MTIME, dt.timezone.utc)


def test_file_of_exactly_max_bytes_is_read(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "feed.xml", b"a" * 1000)
    assert read_one(InputFile(path=str(path)), max_bytes=1000)["body"] == b"a" * 1000


@pytest.mark.parametrize("name", ["does-not-exist.xml", "a-directory"])
def test_unreadable_path_is_an_unreadable_error(tmp_path: pathlib.Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()
    error = read_one(InputFile(path=str(tmp_path / name), source_id="quay"))
    assert (error["kind"], error["stage"], error["error_type"]) == ("error", "read", "unreadable")
    assert error["uri"] == str(tmp_path / name)
    assert error["source_id"] == "quay"


def test_an_unreadable_path_that_exists_keeps_its_own_time(tmp_path: pathlib.Path) -> None:
    """Not the clock: a rerun on another day would add the row again, in that day's partition."""
    directory = tmp_path / "feed.xml"
    directory.mkdir()
    os.utime(directory, (MTIME, MTIME))
    error = read_one(InputFile(path=str(directory)))
    assert error["error_type"] == "unreadable"
    assert error["occurred_at"] == dt.datetime.fromtimestamp(MTIME, dt.timezone.utc)


# --- what a directory lists besides files -----------------------------------------------------------


def special_entries(directory: pathlib.Path) -> dict[str, pathlib.Path]:
    """A directory holding a feed, a FIFO, a link to nowhere and two links to each other."""
    directory.mkdir()
    entries = {"feed": write(directory / "feed.xml", RSS), "fifo": directory / "drop.warc.gz",
               "dangling": directory / "gone.xml", "loop": directory / "loop-a.xml"}
    os.mkfifo(entries["fifo"])
    entries["dangling"].symlink_to(directory / "never-written.xml")
    entries["loop"].symlink_to(directory / "loop-b.xml")
    (directory / "loop-b.xml").symlink_to(entries["loop"])
    for name in ("dangling", "loop"):
        os.utime(entries[name], (MTIME, MTIME), follow_symlinks=False)
    return entries


@contextlib.contextmanager
def fifo_released_after(fifo: pathlib.Path, seconds: float) -> Iterator[None]:
    """After ``seconds``, keep opening ``fifo`` for writing and closing it: a reader waiting on it then gets an
    empty read, so that a test of the wait fails instead of hanging."""
    done = threading.Event()

    def release() -> None:
        done.wait(seconds)
        while not done.is_set():
            with contextlib.suppress(OSError):  # ENXIO: nobody is reading now
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            done.wait(0.1)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_a_fifo_and_links_that_loop_or_lead_nowhere_in_a_directory_are_inputs(tmp_path: pathlib.Path) -> None:
    entries = special_entries(tmp_path / "drop")
    # resolving the loop raised RuntimeError ("Symlink loop"): `newsbeam ingest DIR` ended in a traceback
    assert expand_inputs([str(tmp_path / "drop")]) == sorted(
        [str(entries["feed"]), str(entries["fifo"]), str(entries["dangling"]), str(entries["loop"]),
         str(tmp_path / "drop" / "loop-b.xml")])


def test_a_fifo_or_a_link_to_nowhere_named_on_the_command_line_is_an_input(tmp_path: pathlib.Path) -> None:
    entries = special_entries(tmp_path / "drop")
    named = [str(entries["fifo"]), str(entries["dangling"])]
    # they were dropped as if missing: "no input files found", where the same entries in a folder are error rows
    assert expand_inputs(named) == sorted(named)


def test_a_linked_folder_is_walked_and_its_files_named_by_their_own_path(tmp_path: pathlib.Path) -> None:
    feed = write(tmp_path / "mnt" / "archive" / "feed.xml", RSS)
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "archive").symlink_to(tmp_path / "mnt" / "archive")
    (tmp_path / "drop" / "again").symlink_to(tmp_path / "drop")
    assert expand_inputs([str(tmp_path / "drop")]) == [str(feed)]


def test_a_fifo_in_a_directory_is_an_error_row_not_a_run_held_for_ever(tmp_path: pathlib.Path) -> None:
    from pipeline.archives import list_inputs

    feed, fifo = write(tmp_path / "drop" / "feed.xml", RSS), tmp_path / "drop" / "drop.warc.gz"
    os.mkfifo(fifo)
    start = time.monotonic()
    with fifo_released_after(fifo, 5):
        listing = list_inputs(expand_inputs([str(tmp_path / "drop")]))
        records = {record["uri"]: record for entry in listing.inputs for record in read_input(entry, 1_000_000)}
    assert time.monotonic() - start < 5  # opening the FIFO waited for a writer: the listing never returned
    error = records[str(fifo)]
    assert (error["kind"], error["error_type"], error["message"]) == ("error", "unreadable", "not a regular file (a FIFO)")
    assert records[str(feed)]["kind"] == "raw"


@pytest.mark.parametrize("name, reason", [("loop", "Too many levels of symbolic links"),
                                          ("dangling", "No such file or directory")])
def test_a_link_that_loops_or_leads_nowhere_is_an_error_row_with_the_link_s_own_time(tmp_path: pathlib.Path,
                                                                                     name: str, reason: str) -> None:
    link = special_entries(tmp_path / "drop")[name]
    error = read_one(InputFile(path=str(link)))
    assert (error["kind"], error["error_type"], error["uri"]) == ("error", "unreadable", str(link))
    assert reason in error["message"]
    # not the clock: a rerun on another day replaces the row rather than adding one to that day's partition
    assert error["occurred_at"] == dt.datetime.fromtimestamp(MTIME, dt.timezone.utc)


def test_a_folder_that_cannot_be_listed_is_an_error_row_naming_it(tmp_path: pathlib.Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    feed = write(tmp_path / "drop" / "feed.xml", RSS)
    locked = tmp_path / "drop" / "locked"
    write(locked / "old.xml", RSS)
    refuse_listing(monkeypatch, locked)
    inputs = expand_inputs([str(tmp_path / "drop")])
    records = {record["uri"]: record for path in inputs for record in read_input(InputFile(path=path), 1_000_000)}

    assert inputs == [str(feed), str(locked)]  # its files were left out without a word
    assert (records[str(locked)]["error_type"], records[str(locked)]["message"]) == (
        "unreadable", "a folder that could not be listed, its files unread: PermissionError: Permission denied")
    assert records[str(feed)]["kind"] == "raw"

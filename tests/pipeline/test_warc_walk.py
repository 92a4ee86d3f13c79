"""Listing a WARC or ARC file past damage: one error row where a record is damaged, the records after it read, in a
plain file, one gzipped record by record and one gzipped whole."""

from __future__ import annotations

import gzip
import itertools
import pathlib
import random
import re
from typing import Callable

import pytest

from pipeline.archives import enumerate_archive_inputs, list_archive
from pipeline.sources import read_input
from tests.peak_memory import measure_call
from tests.pipeline.archive_builders import (Item, WarcRecord, arc_record_bytes, day, html_page, numbered_feed_record,
                                             warc_record_bytes, write_warc_zst, zstd_frames_of)

MAX_BYTES = 1_000_000
STORIES = [numbered_feed_record(number) for number in range(6)]
DAMAGED_STORY = 2
DECLARED_LENGTH = re.compile(rb"(Content-Length: |^[^\n]*? )(\d+)(\r?\n)")  # a WARC header, or an ARC line's end


def with_length(record: bytes, length: Callable[[int], bytes]) -> bytes:
    """``record`` (a WARC or ARC record's bytes) with its declared length replaced by ``length`` of it."""
    return DECLARED_LENGTH.sub(lambda match: match[1] + length(int(match[2])) + match[3], record, count=1)


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "length past the end": lambda record: with_length(record, lambda length: b"%d" % (length * 100)),
    "length into the next record": lambda record: with_length(record, lambda length: b"%d" % (length + 200)),
    "length not a number": lambda record: with_length(record, lambda length: b"abc"),
    "garbage first line": lambda record: b"\x00garbage\x00\r\n" + record[record.index(b"\n") + 1:],
    "cut": lambda record: record[: len(record) // 2],
}
FORMS = ["plain", "gzip per record", "gzip whole"]


def archive_records(archive_format: str, site: str = "wire.example") -> list[bytes]:
    """The stories of ``site`` as the records of a WARC, or of an ARC (its filedesc record first)."""
    stories = [numbered_feed_record(number, site) for number in range(len(STORIES))]
    return warc_record_bytes(stories) if archive_format == "warc" else arc_record_bytes(stories)


def write_archive(directory: pathlib.Path, archive_format: str, form: str, records: list[bytes]) -> tuple[
        pathlib.Path, list[int]]:
    """``records`` written as a file of ``form`` in ``directory``, and where each record starts (in the inflated stream
    when it is gzipped whole)."""
    directory.mkdir(parents=True, exist_ok=True)
    pieces = [gzip.compress(record, mtime=0) for record in records] if form == "gzip per record" else records
    data = b"".join(pieces)
    path = directory / f"crawl.{archive_format}{'' if form == 'plain' else '.gz'}"
    path.write_bytes(gzip.compress(data, mtime=0) if form == "gzip whole" else data)
    return path, list(itertools.accumulate(map(len, pieces), initial=0))[:-1]


def stories_and_errors(path: pathlib.Path) -> tuple[list[int], list[tuple[str, str]]]:
    """The stories read from ``path`` (their numbers) and its error rows (type and raw path)."""
    documents = [document for entry in enumerate_archive_inputs(str(path)) for document in read_input(entry, MAX_BYTES)]
    bodies = [document["body"] for document in documents if document["kind"] == "raw"]
    return ([number for number in range(len(STORIES)) if any(b"story-%d<" % number in body for body in bodies)],
            [(document["error_type"], document["raw_path"]) for document in documents if document["kind"] == "error"])


@pytest.mark.parametrize("damaged_story", [0, 1, DAMAGED_STORY])  # the first two: how a file gzipped whole is known
@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("archive_format", ["warc", "arc"])
def test_a_damaged_record_is_one_error_row_and_the_records_after_it_are_read(
        tmp_path: pathlib.Path, archive_format: str, form: str, damage: str, damaged_story: int) -> None:
    records = archive_records(archive_format)
    damaged = damaged_story + (archive_format == "arc")  # an ARC file begins with its filedesc record
    records[damaged] = DAMAGES[damage](records[damaged])
    path, offsets = write_archive(tmp_path, archive_format, form, records)

    stories, errors = stories_and_errors(path)

    assert stories == [number for number in range(len(STORIES)) if number != damaged_story]
    assert errors == [("bad_archive", f"{path}#{offsets[damaged]}")]


@pytest.mark.parametrize("damage", ["length not a number", "length into the next record", "cut"])
@pytest.mark.parametrize("archive_format", ["warc", "arc"])
def test_a_damaged_record_s_row_names_the_archive_s_format(tmp_path: pathlib.Path, archive_format: str,
                                                           damage: str) -> None:
    records = archive_records(archive_format)
    records[DAMAGED_STORY + 1] = DAMAGES[damage](records[DAMAGED_STORY + 1])
    path, _ = write_archive(tmp_path, archive_format, "plain", records)
    documents = [document for entry in enumerate_archive_inputs(str(path)) for document in read_input(entry, MAX_BYTES)]
    (message,) = [document["message"] for document in documents if document["kind"] == "error"]
    # an ARC's rows said "WARC record"
    assert f": {archive_format.upper()} record " in message


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("archive_format", ["warc", "arc"])
def test_a_record_whose_length_is_short_is_read_flagged_and_the_records_after_it_too(
        tmp_path: pathlib.Path, archive_format: str, form: str) -> None:
    records = archive_records(archive_format)
    damaged = DAMAGED_STORY + (archive_format == "arc")
    records[damaged] = with_length(records[damaged], lambda length: b"%d" % (length - 40))  # the feed's end left out
    path, _ = write_archive(tmp_path, archive_format, form, records)

    documents = [document for entry in enumerate_archive_inputs(str(path)) for document in read_input(entry, MAX_BYTES)]

    assert [document["kind"] for document in documents] == ["raw"] * len(STORIES)
    assert [document.get("quality_flags") for document in documents] == [
        ["warc_record_truncated"] if number == DAMAGED_STORY else None for number in range(len(STORIES))]


def cut_in_a_large_record(directory: pathlib.Path, records: list[bytes]) -> tuple[pathlib.Path, list[int]]:
    """A WARC of ``records`` then a page of 1.4 MB that gzip hardly shrinks, gzipped whole and cut inside that page;
    the file, and where each record starts."""
    page = b"<html><body><p>%s</p></body></html>" % random.Random(3).randbytes(700_000).hex().encode()
    large = WarcRecord("response", "https://wire.example/news/large", page,
                       warc_fields=(("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000099>"),))
    path, offsets = write_archive(directory, "warc", "gzip whole", records + warc_record_bytes([large]))
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 3 // 4])
    return path, offsets


def test_a_warc_gzipped_whole_and_cut_inside_a_large_record_is_one_error_row(tmp_path: pathlib.Path) -> None:
    path, offsets = cut_in_a_large_record(tmp_path, warc_record_bytes(STORIES[:3]))

    stories, errors = stories_and_errors(path)

    assert stories == [0, 1, 2]
    assert errors == [("bad_archive", f"{path}#{offsets[3]}")]
    assert "cut short" in [member for entry in list_archive(str(path)).inputs for member in entry["members"]][-1][2]


def test_a_record_that_reads_though_no_blank_line_follows_it_is_listed_as_it_is(tmp_path: pathlib.Path) -> None:
    # an ARC writer that leaves out the line end after a record: the next header line right after its content
    records = arc_record_bytes(STORIES[:3])
    records[1] = records[1].removesuffix(b"\n")
    path = tmp_path / "crawl.arc"
    path.write_bytes(b"".join(records))

    assert stories_and_errors(path) == ([0, 1, 2], [])


@pytest.mark.parametrize("tail", ["junk", "records whose lines end in a lone CR"])
@pytest.mark.parametrize("form", ["plain", "gzip whole"])
def test_bytes_holding_no_record_after_a_record_without_its_blank_line_are_one_error_row(
        tmp_path: pathlib.Path, form: str, tail: str) -> None:
    # found by fuzzing (a pywb sample with its line ends mixed): the record before was listed and the 72 KB after it,
    # five records, were dropped without a row
    records = warc_record_bytes(STORIES[:5])
    unended = records[1].removesuffix(b"\r\n\r\n")
    after = [b"\x00junk\x00" * 200] if tail == "junk" else [record.replace(b"\r\n", b"\r") for record in records[2:]]
    path, offsets = write_archive(tmp_path, "warc", form, [records[0], unended, *after])

    assert stories_and_errors(path) == ([0, 1], [("bad_archive", f"{path}#{offsets[1] + len(unended)}")])


def test_warcio_says_nothing_on_stderr_of_what_the_walk_reports(tmp_path: pathlib.Path,
                                                               capfd: pytest.CaptureFixture) -> None:
    records = warc_record_bytes(STORIES[:3])
    records[1] = with_length(records[1], lambda length: b"%d" % (length - 3))  # not followed by its blank line
    records[2] = records[2].replace(b"https://wire.example/feed-2", b"https://wire.example/feed 2", 1)
    path, _ = write_archive(tmp_path, "warc", "plain", records)

    stories, _ = stories_and_errors(path)

    assert stories == [0, 1, 2]
    assert capfd.readouterr().err == ""  # warcio wrote "WARNING: Record not followed by newline" and the URI


def test_newsbeam_ingest_of_damaged_archives_writes_one_error_row_per_damage_and_every_other_record(
        tmp_path: pathlib.Path) -> None:
    import duckdb

    from pipeline.cli import main

    articles: set[tuple[str, str, bool]] = set()  # url, raw path, flagged warc_record_truncated
    errors: set[str] = set()  # raw paths of bad_archive rows
    for archive_format, form, damage in [("warc", "gzip whole", "garbage first line"),
                                         ("arc", "plain", "length into the next record"),
                                         ("arc", "gzip per record", "cut"),
                                         ("arc", "gzip whole", "length not a number")]:
        site = f"{archive_format}-{form.replace(' ', '-')}.example"
        records = archive_records(archive_format, site)
        damaged = DAMAGED_STORY + (archive_format == "arc")
        records[damaged] = DAMAGES[damage](records[damaged])
        path, offsets = write_archive(tmp_path / "inputs" / site, archive_format, form, records)
        errors.add(f"{path}#{offsets[damaged]}")
        articles |= {(f"https://{site}/news/story-{number}", f"{path}#{offsets[number + (archive_format == 'arc')]}",
                      False) for number in range(len(STORIES)) if number != DAMAGED_STORY}
    cut, offsets = cut_in_a_large_record(tmp_path / "inputs" / "cut", archive_records("warc", "cut.example")[:3])
    errors.add(f"{cut}#{offsets[3]}")
    articles |= {(f"https://cut.example/news/story-{number}", f"{cut}#{offsets[number]}", False) for number in range(3)}
    pages = warc_record_bytes(WarcRecord("response", f"https://zstd.example/news/story-{number}",
                                         html_page("zstd.example", Item(f"story-{number}", day(2), f"Story {number}")))
                              for number in range(3))
    pages[1] = pages[1][:-30]  # its frame holds less than its Content-Length: the end of the page is missing
    frames = zstd_frames_of(pages)
    short = write_warc_zst(tmp_path / "inputs" / "short.warc.zst", frames)
    articles |= {(f"https://zstd.example/news/story-{number}", f"{short}#{sum(map(len, frames[:number]))}",
                  number == 1) for number in range(3)}

    assert main(["ingest", str(tmp_path / "inputs"), "--output", str(tmp_path / "out"), "--shards", "1"]) == 0

    written = duckdb.sql(f"SELECT url, raw_path, list_contains(quality_flags, 'warc_record_truncated') FROM "
                         f"read_parquet('{tmp_path}/out/articles/**/*.parquet')").fetchall()
    rows = duckdb.sql(f"SELECT stage, error_type, raw_path FROM read_parquet('{tmp_path}/out/errors/**/*.parquet')"
                      ).fetchall()
    assert set(written) == articles and len(written) == len(articles)
    assert sorted(rows) == sorted(("read", "bad_archive", raw_path) for raw_path in errors)


def test_looking_past_damage_in_a_warc_gzipped_whole_through_a_bomb_costs_bounded_memory(
        tmp_path: pathlib.Path) -> None:
    records = archive_records("warc")[:4]
    records[2] = DAMAGES["garbage first line"](records[2]) + bytes(300_000_000)  # 300 MB of zeros, 300 KB gzipped
    path, _ = write_archive(tmp_path, "warc", "gzip whole", records)

    value, growth_mb = measure_call(
        "from tests.pipeline.test_warc_walk import stories_and_errors; import pathlib",
        f"stories_and_errors(pathlib.Path({str(path)!r}))")

    stories, errors = value
    assert stories == [0, 1, 3] and [error_type for error_type, _ in errors] == ["bad_archive"]
    assert growth_mb < 60  # 30 MB measured: as much as reading the zeros in a sound record

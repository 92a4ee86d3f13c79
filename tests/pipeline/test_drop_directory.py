"""The drop-directory watcher takes complete files only."""

from __future__ import annotations

import os
import pathlib
import time

import pytest

from pipeline.drop_directory import DropDirectoryWatcher
from tests.pipeline.folder_refusals import refuse_listing


def test_in_progress_names_are_never_taken(tmp_path: pathlib.Path) -> None:
    for name in ("feed.xml.tmp", "page.html.part", ".hidden.xml", "_staging.xml", "feed.xml~", "#feed.xml#",
                 ".feed.xml.swp"):
        (tmp_path / name).write_text("<rss/>")
    old = time.time() - 3600
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert DropDirectoryWatcher(tmp_path, settle_s=1).scan() == []


def test_a_fresh_file_is_taken_once_it_stops_changing(tmp_path: pathlib.Path) -> None:
    watcher = DropDirectoryWatcher(tmp_path, settle_s=60)
    target = tmp_path / "feed.xml"
    target.write_text("<rss>")
    assert watcher.scan() == []  # just written: may still be growing
    with target.open("a") as handle:
        handle.write("<channel>")
    assert watcher.scan() == []  # it grew since the last scan
    (key, path), = watcher.scan()  # unchanged between two scans: complete
    assert path == str(target) and key.startswith("drop:")


def test_a_settled_file_is_taken_at_the_first_scan(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "sub" / "feed.xml"
    target.parent.mkdir()
    target.write_text("<rss/>")
    old = time.time() - 10
    os.utime(target, (old, old))
    assert [path for _, path in DropDirectoryWatcher(tmp_path, settle_s=5).scan()] == [str(target)]


def test_a_replaced_file_gets_a_new_key(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "feed.xml"
    target.write_text("<rss/>")
    os.utime(target, (time.time() - 100, time.time() - 100))
    watcher = DropDirectoryWatcher(tmp_path, settle_s=5)
    (first_key, _), = watcher.scan()
    target.write_text("<rss version='2.0'/>")
    os.utime(target, (time.time() - 50, time.time() - 50))
    (second_key, _), = watcher.scan()
    assert first_key != second_key


def test_links_that_loop_or_lead_nowhere_are_taken_for_their_read_to_say_so(tmp_path: pathlib.Path) -> None:
    (tmp_path / "gone.xml").symlink_to(tmp_path / "never-written.xml")
    (tmp_path / "loop-a.xml").symlink_to(tmp_path / "loop-b.xml")
    (tmp_path / "loop-b.xml").symlink_to(tmp_path / "loop-a.xml")
    old = time.time() - 3600
    for name in ("gone.xml", "loop-a.xml", "loop-b.xml"):
        os.utime(tmp_path / name, (old, old), follow_symlinks=False)
    taken = [path for _, path in DropDirectoryWatcher(tmp_path, settle_s=1).scan()]
    assert taken == [str(tmp_path / name) for name in ("gone.xml", "loop-a.xml", "loop-b.xml")]


def test_files_in_a_linked_folder_are_taken(tmp_path: pathlib.Path) -> None:
    (tmp_path / "mnt").mkdir()
    (tmp_path / "mnt" / "feed.xml").write_text("<rss/>")
    os.utime(tmp_path / "mnt" / "feed.xml", (time.time() - 3600, time.time() - 3600))
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "mounted").symlink_to(tmp_path / "mnt")
    taken = [path for _, path in DropDirectoryWatcher(tmp_path / "drop", settle_s=1).scan()]
    assert taken == [str(tmp_path / "drop" / "mounted" / "feed.xml")]


def test_a_folder_that_cannot_be_listed_is_taken_for_its_read_to_say_so(tmp_path: pathlib.Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "drop" / "locked"
    locked.mkdir(parents=True)
    (tmp_path / "drop" / "up").symlink_to(tmp_path)  # a link above the drop directory adds nothing
    os.utime(locked, (time.time() - 3600, time.time() - 3600))
    refuse_listing(monkeypatch, locked)
    assert [path for _, path in DropDirectoryWatcher(tmp_path / "drop", settle_s=1).scan()] == [str(locked)]

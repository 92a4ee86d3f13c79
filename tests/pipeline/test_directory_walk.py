"""The directory walk enters linked folders, each real folder once."""

from __future__ import annotations

import pathlib

import pytest

from pipeline.directory_walk import walk_folders
from tests.pipeline.folder_refusals import refuse_listing


def files_seen(directory: pathlib.Path) -> list[str]:
    return [str(pathlib.Path(folder, name).relative_to(directory)) for folder, names in walk_folders(directory)
            for name in names]


def test_a_linked_folder_is_walked(tmp_path: pathlib.Path) -> None:
    elsewhere = tmp_path / "mnt" / "archive"
    elsewhere.mkdir(parents=True)
    (elsewhere / "old.xml").write_text("<rss/>")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "new.xml").write_text("<rss/>")
    (tmp_path / "drop" / "archive").symlink_to(elsewhere)
    # os.walk's default left the linked folder's files unread and unsaid
    assert files_seen(tmp_path / "drop") == ["new.xml", "archive/old.xml"]


def test_a_link_to_an_enclosing_folder_is_not_walked_again(tmp_path: pathlib.Path) -> None:
    (tmp_path / "feed.xml").write_text("<rss/>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub")
    assert files_seen(tmp_path) == ["feed.xml"]


def test_two_links_to_one_folder_walk_it_once_by_the_first_name(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "feed.xml").write_text("<rss/>")
    (tmp_path / "a-link").symlink_to(tmp_path / "real")
    (tmp_path / "b-link").symlink_to(tmp_path / "real")
    assert files_seen(tmp_path) == ["a-link/feed.xml"]


def test_hidden_and_underscore_folders_are_not_entered_even_through_links(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "feed.xml").write_text("<rss/>")
    (tmp_path / "_state").symlink_to(tmp_path / "real")
    (tmp_path / ".cache").symlink_to(tmp_path / "real")
    assert files_seen(tmp_path) == ["real/feed.xml"]


def test_a_link_to_a_folder_above_the_directory_is_not_walked(tmp_path: pathlib.Path) -> None:
    # drop/up -> .. would take in everything beside the drop directory: here a private folder
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "private.xml").write_text("<rss/>")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "new.xml").write_text("<rss/>")
    (tmp_path / "drop" / "up").symlink_to(tmp_path)
    (tmp_path / "drop" / "grand").symlink_to(tmp_path.parent)
    assert files_seen(tmp_path / "drop") == ["new.xml"]


def test_a_link_to_the_root_of_the_file_system_is_not_walked(tmp_path: pathlib.Path) -> None:
    (tmp_path / "new.xml").write_text("<rss/>")
    (tmp_path / "root").symlink_to("/")  # it walked every folder of the machine, /proc and /dev among them
    assert files_seen(tmp_path) == ["new.xml"]


def test_a_folder_that_cannot_be_listed_is_an_entry_of_its_parent(tmp_path: pathlib.Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("locked", "open"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "feed.xml").write_text("<rss/>")
    (tmp_path / "again").symlink_to(tmp_path / "locked")
    refuse_listing(monkeypatch, tmp_path / "locked")
    # by the first name that reaches it, once; before, its files vanished without a word
    assert files_seen(tmp_path) == ["again", "open/feed.xml"]


def test_a_folder_removed_during_the_walk_is_passed_over(tmp_path: pathlib.Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "gone").mkdir()
    (tmp_path / "feed.xml").write_text("<rss/>")
    refuse_listing(monkeypatch, tmp_path / "gone", FileNotFoundError)
    assert files_seen(tmp_path) == ["feed.xml"]

"""The directory walk enters linked folders, each real folder once."""

from __future__ import annotations

import pathlib

from pipeline.directory_walk import walk_folders


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

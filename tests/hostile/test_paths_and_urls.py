"""Paths and names: hostile ids and file names never leave the output directory or break a partition path;
only http(s) URLs are fetched, and anything else is refused with a clear message.

Covered elsewhere, not repeated: ``safe_path_component`` on any text (tests/pipeline/test_paths.py),
hostile ids in the raw zone (tests/pipeline/test_raw_zone.py), archive members named ``../`` or absolute,
never extracted (tests/pipeline/test_archives.py), non-http feed URLs in feeds.toml
(tests/pipeline/test_feed_config.py) and redirects to file: URLs (tests/pipeline/test_http_fetch.py).
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest

from pipeline.cli import main
from tests.hostile.support import ingest, read_dataset
from tests.http_server import LocalHTTPServer, Response

HOSTILE_IDS = ["../../escape", "/etc/cron.d/newsbeam", "a/../../b", "..", ".", "ø/../x\\y", "x" * 190 + "/../y"]
SECRET = "TOP-SECRET-91ab"


def rss(slug: str, link: str | None = None) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title><item><title>{slug}</title>'
            f"<link>{link or f'https://courier.example/{slug}'}</link>"
            f"<pubDate>Mon, 03 Jun 2024 10:00:00 +0000</pubDate><description>Story {slug}.</description></item>"
            "</channel></rss>").encode()


def toml_feeds(feeds: dict[str, str]) -> str:
    """feeds.toml text; json.dumps writes valid TOML basic strings (escapes included)."""
    return "".join(f"[[feed]]\nid = {json.dumps(source)}\nurl = {json.dumps(url)}\n\n" for source, url in feeds.items())


def files_under(root: pathlib.Path) -> set[pathlib.Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def assert_layout_is_clean(output: pathlib.Path) -> None:
    """Datasets hold only date=YYYY-MM-DD/<file>.parquet; the raw zone only date=/source=<one component>/."""
    for dataset in ("articles", "errors"):
        for path in files_under(output / dataset):
            relative = path.relative_to(output / dataset).parts
            assert len(relative) == 2 and relative[0].startswith("date=") and relative[1].endswith(".parquet"), path
    for path in files_under(output / "raw"):
        day, source, name = path.relative_to(output / "raw").parts
        assert day.startswith("date=") and source.startswith("source=") and len(source) <= 110
        assert source.removeprefix("source=") not in ("", ".", "..") and name.endswith((".gz", ".json"))


def test_hostile_feed_ids_keep_every_file_inside_the_output_directory(
    http_server: LocalHTTPServer, tmp_path: pathlib.Path
) -> None:
    feeds = {}
    for number, source in enumerate(HOSTILE_IDS):
        http_server.route(f"/feed-{number}.xml", Response(body=rss(f"item-{number}")))
        feeds[source] = http_server.url(f"/feed-{number}.xml")
    work = tmp_path / "work"
    work.mkdir()
    config = work / "feeds.toml"
    config.write_text(toml_feeds(feeds))
    output = work / "out"
    before = files_under(tmp_path)

    assert main(["run", "--config", str(config), "--output", str(output), "--shards", "2", "--force",
                 "--retries", "0"]) == 0

    assert {path for path in files_under(tmp_path) - before if output not in path.parents} == set()
    assert_layout_is_clean(output)
    assert sorted(row["source_id"] for row in read_dataset(output, "articles")) == sorted(HOSTILE_IDS)
    assert len(list((output / "raw").glob("date=*/source=*"))) == len(HOSTILE_IDS)  # distinct folders


@pytest.mark.parametrize(("source", "reason"), [
    ("a\u0000b", "control characters"), ("x" * 300, "at most 200"), ("line\nbreak", "control characters")])
def test_feed_ids_with_nul_newline_or_300_characters_are_refused_with_the_reason(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture, source: str, reason: str
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(toml_feeds({source: "https://courier.example/feed.xml"}))

    assert main(["run", "--config", str(config), "--output", str(tmp_path / "out")]) == 2

    assert reason in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_hostile_source_names_in_json_lines_are_data_never_paths(tmp_path: pathlib.Path) -> None:
    sources = ["../../escape", "/abs/path", "a\u0000b", "x" * 300, "date=1999-01-01", "con", "*"]
    # No url: the "source" field is then the source id (with a URL, the URL's host is).
    lines = [json.dumps({"guid": f"story-{number}-of-the-hostile-set", "title": f"Story {number}", "source": source,
                         "published": "2024-06-03T10:00:00Z"}) for number, source in enumerate(sources)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dump.jsonl").write_text("\n".join(lines))
    output = tmp_path / "out"

    assert ingest([tmp_path / "in"], output) == 0

    assert sorted(row["source_id"] for row in read_dataset(output, "articles")) == sorted(sources)
    assert_layout_is_clean(output)
    assert [path.name for path in (output / "articles").iterdir()] == ["date=2024-06-03"]


def test_odd_file_names_and_output_directory_names_work(tmp_path: pathlib.Path) -> None:
    names = ["n" * 250 + ".xml", "feed[1].xml", "spaces and 'quotes'.xml", "line\nbreak.xml", "date=1999-01-01.xml",
             "semi;colon*star?.xml", "-starts-with-dash.xml"]
    inputs = tmp_path / "in"
    inputs.mkdir()
    for number, name in enumerate(names):
        (inputs / name).write_bytes(rss(f"odd-{number}"))
    output = tmp_path / "out dir [x] 'y'"

    assert ingest([inputs / name for name in names], output) == 0

    rows = read_dataset(output, "articles")
    assert sorted(pathlib.Path(row["uri"]).name for row in rows) == sorted(names)
    assert_layout_is_clean(output)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "data:text/xml,<rss/>",
                                 "http://127.0.0.1:9/feed.xml"])
def test_urls_given_to_ingest_are_refused_with_a_clear_message(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture, url: str
) -> None:
    assert ingest([url], tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert f"{url} is a URL" in error and "newsbeam run" in error
    assert not (tmp_path / "out").exists()


def test_a_local_path_given_on_purpose_is_read(tmp_path: pathlib.Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss("local"))
    assert ingest([tmp_path / "feed.xml"], tmp_path / "out") == 0
    assert [row["title"] for row in read_dataset(tmp_path / "out", "articles")] == ["local"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "data:text/xml,<rss/>",
                                 "gopher://127.0.0.1/feed"])
def test_feed_urls_that_are_not_http_are_refused_before_any_fetch(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture, url: str
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(toml_feeds({"odd": url}))
    assert main(["run", "--config", str(config), "--output", str(tmp_path / "out")]) == 2
    assert "only http and https feeds are fetched" in capsys.readouterr().err


def test_redirects_to_other_schemes_and_item_links_are_never_followed(
    http_server: LocalHTTPServer, tmp_path: pathlib.Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    for name, target in (("to-file", f"file://{secret}"), ("to-ftp", "ftp://127.0.0.1/feed.xml"),
                         ("to-data", "data:text/xml,<rss/>")):
        http_server.route(f"/{name}.xml", Response(status=302, headers={"Location": target}))
    items = "".join(f"<item><title>{scheme}</title><link>{link}</link><description>x</description></item>"
                    for scheme, link in (("file", f"file://{secret}"), ("ftp", "ftp://127.0.0.1/a"),
                                         ("data", "data:text/html,<p>x</p>")))
    http_server.route("/links.xml", Response(body=f'<rss version="2.0"><channel>{items}</channel></rss>'.encode()))
    config = tmp_path / "feeds.toml"
    config.write_text(toml_feeds({name: http_server.url(f"/{name}.xml")
                                  for name in ("to-file", "to-ftp", "to-data", "links")}))
    output = tmp_path / "out"

    assert main(["run", "--config", str(config), "--output", str(output), "--shards", "2", "--force",
                 "--retries", "0", "--full-text"]) == 0

    errors = {row["source_id"]: row for row in read_dataset(output, "errors") if row["stage"] == "fetch"}
    assert {source: row["error_type"] for source, row in errors.items()} == {
        "to-file": "unsupported_scheme", "to-ftp": "unsupported_scheme", "to-data": "invalid_url"}
    assert all("only http and https URLs are fetched" in errors[source]["message"] for source in ("to-file", "to-ftp"))
    assert "Location is not a valid http(s) URL" in errors["to-data"]["message"]  # httpx refuses it first
    articles = read_dataset(output, "articles")
    assert sorted(row["title"] for row in articles) == ["data", "file", "ftp"]
    for row in articles + list(errors.values()):
        assert SECRET not in json.dumps(row, default=str)
    assert sorted(request.path for request in http_server.requests) == sorted(
        ["/to-file.xml", "/to-ftp.xml", "/to-data.xml", "/links.xml"])
    assert os.path.getsize(secret) == len(SECRET)

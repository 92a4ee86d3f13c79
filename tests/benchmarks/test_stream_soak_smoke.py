"""The stream soak benchmark: its feeds change as described and its server honours validators; a short soak
runs end to end, so that it cannot rot (no figure asserted)."""

from __future__ import annotations

import pathlib
import time

import httpx

from benchmarks import stream_soak


def test_feeds_change_over_time_and_the_server_answers_304_to_its_own_validators() -> None:
    started = time.time() - 200  # the server serves the present: six generations on
    feed = stream_soak.SoakFeed(0, seed=1, period_s=30, keep=5, edit_share=0.5, flaky=False, started=started)
    server = stream_soak.SoakServer([feed], timeout_delay_s=0.1)
    server.http.start()
    try:
        feed.advance(started)
        first = [item.key for item in feed.items]
        feed.advance(time.time())  # six more generations: new items, the oldest gone, some edited
        assert len(feed.items) == 5 and feed.items[0].key not in first
        assert any(item.version > 1 for item in feed.items)
        url = server.http.url("/soak-00.xml")
        response = httpx.get(url)
        assert response.status_code == 200 and stream_soak.MARKER.search(response.text)
        again = httpx.get(url, headers={"If-None-Match": response.headers["ETag"]})
        since = httpx.get(url, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    finally:
        server.http.stop()
    assert again.status_code == 304 and since.status_code == 304
    assert server.answers["200"] == 1 and server.answers["304"] == 2
    assert set(server.served) == {item.key for item in feed.items}


def test_a_flaky_feed_fails_in_every_kind_and_each_broken_body_is_its_own() -> None:
    feed = stream_soak.SoakFeed(1, seed=1, period_s=30, keep=5, edit_share=0.0, flaky=True, started=0.0)
    kinds = [feed.failure_at(generation * 30 + 1.0) for generation in range(200)]
    assert set(kinds) == {None, *stream_soak.FAILURE_KINDS}
    assert feed.malformed_body(1) != feed.malformed_body(3) and feed.malformed_body(2) != feed.malformed_body(4)


def test_a_short_soak_runs_and_checks_the_dataset(tmp_path: pathlib.Path) -> None:
    code = stream_soak.main(["--minutes", "0.4", "--feeds", "3", "--flaky", "0", "--sample-s", "4",
                             "--workdir", str(tmp_path / "work"), "--json", str(tmp_path / "soak.json")])
    assert code == 0, (tmp_path / "work" / "stream.log").read_text()[-3000:]
    assert (tmp_path / "soak.json").exists()

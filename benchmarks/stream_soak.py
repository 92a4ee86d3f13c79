"""Soak of ``newsbeam stream``: does a long-running stream stay healthy (memory, descriptors, files, state)?

    python -m benchmarks.stream_soak --minutes 20 --feeds 20

Serves ``--feeds`` generated feeds (RSS 2.0, Atom, RSS 1.0; items as ``benchmarks/generate.py`` writes
them) from a real HTTP server on 127.0.0.1 whose items change over time: new items appear every
``--change-s`` (a quarter of the feeds change more slowly, so that polls also get 304s), items beyond
``--keep`` drop out, some are edited (a new title and body; Atom also a new ``<updated>``), ETag and
Last-Modified are honoured, and ``--flaky`` feeds now and then answer 500, time out or send broken XML for
a while. Then runs ``newsbeam stream`` (``python -m pipeline.cli stream``, in a child process, TMPDIR in the
work directory) against a feeds.toml naming them, polled every 60 s (the shortest interval feeds.toml
allows), and samples the child every ``--sample-s``: resident memory, CPU time, open descriptors, threads,
files and bytes under the output directory by area, the ledger and state databases, the rows DuckDB reads,
and how long each window took (from its log line). After ``--minutes`` it sends SIGTERM, waits for the exit
and checks the dataset: one row per article_id; every item the server ever served in a good body is there
exactly once, as its latest served version; every failure the server injected (and the client saw) has its
error row; nothing is left pending in the ledger or staged.

Prints a table of the samples at the start, middle and end with the growth per poll of each figure, and
writes every sample and check as JSON to ``benchmarks/results/`` (or ``--json``). The work directory (feeds
list, output, the child's log) is kept and named at the end. Linux only (reads ``/proc``). The HTTP server
answers only on 127.0.0.1 and stops with the benchmark; the child is started with ``--stop-after`` a few
minutes past the soak, so it ends by itself if the benchmark dies.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import email.utils
import hashlib
import html
import json
import os
import pathlib
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from benchmarks.generate import Item, _cdata, _iso, _messy_body, _rfc822, _title_markup, _xml, make_item
from tests.http_server import LocalHTTPServer, RecordedRequest, Response

UTC = dt.timezone.utc
POLL_INTERVAL_S = 60  # the shortest poll_interval_s feeds.toml accepts
LANGUAGES = ("en", "ru", "az")
FORMATS = ("rss20", "atom", "rdf")
MARKER = re.compile(r"\[soak (\S+) v(\d+)\]")  # in every served title: which item, which version
MARKER_SQL = r"\[soak (\S+) v(\d+)\]"
FAILURE_KINDS = ("http_500", "timeout", "malformed")
REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


# --- The feeds: items that appear, change and drop out over time -------------------------------------


@dataclasses.dataclass
class SoakItem:
    """One item of a feed and its current version (each edit adds one)."""

    key: str  # "soak-07-000123": in the title marker
    base: Item
    version: int = 1
    edited_at: dt.datetime | None = None


class SoakFeed:
    """One feed's items as time passes: advanced one generation (``period_s``) at a time, deterministically
    by seed, only when asked (so an idle feed costs nothing)."""

    def __init__(self, number: int, seed: int, period_s: float, keep: int, edit_share: float, flaky: bool,
                 started: float) -> None:
        self.number, self.seed, self.period_s, self.keep = number, seed, period_s, keep
        self.edit_share, self.flaky, self.started = edit_share, flaky, started
        self.source_id = f"soak-{number:02d}"
        self.language = LANGUAGES[number % len(LANGUAGES)]
        self.format = FORMATS[number % len(FORMATS)]
        self.phase = (number * 7.3) % period_s  # feeds change at different moments
        self.generation = -1
        self.items: list[SoakItem] = []
        self.made = 0
        self.body = b""
        self.etag = ""
        self.last_modified = ""
        self.lock = threading.Lock()

    def generation_at(self, now: float) -> int:
        return int((now - self.started + self.phase) // self.period_s)

    def advance(self, now: float) -> int:
        """Bring the items to the generation of ``now``; return it."""
        target = self.generation_at(now)
        changed = False
        while self.generation < target:
            self.generation += 1
            self._step(self.generation)
            changed = True
        if changed:
            self.body = self.render()
            self.etag = f'"{hashlib.sha1(self.body).hexdigest()[:20]}"'
            changed_at = self.started - self.phase + self.generation * self.period_s
            self.last_modified = email.utils.formatdate(changed_at, usegmt=True)
        return target

    def _step(self, generation: int) -> None:
        rng = random.Random(f"soak:{self.seed}:{self.number}:{generation}")
        at = dt.datetime.fromtimestamp(self.started - self.phase + generation * self.period_s, UTC)
        for item in self.items:
            if generation and rng.random() < self.edit_share:
                item.version += 1
                item.edited_at = at
        for _ in range(rng.randint(3, 5) if generation == 0 else rng.randint(1, 2)):
            base = make_item(rng, self.made, self.language, self.source_id)
            published = at - dt.timedelta(seconds=rng.randrange(36 * 3600))  # now, or up to 36 h ago: 2-3 days
            key = f"{self.source_id}-{self.made:06d}"
            self.items.append(SoakItem(key, dataclasses.replace(base, published=published)))
            self.made += 1
        self.items = self.items[-self.keep:]

    def failure_at(self, now: float) -> str | None:
        """What a flaky feed does in the generation of ``now``: None (answers well) or a failure kind."""
        if not self.flaky:
            return None
        draw = random.Random(f"soak-fail:{self.seed}:{self.number}:{self.generation_at(now)}").random()
        if draw < 0.10:
            return "http_500"
        if draw < 0.18:
            return "timeout"
        if draw < 0.28:
            return "malformed"
        return None

    def malformed_body(self, generation: int) -> bytes:
        """Broken XML, different for each generation (so each is its own raw body and error row)."""
        if generation % 2:
            return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.source_id} {generation}'
                    '</title>\x00\x01 <<<>>> &&& </channel').encode()
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.source_id}</title>'
                f'<link>https://{self.source_id}.example/</link><item><title>Broken {generation}</tit').encode()

    # rendering: each item with its own random generator, so an item renders the same until it is edited

    def _title(self, item: SoakItem) -> str:
        return f"{item.base.title} [soak {item.key} v{item.version}]"

    def _edited(self, item: SoakItem) -> Item:
        base = item.base
        if item.version == 1:
            return dataclasses.replace(base, title=self._title(item))
        paragraphs = [*base.paragraphs[:-1], f"{base.paragraphs[-1]} (Updated, version {item.version}.)"]
        return dataclasses.replace(base, title=self._title(item), paragraphs=paragraphs)

    def render(self) -> bytes:
        entries = []
        for item in reversed(self.items):  # newest first, as feeds list them
            shown = self._edited(item)
            date_rng = random.Random(f"date:{item.key}")
            body_rng = random.Random(f"body:{item.key}:{item.version}")
            body = _messy_body(shown, body_rng)
            title = _title_markup(shown, body_rng)
            if self.format == "rss20":
                entries.append(
                    f"<item><title>{title}</title><link>{_xml(shown.url)}</link>"
                    f'<guid isPermaLink="false">{shown.guid}</guid><dc:creator>{_xml(shown.author)}</dc:creator>'
                    f"<pubDate>{_rfc822(shown, date_rng)}</pubDate>"
                    + "".join(f"<category>{tag}</category>" for tag in shown.tags)
                    + f"<description>{_cdata('<p>' + html.escape(shown.paragraphs[0], quote=False) + '</p>')}"
                    f"</description><content:encoded>{_cdata(body)}</content:encoded></item>\n")
            elif self.format == "atom":
                updated = item.edited_at or shown.published
                entries.append(
                    f'<entry><title type="html">{_xml(title)}</title>'
                    f'<link rel="alternate" href="{_xml(shown.url)}"/><id>tag:{self.source_id}.example,2026:'
                    f"{shown.guid}</id><published>{_iso(shown, date_rng)}</published>"
                    f"<updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated><author><name>{_xml(shown.author)}</name>"
                    f'</author><summary type="html">{_xml("<p>" + html.escape(shown.paragraphs[0], quote=False))}'
                    f'{_xml("</p>")}</summary><content type="html">{_xml(body)}</content></entry>\n')
            else:
                entries.append(
                    f'<item rdf:about="{_xml(shown.url)}"><title>{title}</title><link>{_xml(shown.url)}</link>'
                    f"<dc:date>{_iso(shown, date_rng)}</dc:date><dc:creator>{_xml(shown.author)}</dc:creator>"
                    f"<description>{_xml(body)}</description></item>\n")
        site = f"https://{self.source_id}.example/"
        if self.format == "rss20":
            return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                    f"<title>{self.source_id}</title><link>{site}</link><description>News</description>"
                    f"<language>{self.language}</language>\n{''.join(entries)}</channel></rss>\n").encode()
        if self.format == "atom":
            return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
                    f'xml:lang="{self.language}"><title>{self.source_id}</title><id>{site}</id>'
                    f'<link rel="alternate" href="{site}"/><updated>{dt.datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}'
                    f"</updated>\n{''.join(entries)}</feed>\n").encode()
        sequence = "".join(f'<rdf:li rdf:resource="{_xml(self._edited(item).url)}"/>' for item in reversed(self.items))
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF '
                'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel rdf:about="{site}rss.rdf">'
                f"<title>{self.source_id}</title><link>{site}</link><description>News</description>"
                f"<dc:language>{self.language}</dc:language><items><rdf:Seq>{sequence}</rdf:Seq></items>"
                f"</channel>\n{''.join(entries)}</rdf:RDF>\n").encode()


class SoakServer:
    """The feeds on a LocalHTTPServer; remembers what it served: the latest version of every item sent in a
    good body, every broken body, every failure."""

    def __init__(self, feeds: list[SoakFeed], timeout_delay_s: float) -> None:
        self.feeds = {f"/{feed.source_id}.xml": feed for feed in feeds}
        self.timeout_delay_s = timeout_delay_s
        self.http = LocalHTTPServer()
        self.lock = threading.Lock()
        self.served: dict[str, int] = {}  # item key -> latest version sent in a 200 with a good body
        self.malformed: dict[str, str] = {}  # sha256 of each broken body sent -> source id
        self.failures: list[tuple[str, str, float]] = []  # (source id, kind, time) of every failed answer
        self.answers: dict[str, int] = {"200": 0, "304": 0, **{kind: 0 for kind in FAILURE_KINDS}}
        for path in self.feeds:
            self.http.route(path, self.answer)

    def answer(self, request: RecordedRequest) -> Response:
        feed = self.feeds[request.path]
        now = time.time()
        with feed.lock:
            generation = feed.advance(now)
            failure = feed.failure_at(now)
            if failure == "http_500":
                self._count(feed, failure, now)
                return Response(status=500, body=b"internal error", headers={"Content-Type": "text/plain"})
            if failure == "timeout":
                self._count(feed, failure, now)
                return Response(status=200, body=b"late", delay_s=self.timeout_delay_s)
            if failure == "malformed":
                body = feed.malformed_body(generation)
                self._count(feed, failure, now)
                with self.lock:
                    self.malformed[hashlib.sha256(body).hexdigest()] = feed.source_id
                return Response(body=body, headers={"Content-Type": "application/rss+xml"})
            headers = {"ETag": feed.etag, "Last-Modified": feed.last_modified,
                       "Content-Type": "application/atom+xml" if feed.format == "atom" else "application/rss+xml"}
            if _not_modified(request.headers, feed.etag, feed.last_modified):
                with self.lock:
                    self.answers["304"] += 1
                return Response(status=304, headers={"ETag": feed.etag, "Last-Modified": feed.last_modified})
            with self.lock:
                self.answers["200"] += 1
                for item in feed.items:
                    self.served[item.key] = max(self.served.get(item.key, 0), item.version)
            return Response(body=feed.body, headers=headers)

    def _count(self, feed: SoakFeed, kind: str, now: float) -> None:
        with self.lock:
            self.answers[kind] += 1
            self.failures.append((feed.source_id, kind, now))


def _not_modified(headers: dict[str, str], etag: str, last_modified: str) -> bool:
    """RFC 9110: If-None-Match decides when sent; else If-Modified-Since."""
    if "if-none-match" in headers:
        return etag in [tag.strip() for tag in headers["if-none-match"].split(",")]
    since = headers.get("if-modified-since")
    if not since:
        return False
    try:
        return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


def write_feeds_toml(path: pathlib.Path, server: SoakServer) -> None:
    lines = ["[defaults]", f"poll_interval_s = {POLL_INTERVAL_S}", ""]
    for route, feed in server.feeds.items():
        lines += ["[[feed]]", f'id = "{feed.source_id}"', f'url = "{server.http.url(route)}"',
                  f'language = "{feed.language}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- Sampling the child -----------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, float]:
    """Resident memory (MiB), threads, open descriptors and CPU seconds of a process, from /proc."""
    fields: dict[str, float] = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "VmRSS":
            fields["rss_mib"] = round(int(value.split()[0]) / 1024, 1)
        elif name == "Threads":
            fields["threads"] = int(value)
    fields["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    fields["cpu_s"] = round((int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK"), 1)
    return fields


def tree_figures(root: pathlib.Path) -> tuple[int, int]:
    """(files, bytes) under ``root`` (0, 0 when missing)."""
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                size += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # renamed away since the listing
            files += 1
    return files, size


def file_bytes(*paths: pathlib.Path) -> int:
    return sum(path.stat().st_size for path in paths if path.exists())


AREAS = {"articles": "articles", "errors": "errors", "raw": "raw", "runs": "_runs",
         "staging": "_state/staging", "article_index": "_state/article_index", "state": "_state"}


def output_figures(output: pathlib.Path, tmpdir: pathlib.Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, relative in AREAS.items():
        figures[f"{name}_files"], figures[f"{name}_bytes"] = tree_figures(output / relative)
    figures["tmpdir_files"], _ = tree_figures(tmpdir)
    figures["tmpdir_entries"] = len(os.listdir(tmpdir)) if tmpdir.exists() else 0
    state = output / "_state"
    figures["ledger_bytes"] = file_bytes(*(state / f"stream_ledger.sqlite{suffix}" for suffix in ("", "-wal", "-shm")))
    figures["feed_state_bytes"] = file_bytes(*(state / f"feeds.sqlite{suffix}" for suffix in ("", "-wal", "-shm")))
    figures.update(ledger_rows(output))
    return figures


def ledger_rows(output: pathlib.Path) -> dict[str, int]:
    path = output / "_state" / "stream_ledger.sqlite"
    if not path.exists():
        return {"ledger_rows": 0, "ledger_pending": 0}
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = dict(connection.execute("SELECT status, count(*) FROM inputs GROUP BY status").fetchall())
        finally:
            connection.close()
    except sqlite3.Error:
        return {}
    return {"ledger_rows": sum(rows.values()), "ledger_pending": rows.get("pending", 0)}


def duckdb_rows(output: pathlib.Path, attempts: int = 3) -> dict[str, int]:
    """Rows DuckDB reads from the datasets (retried: a file can be renamed between listing and reading)."""
    import duckdb

    from pipeline.duckdb_paths import duckdb_glob

    figures: dict[str, int] = {}
    for dataset, key in (("articles", "article_id"), ("errors", "error_id")):
        if not any((output / dataset).glob("date=*/*.parquet")):
            figures[f"{dataset}_rows"] = figures[f"{dataset}_ids"] = 0
            continue
        pattern = duckdb_glob(output / dataset)
        for attempt in range(attempts):
            try:
                rows, ids = duckdb.sql(f"SELECT count(*), count(DISTINCT {key}) FROM read_parquet('{pattern}', "
                                       "hive_partitioning = false)").fetchall()[0]
                figures[f"{dataset}_rows"], figures[f"{dataset}_ids"] = rows, ids
                break
            except duckdb.Error:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)
    return figures


WINDOW_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) WARNING newsbeam\.stream: window (\d+): "
                         r"inputs (\d+), written (\d+), errors (\d+), pending (\d+), lag ([\d.]+) s")


def window_durations(log: pathlib.Path, manifest: pathlib.Path, starts: dict[int, str]) -> list[dict[str, Any]]:
    """Each logged window with how long it took: its log line's time less its start (the manifest's ``at``;
    the manifest keeps the last 200 windows, so ``starts`` collects them across samples)."""
    try:
        for line in json.loads(manifest.read_text())["windows"]:
            starts[line["window"]] = line["at"]
    except (OSError, ValueError, KeyError):
        pass
    windows = []
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        match = WINDOW_LINE.match(line)
        if not match or int(match.group(2)) not in starts:
            continue
        logged = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone()
        started = dt.datetime.fromisoformat(starts[int(match.group(2))])
        windows.append({"window": int(match.group(2)), "at_s": started.timestamp(),
                        "took_s": round((logged - started).total_seconds(), 2), "inputs": int(match.group(3)),
                        "written": int(match.group(4)), "errors": int(match.group(5)), "pending": int(match.group(6))})
    return windows


def sample(pid: int, output: pathlib.Path, tmpdir: pathlib.Path, started: float) -> dict[str, Any]:
    row: dict[str, Any] = {"t_s": round(time.time() - started, 1)}
    row.update(proc_status(pid))
    row.update(output_figures(output, tmpdir))
    try:
        row.update(duckdb_rows(output))
    except Exception as error:  # noqa: BLE001 - a reading failure is a finding, not a crash of the benchmark
        row["duckdb_error"] = str(error)[:300]
    return row


# --- The checks at the end --------------------------------------------------------------------------


def check_dataset(output: pathlib.Path, server: SoakServer, fetch_deadline_s: float) -> dict[str, Any]:
    """One row per article_id; every served item once, at its latest version; an error row per failure."""
    import duckdb

    from pipeline.duckdb_paths import duckdb_glob

    articles = duckdb_glob(output / "articles")
    errors = duckdb_glob(output / "errors")
    rows, ids = duckdb.sql(f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{articles}', "
                           "hive_partitioning = false)").fetchall()[0]
    found = duckdb.sql(
        f"SELECT regexp_extract(title, '{MARKER_SQL}', 1) AS item, "
        f"CAST(regexp_extract(title, '{MARKER_SQL}', 2) AS INTEGER) AS version, count(*) OVER (PARTITION BY item) "
        f"FROM read_parquet('{articles}', hive_partitioning = false)").fetchall()
    by_item: dict[str, list[int]] = {}
    unmarked = 0
    for item, version, _ in found:
        if not item:
            unmarked += 1
            continue
        by_item.setdefault(item, []).append(version)
    served = dict(server.served)
    missing = sorted(key for key in served if key not in by_item)
    twice = sorted(key for key, versions in by_item.items() if len(versions) > 1)
    stale = sorted(key for key, versions in by_item.items() if key in served and max(versions) != served[key])
    never_served = sorted(key for key in by_item if key not in served)

    error_rows = duckdb.sql(
        f"SELECT source_id, stage, error_type, raw_sha256, epoch(occurred_at) FROM read_parquet('{errors}', "
        "hive_partitioning = false)").fetchall() if any((output / "errors").glob("date=*/*.parquet")) else []
    error_shas = {row[3] for row in error_rows if row[3]}
    malformed_missing = sorted(sha for sha in server.malformed if sha not in error_shas)
    # 500s and timeouts: a fetch error row per (feed, kind, day), its time that of the last such poll. A
    # poll is the requests of one feed less than 20 s apart (a retry follows within the deadline); it
    # failed when its last answer did (a retry in the next generation may have got a good body).
    last_answer: dict[str, float] = {}
    polls_failed: dict[tuple[str, str, str], float] = {}
    for source_id, kind, at in sorted(server.failures, key=lambda failure: failure[2]):
        if kind != "malformed":
            day = dt.datetime.fromtimestamp(at, UTC).date().isoformat()
            polls_failed[(source_id, kind, day)] = at
        last_answer[source_id] = at
    fetch_rows: dict[tuple[str, str, str], float] = {}
    wanted_type = {"http_500": "http_status", "timeout": "timeout"}
    for source_id, stage, error_type, _, occurred in error_rows:
        if stage != "fetch":
            continue
        day = dt.datetime.fromtimestamp(occurred, UTC).date().isoformat()
        for kind, error_name in wanted_type.items():
            if error_type == error_name:
                fetch_rows[(source_id, kind, day)] = max(fetch_rows.get((source_id, kind, day), 0), occurred)
    failed_kinds = {(source_id, kind, day) for source_id, kind, day in polls_failed}
    fetch_missing = sorted(f"{source_id} {kind} {day}" for source_id, kind, day in failed_kinds
                           if (source_id, kind, day) not in fetch_rows)
    # the row's time is its poll's start, at most the fetch deadline (plus the window's other feeds) before
    # the last failed answer; a row far older means a later failure of that kind was lost
    fetch_late = sorted(f"{source_id} {kind} {day}: row at {fetch_rows[(source_id, kind, day)]:.0f}, last {at:.0f}"
                        for (source_id, kind, day), at in polls_failed.items()
                        if (source_id, kind, day) in fetch_rows
                        and at - fetch_rows[(source_id, kind, day)] > fetch_deadline_s + 30)
    return {
        "article_rows": rows, "article_ids": ids, "duplicate_rows": rows - ids,
        "items_served": len(served), "items_found": len(by_item), "items_missing": len(missing),
        "items_twice": len(twice), "items_not_latest": len(stale), "items_never_served": len(never_served),
        "rows_without_marker": unmarked, "edited_items_served": sum(1 for version in served.values() if version > 1),
        "examples": {"missing": missing[:5], "twice": twice[:5], "not_latest": [
            f"{key}: v{max(by_item[key])} written, v{served[key]} served" for key in stale[:5]],
            "never_served": never_served[:5], "fetch_missing": fetch_missing[:5], "fetch_late": fetch_late[:5]},
        "malformed_served": len(server.malformed), "malformed_without_error_row": len(malformed_missing),
        "fetch_failure_groups": len(failed_kinds), "fetch_failure_groups_without_row": len(fetch_missing),
        "fetch_failure_rows_older_than_last_failure": len(fetch_late),
        "error_rows": len(error_rows),
    }


# --- The run ----------------------------------------------------------------------------------------


def trend(samples: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """Start (first sample after the first poll), middle and end of one figure, and its growth per poll
    over the second half (least squares), so that start-up does not count as growth."""
    points = [(row["t_s"], row[name]) for row in samples if isinstance(row.get(name), (int, float))]
    if len(points) < 3:
        return None
    half = points[len(points) // 2:]
    slope = 0.0
    if len(half) >= 2:
        mean_t = statistics.fmean(t for t, _ in half)
        mean_v = statistics.fmean(v for _, v in half)
        spread = sum((t - mean_t) ** 2 for t, _ in half)
        slope = sum((t - mean_t) * (v - mean_v) for t, v in half) / spread if spread else 0.0
    return {"start": points[0][1], "middle": points[len(points) // 2][1], "end": points[-1][1],
            "per_poll": round(slope * POLL_INTERVAL_S, 3)}


def window_phases(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median time of the windows that read inputs, in the first, middle and last third of the soak."""
    busy = [window for window in windows if window["inputs"]]
    if len(busy) < 3:
        return {}
    third = len(busy) // 3
    phases = {"first": busy[:third], "middle": busy[third:2 * third], "last": busy[2 * third:]}
    return {name: {"windows": len(group), "median_s": round(statistics.median(w["took_s"] for w in group), 2),
                   "max_s": max(w["took_s"] for w in group),
                   "inputs_per_window": round(statistics.fmean(w["inputs"] for w in group), 1)}
            for name, group in phases.items()}


TABLE = ("rss_mib", "fds", "threads", "cpu_s", "articles_files", "articles_bytes", "errors_files", "raw_files",
         "raw_bytes", "runs_files", "staging_files", "state_files", "article_index_bytes", "ledger_rows",
         "ledger_bytes", "feed_state_bytes", "tmpdir_entries", "articles_rows", "articles_ids", "errors_rows")


def run_soak(args: argparse.Namespace) -> dict[str, Any]:
    work = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="newsbeam-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    output, tmpdir, log = work / "out", work / "tmp", work / "stream.log"
    tmpdir.mkdir(exist_ok=True)
    started = time.time()
    feeds = [SoakFeed(number, args.seed, args.change_s * (5 if number % 4 == 3 else 1), args.keep, args.edit_share,
                      number < args.flaky, started) for number in range(args.feeds)]
    server = SoakServer(feeds, timeout_delay_s=args.timeout * 2)
    server.http.start()
    config = work / "feeds.toml"
    write_feeds_toml(config, server)
    command = [sys.executable, "-m", "pipeline.cli", "stream", "--config", str(config), "--output", str(output),
               "--window", f"{args.window}s", "--timeout", str(args.timeout), "--deadline", str(args.deadline),
               "--retries", "1", "--run-id", "soak", "--stop-after", f"{args.minutes * 60 + 300}s", *args.extra]
    print(f"work directory {work}\n{' '.join(command)}", flush=True)
    samples: list[dict[str, Any]] = []
    starts: dict[int, str] = {}
    with open(log, "w") as log_file:
        child = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPOSITORY,
                                 env={**os.environ, "TMPDIR": str(tmpdir)})
        try:
            end = started + args.minutes * 60
            while time.time() < end and child.poll() is None:
                time.sleep(max(0.0, min(args.sample_s, end - time.time())))
                if child.poll() is not None:
                    break
                samples.append(sample(child.pid, output, tmpdir, started))
                row = samples[-1]
                print(f"{row['t_s']:7.0f}s rss {row.get('rss_mib')} MiB, fds {row.get('fds')}, threads "
                      f"{row.get('threads')}, cpu {row.get('cpu_s')} s, articles {row.get('articles_rows')}, "
                      f"errors {row.get('errors_rows')}, ledger {row.get('ledger_rows')}", flush=True)
            stop_sent = time.monotonic()
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
            exit_code = child.wait(timeout=args.deadline * 3 + 120)
            stopped_in_s = round(time.monotonic() - stop_sent, 1)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            server.http.stop()
    windows = window_durations(log, output / "_runs" / "soak.json", starts)
    checks = check_dataset(output, server, args.deadline)
    final = output_figures(output, tmpdir)
    checks.update(exit_code=exit_code, stopped_in_s=stopped_in_s, ledger_pending_at_end=final.get("ledger_pending"),
                  staging_files_at_end=final["staging_files"], tmpdir_entries_at_end=final["tmpdir_entries"],
                  temp_files_in_datasets=sum(1 for dataset in ("articles", "errors")
                                             for path in (output / dataset).rglob("*") if path.name.startswith(".")))
    return {
        "command": " ".join(["python -m benchmarks.stream_soak", *sys.argv[1:]]),
        "stream_command": command, "work_directory": str(work), "started_at": dt.datetime.fromtimestamp(started, UTC)
        .isoformat(), "minutes": args.minutes, "feeds": args.feeds, "flaky": args.flaky,
        "load_average": os.getloadavg(), "answers": server.answers, "samples": samples, "windows": windows,
        "trends": {name: trend(samples, name) for name in TABLE},
        "window_phases": window_phases(windows), "checks": checks,
    }


def print_report(result: dict[str, Any]) -> None:
    print(f"\nanswers: {result['answers']}")
    print(f"{'figure':<22} {'start':>12} {'middle':>12} {'end':>12} {'per poll (2nd half)':>20}")
    for name, figures in result["trends"].items():
        if figures:
            print(f"{name:<22} {figures['start']:>12} {figures['middle']:>12} {figures['end']:>12} "
                  f"{figures['per_poll']:>20}")
    print("windows that read inputs (median / max seconds):")
    for phase, figures in result["window_phases"].items():
        print(f"  {phase:<7} {figures['windows']:>4} windows, {figures['median_s']} / {figures['max_s']} s, "
              f"{figures['inputs_per_window']} inputs each")
    print("checks:")
    for name, value in result["checks"].items():
        print(f"  {name}: {value}")


def healthy(checks: dict[str, Any]) -> bool:
    return (checks["duplicate_rows"] == 0 and checks["items_missing"] == 0 and checks["items_twice"] == 0
            and checks["items_not_latest"] == 0 and checks["malformed_without_error_row"] == 0
            and checks["fetch_failure_groups_without_row"] == 0 and checks["ledger_pending_at_end"] == 0
            and checks["staging_files_at_end"] == 0 and checks["exit_code"] == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--flaky", type=int, default=2, help="feeds that sometimes fail (500, timeout, broken XML)")
    parser.add_argument("--change-s", type=float, default=30.0, help="a feed's items change this often")
    parser.add_argument("--keep", type=int, default=20, help="items a feed lists at once")
    parser.add_argument("--edit-share", type=float, default=0.03, help="chance an item is edited per change")
    parser.add_argument("--window", type=float, default=10.0, help="the stream's --window in seconds")
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=3.0,
                        help="the stream's --timeout (a timeout answer waits twice this)")
    parser.add_argument("--deadline", type=float, default=15.0, help="the stream's --deadline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="kept after the run (default: a new temporary directory, also kept)")
    parser.add_argument("--json", help="where to write the results (default benchmarks/results/stream_soak-*.json)")
    parser.add_argument("extra", nargs="*", help="more arguments for newsbeam stream (after --)")
    args = parser.parse_args(argv)
    result = run_soak(args)
    print_report(result)
    path = pathlib.Path(args.json) if args.json else (
        REPOSITORY / "benchmarks" / "results" / f"stream_soak-{time.strftime('%Y%m%dT%H%M%S')}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, default=str))
    print(f"results {path}\nwork directory {result['work_directory']}")
    return 0 if healthy(result["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())

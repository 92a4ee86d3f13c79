"""Full-text benchmark: fetch 2,000 article pages from 20 local hosts politely, then extract them.

One command: ``python -m benchmarks.full_text_fetch`` (``--hosts 20 --pages 2000 --rate 1.0 --per-host 2``,
``--pipeline`` to also run the Beam pipeline over the result). It

1. starts ``--hosts`` HTTP servers on 127.0.0.2, 127.0.0.3, ... (each its own host for the per-host
   limits), each serving a feed of teasers and its share of generated article pages (navigation, ads,
   comments, JSON-LD: ``benchmarks.generate.render_page``), and no robots.txt (404: all allowed). The
   servers run in a process of their own, so that they neither slow the fetching down nor stamp
   arrival times late while the fetching process holds the GIL;
2. fetches the feeds and then the pages exactly as ``newsbeam run --full-text`` does
   (``fetch_configured_feeds`` then ``page_fetch.fetch_pages``), and reports pages/s and, from the
   servers' request logs, the smallest gap between two requests to one host (the rate limit, checked);
3. extracts every page as the pipeline does (parse the feed, clean, ``attach_full_text``), in this
   process, timing the extraction alone, and reports its share of fetch + extraction;
4. with ``--pipeline``, runs the whole Beam pipeline (FnApiRunner) over the fetched feeds and reports its
   wall time and the body statuses it counted.

At the default rate (1 request/s per host) the fetch is bound by politeness: 20 hosts give at most about
20 pages/s whatever the machine. Run with ``--rate 1000`` to see what the fetching machinery itself does.
The figures are printed and written as JSON to ``--json`` if given; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import multiprocessing
import pathlib
import random
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.generate import make_item, render_page
from pipeline.feed_config import FeedConfig
from pipeline.fetch_feeds import fetch_configured_feeds
from pipeline.http_fetch import FetchSettings
from pipeline.page_fetch import fetch_pages, page_settings_from
from tests.http_server import LocalHTTPServer, Response
from transforms.full_text import attach_full_text
from transforms.html_cleaning import clean_article
from transforms.parsing import parse_document
from transforms.settings import TransformSettings

HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def start_hosts(hosts: int, pages: int, seed: int) -> list[LocalHTTPServer]:
    """``hosts`` servers on 127.0.0.2.., each with /feed.xml and /news/<n> pages, ``pages`` in all."""
    rng = random.Random(seed)
    servers = []
    for host in range(hosts):
        server = LocalHTTPServer(f"127.0.0.{host + 2}").start()
        items = []
        for number in range(host, pages, hosts):
            item = make_item(rng, number, language="en")
            server.route(f"/news/{number}", Response(body=render_page(item, rng).encode(), headers=HTML_HEADERS))
            items.append((number, item))
        server.route("/feed.xml", Response(body=_feed(server, items), headers={"Content-Type": "application/rss+xml"}))
        servers.append(server)
    return servers


def _feed(server: LocalHTTPServer, items: list[tuple[int, Any]]) -> bytes:
    """An RSS feed of teasers (the first sentence of each story) linking to the server's pages."""
    entries = "".join(
        f"<item><guid isPermaLink='false'>{item.guid}</guid><link>{server.url(f'/news/{number}')}</link>"
        f"<title>{html.escape(item.title)}</title>"
        f"<pubDate>{item.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        f"<description>{html.escape(item.paragraphs[0].split('. ')[0])}.</description></item>"
        for number, item in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{server.address}</title>"
            f"<link>{server.url('/')}</link>{entries}</channel></rss>").encode()


def serve(hosts: int, pages: int, seed: int, connection: Connection) -> None:
    """The servers' process: start them, send their (address, port), serve until told to stop, then send
    back each server's request arrival times (robots.txt and pages)."""
    servers = start_hosts(hosts, pages, seed)
    connection.send([(server.address, server.port) for server in servers])
    connection.recv()
    connection.send([[request.received_at for request in server.requests if request.path != "/feed.xml"]
                     for server in servers])
    for server in servers:
        server.stop()


def _gaps_under(arrivals: list[list[float]], interval_s: float) -> str:
    """How many gaps between two requests to one host were shorter than the interval (server clock)."""
    gaps = [later - earlier for times in arrivals for earlier, later in zip(sorted(times), sorted(times)[1:])]
    short = [gap for gap in gaps if gap < interval_s]
    return f"{len(short)} of {len(gaps)}" + (f" (shortest {min(short) / interval_s:.1%} of it)" if short else "")


def smallest_gap_s(arrivals: list[float]) -> float:
    """The shortest time between two requests to one server."""
    times = sorted(arrivals)
    return min((later - earlier for earlier, later in zip(times, times[1:])), default=float("inf"))


def extract_all(documents: list[dict[str, Any]], pages: dict[str, dict[str, Any]],
                settings: TransformSettings) -> tuple[float, float, Counter[str]]:
    """Parse and clean every item, then attach its page: (seconds parsing+cleaning, seconds extracting, statuses)."""
    parse_clean_s = extract_s = 0.0
    statuses: Counter[str] = Counter()
    for document in documents:
        started = time.perf_counter()
        drafts = parse_document({**document, "pages": pages.get(document["raw_path"], {})})
        cleaned = [clean_article(draft, settings) for draft in drafts if draft.get("kind") == "article"]
        middle = time.perf_counter()
        for article in cleaned:
            statuses[attach_full_text(article, settings)["body_status"]] += 1
        parse_clean_s += middle - started
        extract_s += time.perf_counter() - middle
    return parse_clean_s, extract_s, statuses


def run_pipeline_over(output: pathlib.Path, documents: list[dict[str, Any]],
                      pages: dict[str, dict[str, Any]]) -> tuple[float, dict[str, int]]:
    """The Beam pipeline over the fetched feeds (as ``newsbeam run`` hands them over): (seconds, statuses)."""
    from pipeline.execution import run_pipeline
    from pipeline.options import RunOptions
    from pipeline.scheduled_run import input_for_raw

    options = RunOptions(mode="run", inputs=("benchmark",), output_dir=str(output), run_id="benchmark-full-text")
    inputs = [input_for_raw(document, pages.get(document["raw_path"])) for document in documents]
    started = time.perf_counter()
    manifest = run_pipeline(options, inputs)
    return time.perf_counter() - started, manifest["counts"]["body_status"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1.0, help="requests per second per host")
    parser.add_argument("--per-host", type=int, default=2, help="requests at once per host")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pipeline", action="store_true", help="also run the Beam pipeline over the result")
    parser.add_argument("--json", type=pathlib.Path, help="write the figures here")
    args = parser.parse_args(argv)

    context = multiprocessing.get_context("spawn")
    connection, child_end = context.Pipe()
    servers = context.Process(target=serve, args=(args.hosts, args.pages, args.seed, child_end), daemon=True)
    servers.start()
    addresses = connection.recv()
    figures: dict[str, Any] = {"hosts": args.hosts, "pages": args.pages, "rate_per_host": args.rate,
                               "per_host": args.per_host}
    try:
        with tempfile.TemporaryDirectory(prefix="newsbeam-full-text-") as directory:
            output = pathlib.Path(directory)
            now = dt.datetime.now(dt.timezone.utc)
            feeds = [FeedConfig(source_id=f"host{number}", url=f"http://{address}:{port}/feed.xml", full_text=True)
                     for number, (address, port) in enumerate(addresses)]
            fetch_settings = FetchSettings(per_host_concurrency=args.per_host)
            started = time.perf_counter()
            outcome = fetch_configured_feeds(feeds, output, fetch_settings, now, force=True)
            feeds_s = time.perf_counter() - started
            settings = page_settings_from(fetch_settings, requests_per_second=args.rate, allow_private_addresses=True,
                                          time_budget_s=3600.0)
            started = time.perf_counter()
            page_outcome = fetch_pages(outcome.raw_documents, lambda source_id: True, output, settings, now)
            fetch_s = time.perf_counter() - started
            connection.send("stop")
            arrivals = connection.recv()
            documents = [dict(document) for document in outcome.raw_documents]
            parse_clean_s, extract_s, statuses = extract_all(documents, page_outcome.pages, TransformSettings())
            figures.update({
                "feeds_fetch_s": round(feeds_s, 3), "page_fetch_s": round(fetch_s, 3),
                "pages_fetched": page_outcome.counts["fetched"],
                "fetch_pages_per_s": round(page_outcome.counts["fetched"] / fetch_s, 1),
                "ceiling_pages_per_s": round(args.hosts * args.rate, 1),
                "smallest_gap_per_host_s": round(min(smallest_gap_s(times) for times in arrivals), 4),
                "gaps_under_interval": _gaps_under(arrivals, 1.0 / args.rate),
                "parse_clean_s": round(parse_clean_s, 3), "extract_s": round(extract_s, 3),
                "extract_pages_per_s": round(sum(statuses.values()) / extract_s, 1),
                "extraction_share": round(extract_s / (fetch_s + extract_s), 3),
                "extraction_share_of_processing": round(extract_s / (parse_clean_s + extract_s), 3),
                "end_to_end_pages_per_s": round(page_outcome.counts["fetched"] / (fetch_s + parse_clean_s + extract_s), 1),
                "body_status": dict(statuses), "page_counts": page_outcome.counts,
            })
            if args.pipeline:
                pipeline_s, pipeline_statuses = run_pipeline_over(output, documents, page_outcome.pages)
                figures.update({"pipeline_s": round(pipeline_s, 3), "pipeline_body_status": pipeline_statuses,
                                "extraction_share_of_pipeline": round(extract_s / pipeline_s, 3)})
    finally:
        servers.terminate()
    _print(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return 0


def _print(figures: dict[str, Any]) -> None:
    rows = [(key.replace("_", " "), value) for key, value in figures.items()]
    width = max(len(label) for label, _ in rows)
    print("\n".join(f"{label:<{width}}  {value}" for label, value in rows))


if __name__ == "__main__":
    sys.exit(main())

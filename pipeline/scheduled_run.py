"""``newsbeam run``: the cron job. Fetch every configured feed that is due, once, then ingest what came.

Fetching happens in the driver, before the Beam pipeline: per-feed state (validators, backoff) and
per-host politeness need one place that sees every request, and a scheduled run fetches at most a few
thousand feeds. Every fetched body lands in the raw zone first; the pipeline then reads the raw zone
files, so the same chain as ``ingest`` and ``backfill`` does the rest, and a failed run can be redone
from raw alone. Fetch failures are error records in the same stream as everything else.

With full text (``--full-text``, or ``full_text = true`` on a feed) the linked page of each new or changed
item is fetched too, in the driver, between the feeds and the pipeline (``pipeline/page_fetch.py``); the
pages travel to the pipeline inside each feed's input (``InputFile.pages``). See docs/full-text.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from pipeline.argument_types import non_negative_int, positive_float, positive_int
from pipeline.feed_config import ConfigError, FeedConfig, feeds_to_toml, load_feeds_toml, load_opml
from pipeline.http_fetch import FetchSettings
from pipeline.sources import InputFile
from transforms.records import SITEMAP_INDEX_FIELDS, ErrorRecord, PageInfo, RawDocument

if TYPE_CHECKING:
    from pipeline.fetch_feeds import FetchOutcome
    from pipeline.page_fetch import PageFetchOutcome, PageFetchSettings

MEBIBYTE = 1024 * 1024


def add_run_parser(commands: Any, add_run_arguments: Any) -> None:
    """``newsbeam run`` and ``newsbeam feeds import-opml``."""
    run = commands.add_parser("run", help="fetch the configured feeds once and ingest what is new (cron)")
    sources = run.add_mutually_exclusive_group(required=True)
    sources.add_argument("--config", help="feeds.toml")
    sources.add_argument("--opml", help="an OPML subscription list")
    run.add_argument("--force", action="store_true", help="fetch every feed, due or not")
    add_fetch_arguments(run)
    add_full_text_arguments(run)
    add_run_arguments(run)
    feeds = commands.add_parser("feeds", help="manage the feed list")
    feed_commands = feeds.add_subparsers(dest="feeds_command", required=True)
    import_opml = feed_commands.add_parser("import-opml", help="convert an OPML file to feeds.toml")
    import_opml.add_argument("opml")
    import_opml.add_argument("--output", "-o", default="-", help="TOML file to write (default: stdout)")


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """The fetch limits of ``run`` and ``stream`` (``fetch_settings_from`` reads them)."""
    parser.add_argument("--max-feed-mb", type=positive_float, default=20.0, help="larger bodies are cut and refused")
    parser.add_argument("--timeout", type=positive_float, default=30.0, metavar="SECONDS", help="read timeout")
    parser.add_argument("--deadline", type=positive_float, default=60.0, metavar="SECONDS",
                        help="whole fetch, retries included")
    parser.add_argument("--retries", type=non_negative_int, default=3)
    parser.add_argument("--per-host", type=positive_int, default=2, help="requests at once per host")
    parser.add_argument("--user-agent", default=FetchSettings.user_agent)


def add_full_text_arguments(parser: argparse.ArgumentParser) -> None:
    """The full-text options of ``run`` and ``stream`` (see docs/full-text.md)."""
    parser.add_argument("--full-text", action="store_true",
                        help="fetch the linked page of every new or changed item (per feed: full_text = true)")
    parser.add_argument("--page-rate", type=positive_float, default=1.0, metavar="PER_SECOND",
                        help="page requests per second per host, default 1 (a slower Crawl-delay wins)")
    parser.add_argument("--page-budget", type=positive_float, default=600.0, metavar="SECONDS",
                        help="pages a host cannot serve within this time at its rate wait for the next round")
    parser.add_argument("--allow-private-addresses", action="store_true",
                        help="fetch item pages on loopback/private addresses too (off: feeds are strangers' input)")


def fetch_settings_from(args: argparse.Namespace) -> FetchSettings:
    """Fetch settings from the ``run`` arguments."""
    return FetchSettings(
        timeout_read_s=args.timeout, total_deadline_s=args.deadline, max_bytes=int(args.max_feed_mb * MEBIBYTE),
        max_retries=args.retries, per_host_concurrency=args.per_host, user_agent=args.user_agent,
    )


def input_for_raw(document: RawDocument, pages: dict[str, PageInfo] | None = None) -> InputFile:
    """The pipeline input of a fetched body: its raw-zone file plus the fetch's provenance (and, with
    full text, its items' pages). Its ``uri`` is where the body came from (after redirects; a sitemap fetched
    for an index at the feed URL, its own), as the raw zone keeps it: a backfill of the raw zone reads the same.
    Relative links resolve against it (``identity.fetched_url``)."""
    followed = {key: document[key] for key in SITEMAP_INDEX_FIELDS if document.get(key)}
    return InputFile(
        path=document["raw_path"], source_id=document["source_id"], feed_url=document.get("feed_url"),
        language_hint=document.get("language_hint"), tags=list(document.get("tags") or []),
        fetched_at=document["fetched_at"].isoformat(), http_status=document.get("http_status"),
        etag=document.get("etag"), last_modified=document.get("last_modified"),
        content_type=document.get("content_type"), expected_type="feed", **({"pages": pages} if pages else {}),
        **({"time_options": document["time_options"]} if document.get("time_options") else {}),
        **({"quality_flags": list(document["quality_flags"])} if document.get("quality_flags") else {}),
        **followed, **({"uri": document["uri"]} if document.get("uri") else {}),
    )


def input_for_error(error: ErrorRecord) -> InputFile:
    """A fetch failure, carried into the pipeline so it lands in the dead letter with the rest."""
    return InputFile(path=error.get("uri") or "", container="failed_fetch", members=[error])


def load_feed_list(args: argparse.Namespace) -> list[FeedConfig]:
    """The feeds of ``--config`` or ``--opml``."""
    return load_feeds_toml(args.config) if args.config else load_opml(args.opml)


def command_run(args: argparse.Namespace, beam_args: list[str]) -> int:
    """``newsbeam run --config feeds.toml --output DIR``."""
    from pipeline.cli import exit_code, run_options_from
    from pipeline.execution import run_pipeline
    from pipeline.locking import output_lock
    from pipeline.run_summary import format_summary, utc_now

    try:
        feeds = load_feed_list(args)
    except ConfigError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 2
    options = run_options_from(args, "run", [args.config or args.opml], beam_args)
    with output_lock(options.output_dir, options.lock_wait_s):
        fetched = fetch_round(feeds, options.output_dir, fetch_settings_from(args), full_text_settings_from(args),
                              utc_now(), force=args.force)
        inputs = [descriptor for _, descriptor in fetched.raw_inputs() + fetched.error_inputs()]
        extra = {"fetch": fetched.feeds.counts, "sitemaps": fetched.feeds.sitemap_counts,
                 "skipped_feeds": skipped_feeds(fetched.feeds)}
        if fetched.pages is not None:
            extra["pages"] = fetched.pages.counts
        manifest = run_pipeline(options, inputs, extra, hold_lock=False)
        fetched.save_feed_state(options.output_dir)  # the bodies' items are written: now poll them conditionally
    print(format_summary(manifest))
    for line in backoff_lines(manifest["skipped_feeds"]):
        print(line)
    if not feeds:
        return 1
    # read, with nothing new: processed
    answered_not_modified = fetched.feeds.counts["not_modified"] + fetched.feeds.sitemap_counts["not_modified"] > 0
    if not inputs or (answered_not_modified and not options.fail_on_error):
        return 0
    return exit_code(manifest, options.fail_on_error)


def skipped_feeds(outcome: FetchOutcome) -> list[dict[str, Any]]:
    """The feeds a round did not fetch, for the manifest: why, until when, and their failures."""
    return [dataclasses.asdict(item) for item in outcome.skipped]


def backoff_lines(skipped: list[dict[str, Any]]) -> list[str]:
    """One line per feed backing off, for the end of the summary: until when, after what."""
    kinds = {"content": " (the last a 200 that gave no article)"}
    return [f"  backing off {item['source_id']} until {item['until']:%Y-%m-%d %H:%M}Z after "
            f"{_failures(item['consecutive_failures'])}{kinds.get(item.get('failure_kind') or '', '')}: "
            f"{item['last_error']}" for item in skipped if item["reason"] == "backoff"]


def _failures(count: int) -> str:
    return "1 failure" if count == 1 else f"{count} failures in a row"


@dataclasses.dataclass(frozen=True)
class FullTextSettings:
    """Which feeds get their items' pages (``--full-text``: all; else those with ``full_text = true``), and how."""

    every_feed: bool
    pages: PageFetchSettings

    def wanted(self, feeds: list[FeedConfig]) -> set[str]:
        """Source ids of the feeds whose items' pages are fetched."""
        return {feed.source_id for feed in feeds if feed.full_text or self.every_feed}


def full_text_settings_from(args: argparse.Namespace) -> FullTextSettings:
    """Full-text settings from the ``run`` / ``stream`` arguments."""
    from pipeline.page_fetch import page_settings_from

    pages = page_settings_from(fetch_settings_from(args), requests_per_second=args.page_rate,
                               allow_private_addresses=args.allow_private_addresses, time_budget_s=args.page_budget)
    return FullTextSettings(every_feed=args.full_text, pages=pages)


@dataclasses.dataclass
class FetchRound:
    """One round of fetching in the driver: the feeds that were due, then their items' pages."""

    feeds: FetchOutcome
    pages: PageFetchOutcome | None  # None when no feed wants full text

    def raw_inputs(self) -> list[tuple[RawDocument, InputFile]]:
        """Each fetched body with its pipeline input (carrying its items' pages)."""
        pages = self.pages.pages if self.pages is not None else {}
        return [(document, input_for_raw(document, pages.get(document["raw_path"])))
                for document in self.feeds.raw_documents]

    def error_inputs(self) -> list[tuple[ErrorRecord, InputFile]]:
        """Each fetch failure with the pipeline input that carries it to the dead letter."""
        return [(error, input_for_error(error)) for error in self.feeds.errors]

    def save_feed_state(self, output_dir: str) -> None:
        """Save the state of the feeds that gave a body (validators, next poll): call once their items are
        written, or queued where a restart finds them (``pipeline/fetch_feeds.py``)."""
        from pipeline.fetch_feeds import save_held_state

        save_held_state(self.feeds, output_dir)


def fetch_round(feeds: list[FeedConfig], output_dir: str, fetch_settings: FetchSettings,
                full_text: FullTextSettings | None, now: dt.datetime, *, force: bool = False) -> FetchRound:
    """Fetch the feeds that are due, then the pages of the items of those that want full text; ``run``
    does this once, ``stream`` once per window (one politeness, one ledger, raw zone first). The state of
    the feeds that gave a body waits for ``FetchRound.save_feed_state``."""
    from pipeline.fetch_feeds import fetch_configured_feeds
    from pipeline.page_fetch import fetch_pages

    outcome = fetch_configured_feeds(feeds, output_dir, fetch_settings, now, force=force, hold_body_state=True)
    wanted = full_text.wanted(feeds) if full_text is not None else set()
    if not wanted:
        return FetchRound(feeds=outcome, pages=None)
    return FetchRound(feeds=outcome, pages=fetch_pages(outcome.raw_documents, wanted.__contains__, output_dir,
                                                       full_text.pages, now))


def command_feeds(args: argparse.Namespace, beam_args: list[str]) -> int:
    """``newsbeam feeds import-opml FILE [-o feeds.toml]``."""
    if beam_args:  # it runs no pipeline: an argument it does not know is a mistake, not a Beam option
        print(f"newsbeam feeds: unknown arguments {' '.join(beam_args)}", file=sys.stderr)
        return 2
    try:
        toml_text = feeds_to_toml(load_opml(args.opml))
    except ConfigError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.write(toml_text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(toml_text)
    return 0

"""Real-world sweep: the pipeline over the shared corpora, every input accounted for, feeds checked against feedparser.

One command: ``python -m benchmarks.corpus_sweep [CORPORA_DIR]`` (default ``../shared/corpora``; ``--only
NAME`` for one corpus). For each corpus folder it

1. runs the real CLI (``newsbeam ingest``, or ``newsbeam backfill`` for web archives) into a temporary output
   and keeps the exit code and the tail of stderr;
2. reads the articles and the dead letter back with DuckDB and attributes every row to its input file (by
   ``raw_path``, which is ``FILE`` or ``FILE#offset``);
3. counts, per corpus: input files, articles, error rows by reason, internal errors, and the inputs that gave
   neither an article nor an error row ("vanished": must be 0). A feed whose every article was merged with a
   copy from another file (the same article_id: the latest edition wins) is not vanished: its ids are checked
   in the Parquet;
4. for feeds, compares each file with feedparser run directly on the same bytes: entries against our distinct
   articles (the gap explained: empty entries, duplicates by id, a different parse), and for entries paired
   one to one, title, link (feedparser's made absolute against the feed's rel=self URL, none unless http(s),
   FeedBurner's origLink in place of its redirect, a click counter's target in place of it,
   as the dataset keeps links) and published time; for web archives, the document records warcio finds
   against the records that left a row, and a row for any file read as one document; for article pages,
   the share with a title and a non-empty body;
5. prints a table and writes every figure, with examples of each disagreement, as JSON under
   ``benchmarks/results/`` (git-ignored) or to ``--json``.

The per-file article ids come from the pipeline's own functions (read, parse, clean, text, time, identity)
called in this process, file by file: the pipeline itself merges copies across files, so its output alone
cannot say which file an article came from.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import dataclasses
import datetime as dt
import gzip
import html
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse
from typing import Any, Iterable

from benchmarks.corpora import corpora_dir
from pipeline.duckdb_paths import duckdb_glob, sql_string
from transforms.click_redirects import unwrap_click_redirect

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
DEFAULT_CORPORA = corpora_dir()
NEWSBEAM = pathlib.Path(sys.executable).with_name("newsbeam")
NOT_INPUTS = ("index.json", "MANIFEST.tsv", "README.md", "README.rst", "ground-truth.json")
EXAMPLES_KEPT = 8
DOCUMENT_WORDS = ("html", "xml", "rss", "atom", "json")  # in a content type: a record that may be a document
CLI_TIMEOUT_S = 1800


@dataclasses.dataclass(frozen=True)
class Corpus:
    """One corpus folder: where it is, which CLI command reads it, and what kind of comparison applies."""

    name: str
    folder: str
    command: str  # ingest or backfill
    kind: str  # feeds, pages or archives


CORPORA = (
    Corpus("feedparser-tests", "feedparser-tests", "ingest", "feeds"),
    Corpus("realfeeds", "realfeeds", "ingest", "feeds"),
    Corpus("aeb", "aeb/html", "ingest", "pages"),
    Corpus("warc", "warc", "backfill", "archives"),
)


def corpus_files(folder: pathlib.Path) -> list[str]:
    """The input files of a corpus folder: everything but its index, manifest, notes and licences."""
    return sorted(str(path.resolve()) for path in folder.rglob("*")
                  if path.is_file() and path.name not in NOT_INPUTS and not path.name.startswith("LICENSE"))


# --- Running the CLI and reading its output back ------------------------------------------------------


def run_cli(command: str, files: list[str], output: pathlib.Path) -> dict[str, Any]:
    """``newsbeam COMMAND FILES... --output OUTPUT``: exit code, elapsed seconds, tail of stderr."""
    start = time.perf_counter()
    try:
        process = subprocess.run([str(NEWSBEAM), command, *files, "--output", str(output)],
                                 capture_output=True, timeout=CLI_TIMEOUT_S)
        exit_code, stderr = process.returncode, process.stderr
    except subprocess.TimeoutExpired as exc:
        exit_code, stderr = "timeout", exc.stderr or b""
    return {"exit_code": exit_code, "elapsed_s": round(time.perf_counter() - start, 1),
            "stderr_tail": stderr.decode("utf-8", "replace")[-1500:] if exit_code != 0 else ""}


def read_dataset(output: pathlib.Path, dataset: str, columns: str) -> list[dict[str, Any]]:
    """Rows of ``OUTPUT/DATASET`` (articles or errors) read back with DuckDB, as dicts."""
    import duckdb

    if not any((output / dataset).rglob("*.parquet")):
        return []
    pattern = sql_string(duckdb_glob(output / dataset))
    relation = duckdb.sql(f"SELECT {columns} FROM read_parquet({pattern}, hive_partitioning = true)")
    names = relation.columns
    return [dict(zip(names, row)) for row in relation.fetchall()]


def input_of(row: dict[str, Any], inputs: set[str]) -> str | None:
    """The input file a row came from: its raw_path (``FILE`` or ``FILE#offset``), else its uri."""
    for value in (row.get("raw_path"), row.get("uri")):
        if value:
            path = re.sub(r"#\d+$", "", value)
            if path in inputs:
                return path
    return None


# --- The pipeline's functions, file by file (for attribution) ------------------------------------------


def our_records(path: str) -> list[dict[str, Any]]:
    """Articles (through identity) and error records the pipeline's functions make of one plain file, with
    the pipeline's stages in its order (``bare_loop.ARTICLE_STAGES``: language before time, which can decide a
    numeric date's day/month order)."""
    from benchmarks.bare_loop import ARTICLE_STAGES
    from pipeline.sources import read_file
    from transforms.parsing import parse_document
    from transforms.settings import TransformSettings

    settings = TransformSettings()
    records: list[dict[str, Any]] = []
    for raw in read_file({"path": path}, 50 * 1024 * 1024):
        for record in [raw] if raw.get("kind") == "error" else parse_document(raw):
            for _, stage in ARTICLE_STAGES if record.get("kind") == "article" else ():
                record = stage(record, settings)
            records.append(record)
    return records


# --- Feeds against feedparser ------------------------------------------------------------------------


def _plain(value: str | None) -> str:
    """Text for comparing titles: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _fp_title(entry: Any) -> str:
    """feedparser's title as text: its HTML and XHTML titles hold markup and entities, rendered here."""
    title = entry.get("title") or ""
    if (entry.get("title_detail") or {}).get("type") in ("text/html", "application/xhtml+xml"):
        title = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", title)  # code, not words
        title = html.unescape(re.sub(r"<[^>]*>", "", title))
    return _plain(title)


@dataclasses.dataclass(frozen=True)
class FeedparserResult:
    """What feedparser makes of a file: its entries, the feed's rel=self URL, and whether it guessed the encoding."""

    entries: list[Any]
    self_url: str | None = None
    encoding_guessed: bool = False


def feedparser_entries(path: str) -> FeedparserResult:
    """feedparser's entries of the file's bytes (gzip inflated), with the feed's self URL and encoding verdict."""
    import feedparser

    data = pathlib.Path(path).read_bytes()
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return FeedparserResult([])
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=True)
    self_url = next((link.get("href") for link in parsed.feed.get("links") or [] if link.get("rel") == "self"), None)
    # Without chardet, feedparser falls back on windows-1252 for a document whose declaration does not hold
    # (EUC-JP, KOI8-R with no charset): its titles are then mojibake, not a reference.
    guessed = type(parsed.get("bozo_exception")).__name__ in ("CharacterEncodingOverride", "CharacterEncodingUnknown")
    return FeedparserResult(list(parsed.entries), web_url(self_url, None), guessed)


def web_url(url: str | None, base_url: str | None) -> str | None:
    """``url`` made absolute against ``base_url``; None unless an http(s) URL (the dataset's rule for ``url``)."""
    if not url:
        return None
    try:
        absolute = urllib.parse.urljoin(base_url, url.strip()) if base_url else url.strip()
        parts = urllib.parse.urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _fp_time(entry: Any) -> tuple[dt.datetime | None, str]:
    """feedparser's publication time of an entry: published, else created, else updated (what we fall back on)."""
    for field in ("published_parsed", "created_parsed", "updated_parsed"):
        value = dict.get(entry, field)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), dt.timezone.utc), field
    return None, ""


class Tally:
    """Counts by category, with a few examples of each."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.examples: dict[str, list[Any]] = collections.defaultdict(list)

    def add(self, category: str, example: Any = None) -> None:
        self.counts[category] += 1
        if example is not None and len(self.examples[category]) < EXAMPLES_KEPT:
            self.examples[category].append(example)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts.most_common()), "examples": dict(self.examples)}


def compare_entries(path: str, reference: FeedparserResult, ours: list[dict[str, Any]],
                    written: dict[str, dict[str, Any]], fields: Tally) -> None:
    """Pair our drafts with feedparser's entries by position (when the parses agree on the number of
    entries) and compare title, link and published time with the row written for each.

    feedparser's link is first put as the dataset keeps links: absolute against the feed's rel=self URL
    (a file has no other base), and none unless http(s) (an Atom ``urn:uuid:`` id is feedparser's link
    when an entry has none)."""
    entries = reference.entries
    drafts = [record for record in ours if record.get("kind") == "article" or record.get("error_type") == "empty_item"]
    if len(drafts) != len(entries):
        fields.add("entries not paired (the parses differ)", path)
        return
    ids = collections.Counter(record.get("article_id") for record in drafts if record.get("kind") == "article")
    short = pathlib.Path(path).name
    for entry, draft in zip(entries, drafts):
        row = written.get(draft.get("article_id") or "")
        if draft.get("kind") != "article" or row is None or ids[draft["article_id"]] > 1 or row["raw_path"] != path:
            fields.add("entries not compared (no own row: empty, or merged with a copy)")
            continue
        fields.add("entries compared")
        title_ok = _fp_title(entry) == _plain(row["title"])
        title_verdict = "title agrees" if title_ok else (
            "title differs (feedparser guessed the encoding)" if reference.encoding_guessed else "title differs")
        fields.add(title_verdict, None if title_ok else [short, entry.get("title"), row["title"]])
        fp_link = entry.get("link") or None
        plain_link = web_url(fp_link, reference.self_url)
        orig_link = web_url(entry.get("feedburner_origlink"), None)
        click_target = unwrap_click_redirect(plain_link)
        expected_link = orig_link or click_target or plain_link
        link_ok = expected_link == (row["url"] or None)
        fields.add("link agrees" if link_ok else "link differs",
                   None if link_ok else [short, fp_link, row["url"]])
        if link_ok and orig_link and orig_link != plain_link:
            fields.add("link agrees with the item's feedburner:origLink (feedparser's link is the redirect)")
        elif link_ok and click_target:
            fields.add("link agrees with the click redirect's target (feedparser's link is the redirect)",
                       [short, fp_link, row["url"]])
        elif link_ok and expected_link != fp_link:
            fields.add("link agrees once made absolute (feedparser's was relative or no web URL)",
                       [short, fp_link, row["url"]])
        fp_time, fp_field = _fp_time(entry)
        ours_parsed = not (row["time_source"] or "").startswith("fetched_at")
        if fp_time is None:
            fields.add("time: neither has one" if not ours_parsed else "time: only ours",
                       None if not ours_parsed else [short, dict.get(entry, "published") or dict.get(entry, "updated"),
                                                     str(row["published_at"]), row["time_source"]])
        elif not ours_parsed:
            fields.add("time: only feedparser",
                       [short, dict.get(entry, fp_field.removesuffix("_parsed")), str(fp_time)])
        elif abs((row["published_at"] - fp_time).total_seconds()) < 1:
            fields.add("time agrees")
        else:
            fields.add("time differs", [short, dict.get(entry, fp_field.removesuffix("_parsed")), str(fp_time),
                                        str(row["published_at"]), row["time_source"]])


def _explain_gap(short: str, entries: list[Any], ours: list[dict[str, Any]], gaps: Tally) -> None:
    """Why a file's feedparser entries and our distinct articles differ in number, by category."""
    articles = [record for record in ours if record.get("kind") == "article"]
    empty = sum(record.get("error_type") == "empty_item" for record in ours)
    kinds = sorted({record["document_type"] for record in articles})
    if len(articles) + empty != len(entries):
        reason = {"json_feed": "a JSON Feed (feedparser reads none)", "html": "an HTML page or fragment, one article",
                  "sitemap": "a sitemap (feedparser reads none)"}
        gaps.add(f"the parses differ: {reason.get(kinds[0], 'other') if len(kinds) == 1 else 'other'}",
                 [short, len(entries), len(articles) + empty])
    if empty:
        gaps.add("empty entries (error row empty_item)", [short, empty])
    by_id = collections.defaultdict(list)
    for record in articles:
        by_id[record["article_id"]].append((record.get("title"), record.get("guid"), record.get("url")))
    for copies in by_id.values():
        if len(copies) > 1:
            same = "the same item repeated" if len(set(copies)) == 1 else (
                "one GUID, several titles" if len({guid for _, guid, _ in copies}) == 1 and copies[0][1]
                else "two items on one link (editions of one story)")
            gaps.add(f"merged in the file: {same}", [short, copies[:3]])


def sweep_feeds(files: list[str], articles: list[dict[str, Any]], errors_by_input: dict[str, list[dict]],
                rows_by_input: dict[str, list[dict]]) -> dict[str, Any]:
    """Per-file accounting of feed files, and the comparison with feedparser."""
    written = {row["article_id"]: row for row in articles}
    gaps, fields = Tally(), Tally()
    per_file, vanished, totals = [], [], collections.Counter()
    for path in files:
        ours = our_records(path)
        ids = {record["article_id"] for record in ours if record.get("kind") == "article"}
        missing = sorted(ids - written.keys())
        own_rows = rows_by_input.get(path, [])
        if not own_rows and not errors_by_input.get(path) and (not ids or missing):
            vanished.append(path)
        reference = feedparser_entries(path)
        entries = reference.entries
        empty = sum(record.get("error_type") == "empty_item" for record in ours)
        drafts = sum(record.get("kind") == "article" for record in ours)
        totals.update(feedparser_entries=len(entries), distinct_articles=len(ids), articles_lost=len(missing),
                      merged_with_other_files=len(ids) - len(own_rows) - len(missing))
        if len(entries) != len(ids):
            _explain_gap(pathlib.Path(path).name, entries, ours, gaps)
        compare_entries(path, reference, ours, written, fields)
        per_file.append({"file": path, "feedparser_entries": len(entries), "our_items": drafts,
                         "our_distinct_articles": len(ids), "rows_here": len(own_rows),
                         "empty_entries": empty, "missing_from_parquet": missing[:3],
                         "errors": sorted({row["error_type"] for row in errors_by_input.get(path, [])})})
    return {"vanished": vanished, "totals": dict(totals), "count_gaps": gaps.as_dict(),
            "fields": fields.as_dict(),
            "files_where_counts_agree": sum(item["feedparser_entries"] == item["our_distinct_articles"]
                                            for item in per_file),
            "per_file": per_file}


# --- Pages and archives -----------------------------------------------------------------------------


def sweep_pages(files: list[str], rows_by_input: dict[str, list[dict]],
                errors_by_input: dict[str, list[dict]]) -> dict[str, Any]:
    """Article pages: vanished inputs, and the share with a title and a non-empty body."""
    rows = [row for path in files for row in rows_by_input.get(path, [])]
    complete = [row for row in rows if (row["title"] or "").strip() and (row["body_chars"] or 0) > 0]
    return {"vanished": [path for path in files if not rows_by_input.get(path) and not errors_by_input.get(path)],
            "pages_with_title_and_body": len(complete),
            "share_with_title_and_body": round(len(complete) / len(files), 3) if files else None,
            "without": [row["raw_path"] for row in rows if row not in complete][:EXAMPLES_KEPT]}


def document_records(path: str) -> tuple[list[tuple[int, str]], str | None]:
    """(offset, target URI) of every record warcio finds with an HTML, feed or JSON body and HTTP 200 (or no
    status); and warcio's own error, if it stopped early."""
    from warcio.archiveiterator import ArchiveIterator

    found: list[tuple[int, str]] = []
    try:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle, arc2warc=True)
            for record in records:
                if record.rec_type not in ("response", "resource"):
                    continue
                http = record.http_headers if record.rec_type == "response" else None
                status = http.get_statuscode() if http is not None else None
                kind = ((http.get_header("Content-Type") if http is not None
                         else record.rec_headers.get_header("Content-Type")) or "").lower()
                textual = kind.startswith(("text/", "application/"))  # not image/svg+xml
                if status in (None, "", "200") and textual and any(word in kind for word in DOCUMENT_WORDS):
                    found.append((records.offset, record.rec_headers.get_header("WARC-Target-URI") or ""))
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on broken archives
        return found, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    return found, None


def sweep_archives(files: list[str], rows: list[dict[str, Any]], errors: list[dict[str, Any]],
                   rows_by_input: dict[str, list[dict]], errors_by_input: dict[str, list[dict]]) -> dict[str, Any]:
    """Web archives: document records (warcio, independently) against the records that left a row."""
    from pipeline.archives import archive_kind

    with_row = {row["raw_path"] for row in rows + errors if row.get("raw_path")}
    # A record whose row was merged with a copy from another record (same article_id, or the same error_id:
    # the same target URI, body and failure) is found by its target URI; "#L7" names a line of a JSON body.
    seen_uris = {re.sub(r"#L\d+$", "", row["uri"] or "") for row in rows + errors}
    per_file, vanished_records = [], []
    for path in files:
        if archive_kind(path) != "warc":  # read as one document (a misnamed archive): it owes a row too
            if not rows_by_input.get(path) and not errors_by_input.get(path):
                vanished_records.append(path)
            per_file.append({"file": path, "document_records": 0, "articles": len(rows_by_input.get(path, [])),
                             "error_rows": len(errors_by_input.get(path, [])), "records_accounted": 0,
                             "read_as_one_document": True})
            continue
        documents, warcio_error = document_records(path)
        accounted = [offset for offset, uri in documents
                     if f"{path}#{offset}" in with_row or uri in seen_uris or uri.replace(" ", "%20") in seen_uris]
        vanished_records += [f"{path}#{offset}" for offset, _ in documents if offset not in accounted]
        per_file.append({"file": path, "document_records": len(documents), "articles": len(rows_by_input.get(path, [])),
                         "error_rows": len(errors_by_input.get(path, [])), "records_accounted": len(accounted),
                         "warcio_error": warcio_error})
    return {"vanished_records": vanished_records,
            "document_records": sum(item["document_records"] for item in per_file),
            "per_file": per_file}


# --- One corpus -------------------------------------------------------------------------------------


ARTICLE_COLUMNS = ("article_id, uri, raw_path, url, title, published_at, time_source, "
                   "length(coalesce(body_text, '')) AS body_chars")
ERROR_COLUMNS = "stage, error_type, source_id, uri, raw_path, raw_sha256, message"


def _group(rows: Iterable[dict[str, Any]], inputs: set[str]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in rows:
        path = input_of(row, inputs)
        if path:
            grouped[path].append(row)
    return grouped


def sweep_corpus(corpus: Corpus, corpora_dir: pathlib.Path, work_dir: pathlib.Path) -> dict[str, Any]:
    """Run one corpus through the CLI and account for every input."""
    files = corpus_files(corpora_dir / corpus.folder)
    output = work_dir / corpus.name
    run = run_cli(corpus.command, files, output)
    articles, errors = read_dataset(output, "articles", ARTICLE_COLUMNS), read_dataset(output, "errors", ERROR_COLUMNS)
    inputs = set(files)
    rows_by_input, errors_by_input = _group(articles, inputs), _group(errors, inputs)
    incomplete = [row for row in errors if not (row["source_id"] and row["error_type"]
                                                and (row["raw_path"] or row["raw_sha256"]))]
    result: dict[str, Any] = {
        "corpus": corpus.name, "command": corpus.command, "input_files": len(files), **run,
        "articles": len(articles), "error_rows": len(errors),
        "errors_by_reason": dict(collections.Counter(f"{row['stage']}:{row['error_type']}"
                                                     for row in errors).most_common()),
        "internal_errors": [row["message"] for row in errors if row["error_type"] == "internal_error"][:EXAMPLES_KEPT],
        "error_rows_incomplete": len(incomplete),
        "unattributed_rows": sum(input_of(row, inputs) is None for row in articles + errors),
    }
    if corpus.kind == "feeds":
        result.update(sweep_feeds(files, articles, errors_by_input, rows_by_input))
    elif corpus.kind == "pages":
        result.update(sweep_pages(files, rows_by_input, errors_by_input))
    else:
        result.update(sweep_archives(files, articles, errors, rows_by_input, errors_by_input))
        result["vanished"] = sorted({record.split("#")[0] for record in result["vanished_records"]})
    return result


# --- Report -----------------------------------------------------------------------------------------


def _row(result: dict[str, Any]) -> list[str]:
    vanished = len(result.get("vanished_records", result.get("vanished", [])))
    if "totals" in result:
        totals = result["totals"]
        check = (f"feedparser {totals['feedparser_entries']} entries -> {totals['distinct_articles']} distinct; "
                 f"counts agree in {result['files_where_counts_agree']}/{result['input_files']} files")
    elif "share_with_title_and_body" in result:
        check = f"title and body: {result['pages_with_title_and_body']}/{result['input_files']}"
    else:
        check = (f"document records {result['document_records']} (warcio), "
                 f"{len(result['vanished_records'])} without a row")
    return [result["corpus"], str(result["input_files"]), str(result["exit_code"]), str(result["articles"]),
            str(result["error_rows"]), str(vanished), str(len(result["internal_errors"])), check]


def format_table(results: list[dict[str, Any]]) -> str:
    """The sweep as a Markdown table, then the error reasons and field agreement per corpus."""
    header = ["corpus", "inputs", "exit", "articles", "error rows", "vanished", "internal errors", "check"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_row(result)) + " |" for result in results]
    for result in results:
        lines.append(f"\n{result['corpus']}: errors " + ", ".join(f"{reason} {count}" for reason, count
                                                                   in result["errors_by_reason"].items()))
        if "fields" in result:
            lines.append("  fields: " + ", ".join(f"{name} {count}"
                                                  for name, count in result["fields"]["counts"].items()))
            lines.append("  count gaps: " + ", ".join(f"{name} {count}" for name, count
                                                      in result["count_gaps"]["counts"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: sweep every corpus (or ``--only`` one), print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="?", default=str(DEFAULT_CORPORA))
    parser.add_argument("--only", action="append", choices=[corpus.name for corpus in CORPORA])
    parser.add_argument("--json", help="write the figures here instead of benchmarks/results/")
    args = parser.parse_args(argv)
    corpora_dir = pathlib.Path(args.corpora)
    if not corpora_dir.is_dir():
        print(f"corpus_sweep: {corpora_dir} does not exist. The corpora are the shared real-world sample "
              "(feeds, pages, web archives) kept beside the repository as ../shared/corpora (see its README.md); "
              "give their directory as the first argument.", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="corpus-sweep-") as work_dir:
        for corpus in CORPORA:
            if (args.only and corpus.name not in args.only) or not (corpora_dir / corpus.folder).is_dir():
                continue
            print(f"corpus_sweep: {corpus.name} ...", file=sys.stderr, flush=True)
            results.append(sweep_corpus(corpus, corpora_dir, pathlib.Path(work_dir)))
    print(format_table(results))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = pathlib.Path(args.json) if args.json else RESULTS_DIR / f"corpus-sweep-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"corpora_dir": str(corpora_dir), "results": results}, indent=1, default=str))
    print(f"\nfigures: {target}")
    return 1 if any(result["exit_code"] not in (0,) or result.get("vanished") or result.get("vanished_records")
                    for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())

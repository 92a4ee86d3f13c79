"""The raw landing zone: every fetched body kept as received, gzipped, content-addressed by sha256.

Layout::

    OUT/raw/date=YYYY-MM-DD/source=<safe id>/<sha256>.gz     the body, gzip (mtime 0, so reproducible)
    OUT/raw/date=YYYY-MM-DD/source=<safe id>/<sha256>.json   provenance: source id, URI, fetch time, ...

Pages fetched for full text (``pipeline/page_fetch.py``) live in the same layout under ``OUT/raw/pages/``
(``PAGE_ZONE``), apart from the feeds: reprocessing ``OUT/raw`` must not read an article page as an
article of its own. Beside a feed body fetched with full text, ``<sha256>.pages.json`` keeps its items'
pages (``{item link: PageInfo}``); reading the body back re-attaches them (``RawDocument.pages``), so a
reprocessed feed keeps its full text.

``date`` is the UTC day of the fetch. Both files are written to a temporary name and renamed into place,
so a reader never sees half a file, and never rewritten: the same body fetched again on the same day from
the same source is stored once, and its provenance is that of the first fetch (reprocessing a day then
gives the same result however often the body was fetched). ``iter_raw`` reads a day range back as
``RawDocument`` records, with nothing else needed.

``newsbeam prune`` (``pipeline/prune.py``) deletes whole day folders of both zones. It records its cut-off
in ``OUT/raw/_pruned.json`` (``PRUNED_MARKER_NAME``) and leaves hidden ``.pruned-*`` folders only if
it is interrupted: readers list ``date=*`` folders, so they never see those.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.atomic_files import write_bytes_atomically
from pipeline.paths import safe_path_component
from transforms.records import SITEMAP_INDEX_FIELDS, PageInfo, RawDocument, sha256_hex

logger = logging.getLogger(__name__)

RAW_DIR_NAME = "raw"
PAGE_ZONE = f"{RAW_DIR_NAME}/pages"  # full-text pages, kept out of the feeds' day folders
PAGES_SIDECAR_SUFFIX = ".pages.json"
PRUNED_MARKER_NAME = "_pruned.json"  # {"pruned_before": "YYYY-MM-DD"}: fetch days before it may be gone
_DATE_PREFIX = "date="
_SOURCE_PREFIX = "source="


def raw_folder(output_dir: str | Path, source_id: str, fetched_at: dt.datetime, *, zone: str = RAW_DIR_NAME) -> Path:
    """The folder for ``source_id``'s bodies fetched on ``fetched_at``'s UTC day (in ``zone``)."""
    day = _utc(fetched_at).date().isoformat()
    return Path(output_dir) / zone / f"{_DATE_PREFIX}{day}" / (
        f"{_SOURCE_PREFIX}{safe_path_component(source_id)}")


def store_raw(
    output_dir: str | Path,
    source_id: str,
    body: bytes,
    fetched_at: dt.datetime,
    *,
    uri: str | None = None,
    feed_url: str | None = None,
    http_status: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str | None = None,
    language_hint: str | None = None,
    tags: Iterable[str] = (),
    zone: str = RAW_DIR_NAME,
    time_options: dict[str, Any] | None = None,
    sitemap_index_url: str | None = None,
    sitemaps_followed: Sequence[str] = (),
    quality_flags: Sequence[str] = (),
) -> tuple[str, str]:
    """Keep ``body`` and its provenance in the raw zone; return (sha256, path of the .gz file).

    A sitemap that ``newsbeam run`` fetched because an index listed it names the index (``sitemap_index_url``);
    an index whose sitemaps it fetched names them (``sitemaps_followed``): read back, it gives no error row.
    ``quality_flags`` are the body's own (one decoded only in part), for every article read from it.
    """
    raw_sha256 = sha256_hex(body)
    folder = raw_folder(output_dir, source_id, fetched_at, zone=zone)
    folder.mkdir(parents=True, exist_ok=True)
    body_path = folder / f"{raw_sha256}.gz"
    if not body_path.exists():
        write_bytes_atomically(body_path, gzip.compress(body, compresslevel=6, mtime=0))
    sidecar_path = folder / f"{raw_sha256}.json"
    if not sidecar_path.exists():
        provenance = {
            "source_id": source_id, "uri": uri, "feed_url": feed_url,
            "fetched_at": _utc(fetched_at).isoformat(), "http_status": http_status, "etag": etag,
            "last_modified": last_modified, "content_type": content_type,
            "language_hint": language_hint, "tags": list(tags), "raw_sha256": raw_sha256,
            "body_bytes": len(body),
            **({"time_options": time_options} if time_options else {}),  # absent: sidecars stay as they were
            **({"sitemap_index_url": sitemap_index_url} if sitemap_index_url else {}),
            **({"sitemaps_followed": list(sitemaps_followed)} if sitemaps_followed else {}),
            **({"quality_flags": list(quality_flags)} if quality_flags else {}),
        }
        write_bytes_atomically(sidecar_path, json.dumps(provenance, indent=1, sort_keys=True).encode())
    return raw_sha256, str(body_path)


def pages_sidecar_path(body_path: str | Path) -> Path:
    """Where the page list of the feed body at ``body_path`` is kept: ``<sha256>.pages.json`` beside it."""
    return Path(body_path).with_suffix(PAGES_SIDECAR_SUFFIX)


def read_pages_sidecar(body_path: str | Path) -> dict[str, PageInfo]:
    """The ``{item link: PageInfo}`` kept beside a feed body, or {} when there is none (or it is unreadable:
    logged, and the feed is reprocessed with its items' own content)."""
    path = pages_sidecar_path(body_path)
    try:
        pages = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        logger.warning("raw zone: unreadable page list %s (%s); the feed is read without its pages", path, error)
        return {}
    return pages if isinstance(pages, dict) else {}


def iter_raw(
    output_dir: str | Path, since: dt.date | None = None, until: dt.date | None = None
) -> Iterator[RawDocument]:
    """Yield the stored bodies of the UTC days ``since``..``until`` (both included), in path order.

    A body whose provenance file is missing (a crash between the two writes) comes back with what its
    path tells: the folder's source id and midnight of its day. A body whose bytes no longer match its
    name is logged and skipped.
    """
    for day, day_folder in day_folders(Path(output_dir) / RAW_DIR_NAME):
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        for body_path in sorted(day_folder.glob(f"{_SOURCE_PREFIX}*/*.gz")):
            document = _read_document(body_path)
            if document is not None:
                yield document


def day_folders(zone_root: str | Path) -> list[tuple[dt.date, Path]]:
    """The ``date=YYYY-MM-DD`` folders of a zone (``OUT/raw`` or ``OUT/raw/pages``) with their day, oldest
    first; nothing else there (a hidden leftover of an interrupted prune, the prune marker) is a day."""
    folders = []
    for folder in sorted(Path(zone_root).glob(f"{_DATE_PREFIX}*")):
        try:
            day = dt.date.fromisoformat(folder.name.removeprefix(_DATE_PREFIX))
        except ValueError:
            continue
        if folder.is_dir():
            folders.append((day, folder))
    return folders


def pruned_before(raw_root: str | Path) -> dt.date | None:
    """The day before which ``newsbeam prune`` deleted this raw zone's fetch days, or None if it never did."""
    try:
        return dt.date.fromisoformat(json.loads((Path(raw_root) / PRUNED_MARKER_NAME).read_bytes())["pruned_before"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        # A prune happened, but not when: everything before today may be gone (the safe reading for backfill)
        logger.warning("raw zone: unreadable prune marker %s (%s); read as pruned before today: fix or remove it",
                       Path(raw_root) / PRUNED_MARKER_NAME, error)
        return dt.datetime.now(dt.timezone.utc).date()


def record_pruned_before(raw_root: str | Path, day: dt.date) -> None:
    """Record that fetch days before ``day`` are being deleted (never moving the recorded day back)."""
    earlier = pruned_before(raw_root)
    if earlier is None or day > earlier:
        write_bytes_atomically(Path(raw_root) / PRUNED_MARKER_NAME,
                               json.dumps({"pruned_before": day.isoformat()}).encode())


def _read_document(body_path: Path) -> RawDocument | None:
    """The RawDocument stored at ``body_path``, or None (logged) when the bytes are damaged."""
    raw_sha256 = body_path.name.removesuffix(".gz")
    try:
        body = gzip.decompress(body_path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        logger.warning("raw zone: cannot read %s (%s); skipped", body_path, error)
        return None
    if sha256_hex(body) != raw_sha256:
        logger.warning("raw zone: %s does not match its sha256 name; skipped", body_path)
        return None
    provenance = _read_provenance(body_path)
    return RawDocument(
        kind="raw",
        source_id=provenance.get("source_id") or body_path.parent.name.removeprefix(_SOURCE_PREFIX),
        uri=provenance.get("uri") or str(body_path),
        feed_url=provenance.get("feed_url"),
        body=body,
        fetched_at=_fetched_at(provenance, body_path),
        http_status=provenance.get("http_status"),
        etag=provenance.get("etag"),
        last_modified=provenance.get("last_modified"),
        content_type=provenance.get("content_type"),
        raw_sha256=raw_sha256,
        raw_path=str(body_path),
        language_hint=provenance.get("language_hint"),
        tags=list(provenance.get("tags") or []),
        **({"quality_flags": list(provenance["quality_flags"])} if provenance.get("quality_flags") else {}),
        **as_fetched_fields(provenance, body_path),
    )


def as_fetched_fields(provenance: dict[str, Any], body_path: Path) -> dict[str, Any]:
    """What the pipeline input of the original fetch carried beyond the provenance: a body fetched from a
    configured feed is expected to be a feed, its date options (feeds.toml) apply, its items' pages (full
    text) go with it, and a sitemap index says which of its sitemaps were fetched (one fetched because an
    index listed it names the index)."""
    pages = read_pages_sidecar(body_path)
    carried = {key: provenance[key] for key in ("time_options", *SITEMAP_INDEX_FIELDS) if provenance.get(key)}
    return {**({"expected_type": "feed"} if provenance.get("feed_url") else {}), **({"pages": pages} if pages else {}),
            **carried}


def _read_provenance(body_path: Path) -> dict[str, Any]:
    sidecar_path = body_path.with_suffix(".json")
    try:
        return json.loads(sidecar_path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        logger.warning("raw zone: unreadable provenance %s (%s); using the path", sidecar_path, error)
        return {}


def _fetched_at(provenance: dict[str, Any], body_path: Path) -> dt.datetime:
    if provenance.get("fetched_at"):
        return dt.datetime.fromisoformat(provenance["fetched_at"])
    day = dt.date.fromisoformat(body_path.parent.parent.name.removeprefix(_DATE_PREFIX))
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


def _utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: pass an aware UTC time")
    return when.astimezone(dt.timezone.utc)

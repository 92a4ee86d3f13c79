"""The list of feeds to fetch: read from TOML or OPML, validated, and written back as TOML.

The TOML format (``feeds.toml``)::

    # Optional. Values every feed gets unless it sets the key itself (a feed's value replaces the
    # default; tags are not merged). Allowed here: language, tags, poll_interval_s, full_text,
    # date_order, default_timezone, date_formats, sitemap_children.
    [defaults]
    language = "en"
    poll_interval_s = 1800

    [[feed]]                                   # one table per feed
    id = "bbc-world"                           # source id; optional, derived from the URL if missing
    url = "https://feeds.bbci.co.uk/news/world/rss.xml"   # required, http or https
    name = "BBC News - World"                  # optional, free text
    language = "en"                            # optional, ISO 639-1 code
    tags = ["world", "uk"]                     # optional, list of strings
    poll_interval_s = 900                      # optional, seconds between polls, at least 60
    full_text = false                          # optional, also fetch each article's page
    date_order = "DMY"                         # optional, order of numeric dates (03/04/2024): DMY, MDY,
                                               #   YMD, YDM, DYM or MYD; lets bare 03042024 be read
    default_timezone = "Asia/Baku"             # optional, IANA zone of times written without a zone
    date_formats = ["%d.%m.%Y %H:%M"]          # optional, strptime formats tried before anything else
    sitemap_children = 3                       # optional, 0 to 50: when the URL serves a sitemap index, how
                                               #   many of its sitemaps to fetch, newest first (0: none)

Without ``date_order``, numeric dates are month-first only for ``en`` feeds (see transforms/timestamps.py);
without ``default_timezone``, a time written without a zone is taken as UTC and flagged ``no_zone``.
How a sitemap index is followed: ``pipeline/sitemap_children.py``.

Any other key is an error, and so is a repeated id (compared case-insensitively, since ids name
folders). All problems in a file are reported at once, each naming the file, the feed and the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import urllib.parse
import xml.etree.ElementTree as ElementTree
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.paths import safe_path_component
from transforms.timestamps import DATE_ORDERS

DEFAULT_POLL_INTERVAL_S = 900
MIN_POLL_INTERVAL_S = 60
MAX_SOURCE_ID_CHARS = 200
MAX_DERIVED_ID_CHARS = 80
DEFAULT_SITEMAP_CHILDREN = 3  # a news index lists one or a few news sitemaps; the newest few hold the new articles
MAX_SITEMAP_CHILDREN = 50

# ISO 639-1, all 184 two-letter codes (including the withdrawn "bh", still seen in feeds).
ISO_639_1_CODES = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da "
    "de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz "
    "ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln "
    "lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi "
    "pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti "
    "tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)


@dataclasses.dataclass(frozen=True)
class FeedConfig:
    """One configured feed."""

    source_id: str
    url: str
    name: str | None = None
    language: str | None = None  # ISO 639-1, lower case
    tags: tuple[str, ...] = ()
    poll_interval_s: int = DEFAULT_POLL_INTERVAL_S
    full_text: bool = False
    date_order: str | None = None  # DMY, MDY, ... (transforms.timestamps.DATE_ORDERS)
    default_timezone: str | None = None  # IANA name
    date_formats: tuple[str, ...] = ()  # strptime formats
    sitemap_children: int = DEFAULT_SITEMAP_CHILDREN  # sitemaps of an index at ``url`` to fetch, newest first

    def time_options(self) -> dict[str, Any]:
        """The feed's date options that are set, as the time transform takes them (``time_options``)."""
        options = {"date_order": self.date_order, "default_timezone": self.default_timezone,
                   "date_formats": list(self.date_formats)}
        return {key: value for key, value in options.items() if value}


class ConfigError(ValueError):
    """A feed list that cannot be used; ``problems`` holds one line per problem, file name first."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = [f"{self.path}: {problem}" for problem in problems]
        super().__init__("\n".join(self.problems))


class _Invalid(Exception):
    """Raised by a key checker with the reason the value is refused."""


# --- value checkers: value -> normalized value, or raise _Invalid ------------------------------------


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched as a feed (not absolute http(s), no host, bad port), or None."""
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return f"{url!r} is not a URL (empty, or contains spaces or control characters)"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return f"{url!r} is not a valid URL ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} is not an http(s) URL: only http and https feeds are fetched"
    if not parts.hostname:
        return f"{url!r} has no host name"
    return None


def _check_url(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    problem = url_problem(value.strip())
    if problem:
        raise _Invalid(problem)
    return value.strip()


def _check_source_id(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    if not value.strip():
        raise _Invalid("must not be empty")
    if len(value) > MAX_SOURCE_ID_CHARS:
        raise _Invalid(f"is {len(value)} characters long, at most {MAX_SOURCE_ID_CHARS} allowed")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise _Invalid(f"{value!r} contains control characters")
    return value


def _check_name(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    return value


def _check_language(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in ISO_639_1_CODES:
        raise _Invalid(f"{value!r} is not an ISO 639-1 language code such as 'en' or 'de'")
    return value.lower()


def _check_tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(tag, str) and tag for tag in value):
        raise _Invalid(f"must be a list of non-empty strings, such as [\"world\"], not {value!r}")
    return tuple(value)


def _check_poll_interval_s(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"must be a whole number of seconds, not {_type_name(value)} {value!r}")
    if value < MIN_POLL_INTERVAL_S:
        raise _Invalid(f"{value} is too short: at least {MIN_POLL_INTERVAL_S} seconds, to be polite")
    return value


def _check_full_text(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, not {_type_name(value)} {value!r}")
    return value


def _check_sitemap_children(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"must be a whole number of sitemaps, not {_type_name(value)} {value!r}")
    if not 0 <= value <= MAX_SITEMAP_CHILDREN:
        raise _Invalid(f"{value} is out of range: 0 (do not follow a sitemap index) to {MAX_SITEMAP_CHILDREN}")
    return value


def _check_date_order(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in DATE_ORDERS:
        raise _Invalid(f"{value!r} is not a date order; use one of {', '.join(sorted(DATE_ORDERS))} "
                       "(D day, M month, Y year), such as \"DMY\" for 03/04/2024 = 3 April")
    return value.upper()


def _check_default_timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise _Invalid(f"{value!r} is not an IANA time zone name such as \"Asia/Baku\" or \"UTC\"") from error
    return value


# Directives datetime.strptime understands (Python 3.11).
_STRPTIME_DIRECTIVES = frozenset("aAwdbBmyYHIpMSfzZjUWcxXGuV%")


def _check_date_formats(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise _Invalid(f"must be a list of strptime formats, such as [\"%d.%m.%Y %H:%M\"], not {value!r}")
    for date_format in value:
        directives = re.findall(r"%(.?)", date_format.replace("%%", ""))
        unknown = [directive for directive in directives if directive not in _STRPTIME_DIRECTIVES]
        if not directives or unknown:
            raise _Invalid(f"{date_format!r} is not a strptime format: "
                           + (f"unknown directive %{unknown[0]}" if unknown else "it has no % directive"))
    return tuple(value)


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


# TOML key -> (FeedConfig field, checker)
_FEED_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "id": ("source_id", _check_source_id),
    "url": ("url", _check_url),
    "name": ("name", _check_name),
    "language": ("language", _check_language),
    "tags": ("tags", _check_tags),
    "poll_interval_s": ("poll_interval_s", _check_poll_interval_s),
    "full_text": ("full_text", _check_full_text),
    "date_order": ("date_order", _check_date_order),
    "default_timezone": ("default_timezone", _check_default_timezone),
    "date_formats": ("date_formats", _check_date_formats),
    "sitemap_children": ("sitemap_children", _check_sitemap_children),
}
_DEFAULT_KEYS = {
    key: _FEED_KEYS[key]
    for key in ("language", "tags", "poll_interval_s", "full_text", "date_order", "default_timezone", "date_formats",
                "sitemap_children")
}
_TOP_LEVEL_KEYS = ("defaults", "feed")


# --- TOML ------------------------------------------------------------------------------------------


def load_feeds_toml(path: str | Path) -> list[FeedConfig]:
    """Read and validate a feeds TOML file (format in the module docstring); raise ConfigError."""
    data = _read_toml(path)
    problems: list[str] = []
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            problems.append(f"unknown top-level key {key!r}{_suggestion(key, _TOP_LEVEL_KEYS)}"
                            " (expected [defaults] and [[feed]] tables)")
    defaults = _check_table(data.get("defaults", {}), _DEFAULT_KEYS, "[defaults]", problems)
    feeds = [
        _feed_from_table(table, index, defaults, problems)
        for index, table in enumerate(_feed_tables(data, problems), start=1)
    ]
    feeds_found = [feed for feed in feeds if feed is not None]
    problems.extend(_duplicate_id_problems(feeds_found))
    if problems:
        raise ConfigError(path, problems)
    return feeds_found


def _read_toml(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise ConfigError(path, [f"cannot read the file: {error.strerror or error}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"invalid TOML: {error}"]) from error


def _feed_tables(data: dict[str, Any], problems: list[str]) -> list[Any]:
    tables = data.get("feed", [])
    if isinstance(tables, dict):
        problems.append("'feed' must be an array of tables: write [[feed]], not [feed]")
        return []
    if not isinstance(tables, list):
        problems.append(f"'feed' must be an array of [[feed]] tables, not {_type_name(tables)}")
        return []
    return tables


def _feed_from_table(
    table: Any, index: int, defaults: dict[str, Any], problems: list[str]
) -> FeedConfig | None:
    """Validate one [[feed]] table; record problems and return None when it is unusable."""
    where = f"[[feed]] #{index}"
    if not isinstance(table, dict):
        problems.append(f"{where}: must be a table, not {_type_name(table)}")
        return None
    if isinstance(table.get("id"), str):
        where += f" (id {table['id']!r})"
    problems_before = len(problems)
    values = _check_table(table, _FEED_KEYS, where, problems)
    if "url" not in table:
        problems.append(f"{where}: missing required key 'url'")
    if len(problems) > problems_before:
        return None
    values = {**defaults, **values}
    values.setdefault("source_id", derive_source_id(values["url"]))
    return FeedConfig(**values)


def _check_table(
    table: Any, keys: dict[str, tuple[str, Callable[[Any], Any]]], where: str, problems: list[str]
) -> dict[str, Any]:
    """Check every key of ``table`` against ``keys``; return FeedConfig field -> normalized value."""
    if not isinstance(table, dict):
        problems.append(f"{where}: must be a table, not {_type_name(table)}")
        return {}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in keys:
            problems.append(f"{where}: unknown key {key!r}{_suggestion(key, keys)}; "
                            f"allowed: {', '.join(keys)}")
            continue
        field, check = keys[key]
        try:
            values[field] = check(value)
        except _Invalid as error:
            problems.append(f"{where}: key {key!r}: {error}")
    return values


def _suggestion(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    if not close and key in ("source_id", "source", "feed_id"):
        close = ["id"]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _duplicate_id_problems(feeds: list[FeedConfig]) -> list[str]:
    """Ids that repeat, case-insensitively (ids name folders, and some file systems ignore case)."""
    first_index: dict[str, int] = {}
    problems = []
    for index, feed in enumerate(feeds, start=1):
        key = feed.source_id.casefold()
        if key in first_index:
            problems.append(f"duplicate feed id {feed.source_id!r} (feed #{index} and feed "
                            f"#{first_index[key]}); give each feed its own 'id'")
        else:
            first_index[key] = index
    return problems


# --- source ids ------------------------------------------------------------------------------------


def derive_source_id(url: str) -> str:
    """A readable, path-safe source id from a feed URL: host (without www.) plus path and query."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "feed").lower().removeprefix("www.")
    rest = f"{parts.path}?{parts.query}" if parts.query else parts.path
    readable = re.sub(r"[^a-z0-9.]+", "-", f"{host}/{rest}".lower()).strip("-.")
    return safe_path_component(readable[:MAX_DERIVED_ID_CHARS].strip("-.") or "feed")


def _unique_id(candidate: str, taken: set[str]) -> str:
    """``candidate``, or ``candidate-2``, ``-3``... when already taken (compared case-insensitively)."""
    unique, number = candidate, 1
    while unique.casefold() in taken:
        number += 1
        unique = f"{candidate}-{number}"
    taken.add(unique.casefold())
    return unique


# --- OPML ------------------------------------------------------------------------------------------


def load_opml(path: str | Path) -> list[FeedConfig]:
    """Read the feeds of an OPML subscription list; folders and categories become tags.

    Outlines with an ``xmlUrl`` are feeds, at any depth; the outlines around them are folders. The
    same URL listed twice becomes one feed with the tags of both. Ids are derived from the URL and
    made unique in document order.
    """
    body = _read_opml_body(path)
    problems: list[str] = []
    by_url: dict[str, dict[str, Any]] = {}
    for index, (outline, folders) in enumerate(_feed_outlines(body, ()), start=1):
        entry = _opml_entry(outline, folders, index, problems)
        if entry is None:
            continue
        if entry["url"] in by_url:
            known = by_url[entry["url"]]
            known["tags"] = _unique_in_order([*known["tags"], *entry["tags"]])
        else:
            by_url[entry["url"]] = entry
    if problems:
        raise ConfigError(path, problems)
    taken: set[str] = set()
    feeds = []
    for entry in by_url.values():
        source_id = _unique_id(derive_source_id(entry["url"]), taken)
        feeds.append(FeedConfig(source_id=source_id, url=entry["url"], name=entry["name"],
                                language=entry["language"], tags=tuple(entry["tags"])))
    return feeds


def _read_opml_body(path: str | Path) -> ElementTree.Element:
    try:
        root = ElementTree.parse(path).getroot()
    except OSError as error:
        raise ConfigError(path, [f"cannot read the file: {error.strerror or error}"]) from error
    except ElementTree.ParseError as error:
        raise ConfigError(path, [f"not well-formed XML: {error}"]) from error
    body = root.find("body")
    if root.tag.lower() != "opml" or body is None:
        raise ConfigError(path, [f"not an OPML file: root element <{root.tag}> without <body>"])
    return body


def _feed_outlines(
    element: ElementTree.Element, folders: tuple[str, ...]
) -> Iterator[tuple[ElementTree.Element, tuple[str, ...]]]:
    """Yield (outline, enclosing folder names) for every outline with an xmlUrl, in order."""
    for outline in element.findall("outline"):
        if _attribute(outline, "xmlUrl") is not None:
            yield outline, folders
        folder = _attribute(outline, "title") or _attribute(outline, "text") or ""
        yield from _feed_outlines(outline, (*folders, folder.strip()) if folder.strip() else folders)


def _opml_entry(
    outline: ElementTree.Element, folders: tuple[str, ...], index: int, problems: list[str]
) -> dict[str, Any] | None:
    """The FeedConfig fields (without id) of one feed outline, or None with a problem recorded."""
    url = (_attribute(outline, "xmlUrl") or "").strip()
    name = (_attribute(outline, "title") or _attribute(outline, "text") or "").strip() or None
    problem = url_problem(url)
    if problem:
        problems.append(f"feed outline #{index} ({name or 'untitled'!r}): xmlUrl {problem}")
        return None
    categories = (_attribute(outline, "category") or "").split(",")
    category_tags = [part.strip() for value in categories for part in value.split("/")]
    language = (_attribute(outline, "language") or "").lower()
    return {
        "url": url,
        "name": name,
        "language": language if language in ISO_639_1_CODES else None,
        "tags": _unique_in_order([*folders, *category_tags]),
    }


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by name, ignoring case (exports disagree on xmlUrl / xmlurl)."""
    for key, value in element.attrib.items():
        if key.lower() == name.lower():
            return value
    return None


def _unique_in_order(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


# --- writing TOML ----------------------------------------------------------------------------------

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                 "\r": "\\r"}


def feeds_to_toml(feeds: Iterable[FeedConfig]) -> str:
    """Write ``feeds`` in the feeds.toml format; ``load_feeds_toml`` reads back the same feeds."""
    blocks = ["# newsbeam feed list; the format is described in pipeline/feed_config.py\n"]
    for feed in feeds:
        lines = ["[[feed]]", f"id = {_toml_string(feed.source_id)}", f"url = {_toml_string(feed.url)}"]
        if feed.name is not None:
            lines.append(f"name = {_toml_string(feed.name)}")
        if feed.language is not None:
            lines.append(f"language = {_toml_string(feed.language)}")
        if feed.tags:
            lines.append(f"tags = [{', '.join(_toml_string(tag) for tag in feed.tags)}]")
        lines.append(f"poll_interval_s = {feed.poll_interval_s}")
        lines.append(f"full_text = {'true' if feed.full_text else 'false'}")
        date_keys = (("date_order", feed.date_order), ("default_timezone", feed.default_timezone))
        lines.extend(f"{key} = {_toml_string(value)}" for key, value in date_keys if value is not None)
        if feed.date_formats:
            lines.append(f"date_formats = [{', '.join(_toml_string(item) for item in feed.date_formats)}]")
        if feed.sitemap_children != DEFAULT_SITEMAP_CHILDREN:
            lines.append(f"sitemap_children = {feed.sitemap_children}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = (
        _TOML_ESCAPES.get(ch) or (f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in value
    )
    return '"' + "".join(escaped) + '"'

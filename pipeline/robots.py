"""robots.txt for page fetching: fetched once per origin per run, read with protego, obeyed.

What an answer means follows RFC 9309 (section 2.3.1):

- 2xx: the rules apply (an empty or unparseable file allows everything);
- 4xx other than 429 ("unavailable": no robots.txt): everything is allowed;
- 429, 5xx, timeouts, connection errors, a body over the size limit ("unreachable"): everything is
  disallowed for this run, and the pages are tried again in a later run;
- redirects are followed (up to ``FetchSettings.max_redirects``), as for any fetch.

An origin is scheme, host and port (``https://example.com`` and ``http://example.com`` have a robots.txt
each). The rate at which the host is then fetched comes from ``Crawl-delay`` or ``Request-rate``, when
slower than the run's own rate (see ``pipeline/page_fetch.py``).
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterable

import httpx
from protego import Protego

from pipeline.http_fetch import FetchResult, FetchSettings, HostLimiter, fetch_many

ROBOTS_MAX_BYTES = 2 * 1024 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"


@dataclasses.dataclass
class RobotsRules:
    """The robots.txt rules of one origin, and how they were had."""

    origin: str
    outcome: str  # rules, unavailable (allow all), unreachable (disallow all), refused (private address)
    parser: Protego | None = None
    detail: str | None = None  # why, for unreachable and refused
    text: str | None = None  # the robots.txt as fetched (kept so a later run can reuse it)

    def allows(self, url: str, user_agent: str) -> bool:
        """True when ``user_agent`` may fetch ``url``."""
        if self.outcome == "rules" and self.parser is not None:
            return bool(self.parser.can_fetch(url, user_agent))
        return self.outcome == "unavailable"

    def delay_s(self, user_agent: str) -> float | None:
        """The wait between two requests that the site asks of ``user_agent`` (Crawl-delay, Request-rate)."""
        if self.parser is None:
            return None
        delays = [self.parser.crawl_delay(user_agent)]
        rate = self.parser.request_rate(user_agent)
        if rate is not None and rate.requests:
            delays.append(rate.seconds / rate.requests)
        known = [float(delay) for delay in delays if delay is not None and float(delay) >= 0]
        return max(known) if known else None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (default ports left out), lower case."""
    parts = urllib.parse.urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = parts.port if parts.port not in (None, {"http": 80, "https": 443}.get(scheme)) else None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def rules_from_result(origin: str, result: FetchResult) -> RobotsRules:
    """The rules a robots.txt fetch gives, following RFC 9309 (see the module docstring)."""
    if result.ok and result.body is not None:
        return rules_from_text(origin, result.body.decode("utf-8", "replace"))
    if result.error_type == "private_address":
        return RobotsRules(origin, "refused", detail=result.error_message)
    status = result.status or 0
    if result.error_type == "http_status" and 400 <= status < 500 and status != 429:
        return RobotsRules(origin, "unavailable")
    return RobotsRules(origin, "unreachable", detail=f"{result.error_type}: {result.error_message}")


def rules_from_text(origin: str, text: str) -> RobotsRules:
    """The rules of a robots.txt body."""
    return RobotsRules(origin, "rules", Protego.parse(text), text=text)


def fetch_robots(origins: Iterable[str], settings: FetchSettings, limiter: HostLimiter,
                 client: httpx.Client | None = None) -> dict[str, RobotsRules]:
    """The robots.txt rules of every origin, fetched concurrently through ``limiter`` (so they count
    towards each host's rate like any request)."""
    robots_settings = dataclasses.replace(settings, max_bytes=ROBOTS_MAX_BYTES, accept=ROBOTS_ACCEPT)
    requests = [(origin, f"{origin}/robots.txt", None, None) for origin in sorted(set(origins))]
    return {origin: rules_from_result(origin, result)
            for origin, result in fetch_many(requests, robots_settings, client=client, host_limiter=limiter)}

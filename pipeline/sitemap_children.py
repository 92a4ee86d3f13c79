"""Follow a sitemap index at a feed URL: which of its sitemaps ``newsbeam run`` fetches, and what they gave.

Big publishers' news sitemap URLs are often indexes of one or a few sitemaps, and WordPress's
``sitemap_index.xml`` lists dozens. When a feed body is a sitemap index (``<sitemapindex>``), the round
(``pipeline/fetch_feeds.py``) fetches the feed's newest ``sitemap_children`` sitemaps (by ``<lastmod>``;
undated ones last, in document order) with the feeds' fetch settings; each is kept in the raw zone under the
feed's source id, naming the index (``sitemap_index_url``), and read as a feed body is. The index is kept
too, naming the sitemaps fetched (``sitemaps_followed``): read, in ``run`` or from the raw zone, it gives
nothing, its sitemaps give its articles.

Rules, and why:

- Only http(s) sitemaps on the index's own site: its host, or its registrable domain (``www.example.com``
  listing ``static.example.com``; ``transforms.identity.same_site``). The protocol allows the index's host only,
  but publishers serve sitemaps from a static subdomain; a document must not send the fetcher, which trusts
  the configured URLs (private addresses included), to anyone else's site, nor to another service of the host
  (a port but the scheme's or the index's), nor send credentials written into a URL (``child_url``).
- An index listed by the index is followed too (the protocol forbids nesting; sites do it), never deeper: one
  found below that is read as an index, with its ``parse:sitemap_index`` row. Each level fetches at most
  ``sitemap_children`` sitemaps per feed, the newest of each index in turn, so a feed costs at most
  ``1 + 2 * sitemap_children`` requests a round.
- A URL is fetched once per feed and round (an index listing itself, or a sitemap twice), and a body is read
  once (a sitemap redirected to one already read). An index whose sitemaps were all read already (a loop) is
  followed all the same: it gives no row, and no article (two indexes listing each other are a content failure).
- An index keeps no validators: a 304 would hide its sitemaps, which change while it does not. It is fetched
  whole at every poll; the sitemaps read from it keep theirs (``FeedStateStore.sitemap_validators``).
- The feed succeeded when one of its sitemaps was good: it gave articles, or none and no error (a well-formed
  empty sitemap, as for an empty feed), or answered 304 (its articles were written before). Else it is a
  content failure, backed off, whose error says what each sitemap gave (a failed fetch or a body that gives no
  article also has its own error row; a copy of a body already read has none).
"""

from __future__ import annotations

import dataclasses
import functools
import urllib.parse
from collections.abc import Callable, Iterator, Sequence

from pipeline.feed_config import FeedConfig
from pipeline.feed_state import Validators
from pipeline.http_fetch import FetchResult
from transforms.identity import same_site
from transforms.records import RawDocument, sha256_hex
from transforms.sitemaps import newest_child_sitemaps
from transforms.sniffing import sniff_document_type

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_INDEX_DEPTH = 2  # the index at the feed URL, and an index it lists
SitemapRequest = tuple[tuple[str, str], str, str | None, str | None]  # ((source id, URL), URL, ETag, Last-Modified)


@dataclasses.dataclass
class SitemapCrawl:
    """One feed whose body is a sitemap index, while its sitemaps are fetched, and what they gave."""

    feed: FeedConfig
    index: FetchResult  # the index's answer: the feed's own state follows from it
    followed: list[str]  # the sitemaps the index lists that are read in this round
    pending: list[tuple[str, str]]  # (sitemap URL, URL of the index listing it): the next level's fetches
    seen_urls: set[str]
    seen_bodies: set[str]  # sha256 of the bodies read
    validators_before: dict[str, Validators]
    validators: dict[str, Validators] = dataclasses.field(default_factory=dict)  # the good sitemaps', to keep
    problems: list[str] = dataclasses.field(default_factory=list)  # one line per sitemap that was not good
    good: int = 0

    def request(self, url: str) -> SitemapRequest:
        """The ``fetch_many`` request of one of the sitemaps, conditional when it was read before."""
        etag, last_modified = self.validators_before.get(url, (None, None))
        return (self.feed.source_id, url), url, etag, last_modified

    def is_new_body(self, url: str, body: bytes) -> bool:
        """False for a body already read for this feed in this round (a sitemap redirected to another, or to the
        index): it is not read again, and it is no good of its own."""
        digest = sha256_hex(body)
        if digest in self.seen_bodies:
            self.problems.append(f"{url}: the same body as a sitemap or index already read")
            return False
        self.seen_bodies.add(digest)
        return True

    def follow(self, answers: Sequence[tuple[str, FetchResult]], last_level: bool) -> list[list[str]]:
        """For each (index URL, answer) read at one level, the sitemaps it is followed for (``choose_sitemaps``;
        none for a sitemap); those to fetch are added to ``pending``, none at the last level."""
        drafts = [_draft(self.feed, result, parent) for parent, result in answers]
        indexes = [position for position, draft in enumerate(drafts) if is_sitemap_index(draft)]
        chosen = choose_sitemaps([drafts[position] for position in indexes],
                                 0 if last_level else self.feed.sitemap_children, self.seen_urls)
        followed: list[list[str]] = [[] for _ in answers]
        for position, (to_fetch, listed) in zip(indexes, chosen):
            followed[position] = listed
            self.pending += [(url, answers[position][1].final_url) for url in to_fetch]
            if listed and not to_fetch:  # a loop (an index listing the one at the feed URL): no article of its own
                self.problems.append(f"{answers[position][1].final_url}: an index whose sitemaps were all read already")
        return followed

    def judge(self, url: str, result: FetchResult, problem: str | None) -> None:
        """Note what one sitemap gave: good (an article, a well-formed empty sitemap, a 304), or ``problem``."""
        if problem is not None:
            self.problems.append(f"{url}: {problem}")
            return
        self.good += 1
        if result.not_modified:  # a 304 may leave out the validators it matched
            etag, last_modified = self.validators_before.get(url, (None, None))
            self.validators[url] = (result.etag or etag, result.last_modified or last_modified)
        else:
            self.validators[url] = (result.etag, result.last_modified)

    def failure(self) -> str | None:
        """Why the feed gave no article, when none of its sitemaps was good; else None."""
        if self.good:
            return None
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return (f"sitemap_index: none of the {len(self.problems)} sitemaps fetched from the index gave an article: "
                f"{self.problems[0]}{more}")


def start_crawl(feed: FeedConfig, result: FetchResult,
                validators_before: Callable[[], dict[str, Validators]]) -> SitemapCrawl | None:
    """The crawl of a feed body that is a sitemap index with sitemaps to follow, else None (it is read as it is).
    ``validators_before()`` gives the validators kept for the feed's sitemaps (asked only for an index)."""
    draft = _draft(feed, result, None)
    if not feed.sitemap_children or result.body is None or not is_sitemap_index(draft):
        return None
    seen = {feed.url, result.url, result.final_url}
    ((to_fetch, followed),) = choose_sitemaps([draft], feed.sitemap_children, seen)
    if not to_fetch:
        return None
    return SitemapCrawl(feed=feed, index=result, followed=followed,
                        pending=[(url, result.final_url) for url in to_fetch], seen_urls=seen,
                        seen_bodies={sha256_hex(result.body)}, validators_before=validators_before())


def choose_sitemaps(indexes: Sequence[RawDocument], limit: int,
                    seen: set[str]) -> list[tuple[list[str], list[str]]]:
    """For each index: the sitemaps to fetch from it, the newest of each index in turn, ``limit`` in all, on the
    index's site and not in ``seen`` (the URLs read in this round, which gains them); and the sitemaps it is
    followed for, those it lists that are read in this round, when some are fetched from it or all were read
    already (else none: it is read as an index, with its error row)."""
    candidates = [list(dict.fromkeys(url for url in map(functools.partial(child_url, index_url=index["uri"]),
                                                       newest_child_sitemaps(index)) if url))
                  for index in indexes]
    read_before = set(seen)
    chosen: list[list[str]] = [[] for _ in indexes]
    taken = 0
    for position, url in _in_turn(candidates):
        if taken == limit:
            break
        if url not in seen:
            seen.add(url)
            chosen[position].append(url)
            taken += 1
    return [(to_fetch, [url for url in listed if url in seen] if to_fetch or set(listed) <= read_before else [])
            for to_fetch, listed in zip(chosen, candidates)]


def child_url(url: str, index_url: str) -> str | None:
    """``url`` as a sitemap of the index at ``index_url`` is fetched (its fragment dropped, scheme and host in
    lower case: one sitemap spelt three ways is one fetch), or None when it is not fetched: on another site, with
    a user name or password (credentials would go out, and into every row's ``uri``), or on another port than
    the index's (another service of the host)."""
    parts, index_parts = urllib.parse.urlsplit(url), urllib.parse.urlsplit(index_url)
    try:  # a port given must be its scheme's own or the index's
        ports = (DEFAULT_PORTS.get(parts.scheme.lower()), index_parts.port or DEFAULT_PORTS.get(index_parts.scheme))
        other_port = parts.port is not None and parts.port not in ports
    except ValueError:  # a port out of range
        return None
    if not same_site(url, index_url) or parts.username is not None or parts.password is not None or other_port:
        return None
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def is_sitemap_index(document: RawDocument) -> bool:
    """True when the body is a sitemap index."""
    return sniff_document_type(document["body"], content_type=document.get("content_type"),
                               uri=document.get("uri")) == "sitemap_index"


def _in_turn(lists: Sequence[Sequence[str]]) -> Iterator[tuple[int, str]]:
    """(position, item): the first item of each list, then the second of each, and so on."""
    for depth in range(max(map(len, lists), default=0)):
        yield from ((position, items[depth]) for position, items in enumerate(lists) if depth < len(items))


def _draft(feed: FeedConfig, result: FetchResult, index_url: str | None) -> RawDocument:
    """Enough of the raw document of a fetched body to read the sitemaps it lists (before it is kept)."""
    return RawDocument(kind="raw", body=result.body or b"", content_type=result.content_type, uri=result.final_url,
                       feed_url=feed.url, **({"sitemap_index_url": index_url} if index_url else {}))

"""Small RSS documents and sitemaps for tests, written by us."""

from __future__ import annotations


def rss(items: list[tuple[str, str, str, str]], *, day: int = 21, site: str = "https://courier.example/") -> bytes:
    """An RSS 2.0 feed of (guid, link, title, description) items, published on 2023-09-``day``."""
    entries = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><link>{link}</link><title>{title}</title>"
        f"<pubDate>{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(day + 2) % 7]}, {day:02d} Sep 2023 "
        f"{10 + index % 10:02d}:{index // 10 % 60:02d}:00 +0400</pubDate>"
        f"<description>{description}</description></item>"
        for index, (guid, link, title, description) in enumerate(items)
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Courier</title>"
            f"<link>{site}</link>{entries}</channel></rss>").encode()


def numbered_items(count: int, prefix: str = "n") -> list[tuple[str, str, str, str]]:
    """``count`` distinct items with stable links."""
    return [(f"{prefix}-{number}", f"https://courier.example/{prefix}/{number}", f"Story {prefix} {number}",
             f"Harbour report number {number} from Baku.") for number in range(count)]


def feedburner_rss(items: list[tuple[str, str, str, str, str | None]], *, feed_name: str = "Courier") -> bytes:
    """An RSS 2.0 feed as FeedBurner serves it: every ``<link>`` a redirect through feeds.feedburner.com, the
    article's own URL in ``feedburner:origLink``. Items are (guid, article URL, title, description HTML,
    content:encoded HTML or None), published on 2023-09-21."""
    entries = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
        f"<link>http://feeds.feedburner.com/~r/{feed_name}/~3/{index}/</link>"
        f"<pubDate>Thu, 21 Sep 2023 {10 + index % 10:02d}:00:00 +0400</pubDate>"
        f"<description><![CDATA[{description}]]></description>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content is not None else "")
        + f"<feedburner:origLink>{link}</feedburner:origLink></item>"
        for index, (guid, link, title, description, content) in enumerate(items)
    )
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
            "xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'><channel><title>Courier</title>"
            f"<link>https://courier.example/</link>{entries}</channel></rss>").encode()


def feedflare(feed_name: str = "Courier", token: str = "Kp2q") -> str:
    """The share buttons and ad FeedBurner appends to an item's content (FeedFlare, FeedBurner ads, the pixel)."""
    return (f"<p><a href='http://feeds.feedburner.com/~a/{feed_name}?a={token}'>"
            f"<img src='http://feeds.feedburner.com/~a/{feed_name}?i={token}'></a></p>"
            f"<div class='feedflare'>Add to: <a href='http://feeds.feedburner.com/~f/{feed_name}?a={token}'>"
            f"<img src='http://feeds2.feedburner.com/~f/{feed_name}?i={token}'></a> | "
            f"<a href='http://feeds.feedburner.com/~f/{feed_name}?a={token}x'>"
            f"<img src='http://feeds.feedburner.com/~f/{feed_name}?d=41'></a></div>"
            f"<img src='http://feeds.feedburner.com/~r/{feed_name}/~4/{token}' height='1' width='1'>")


def whole_post(paragraphs: int = 8) -> str:
    """A blog post of ``paragraphs`` paragraphs (over 800 characters of text from 6 on), as HTML."""
    return "".join(f"<p>Part {number}: the night ferry to Aktau left the Alat terminal with forty trucks, two rail "
                   f"wagons and a hundred passengers; the crossing took nineteen hours.</p>"
                   for number in range(1, paragraphs + 1))


def sitemap_index(children: list[tuple[str, str | None]]) -> bytes:
    """A sitemap index of (loc, lastmod or None) entries."""
    entries = "".join(f"<sitemap><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>"
                      for loc, lastmod in children)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>").encode()


def news_sitemap(entries: list[tuple[str, str, str]]) -> bytes:
    """A Google News sitemap of the Caspian Courier of (loc, title, publication time) entries."""
    urls = "".join(f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Caspian Courier</news:name>"
                   f"<news:language>en</news:language></news:publication><news:publication_date>{published}"
                   f"</news:publication_date><news:title>{title}</news:title></news:news></url>"
                   for loc, title, published in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()

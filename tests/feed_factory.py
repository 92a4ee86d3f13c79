"""Small RSS documents for tests, written by us."""

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

"""Pages for the tests of the page readers (page_metadata, page_markup, page_dates, page_titles)."""

from __future__ import annotations

PAGE_URL = "https://www.courier.example/b/cranes"


def ld_block(text: str) -> str:
    return f'<html><head><script type="application/ld+json">{text}</script></head><body></body></html>'

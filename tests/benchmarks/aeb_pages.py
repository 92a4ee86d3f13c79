"""A tiny corpora folder in the layout of the ScrapingHub benchmark (``aeb/html/<id>.html.gz`` and
``aeb/ground-truth.json``), holding four pages written for these tests: one dated by JSON-LD, one by a meta
tag that its URL contradicts, one dated only by its URL, one with no date at all."""

from __future__ import annotations

import gzip
import json
import pathlib

BODY = ("<p>The river festival drew families from every part of the valley, who came for the boats, the music "
        "and the long tables of food set out along the quay.</p>"
        "<p>Organisers said the crowd was the largest they had seen, and that volunteers had worked through the "
        "night to clear the paths after the rain.</p>"
        "<p>Next year the festival hopes to add a second stage on the far bank, if the council agrees to close "
        "the bridge to traffic for the weekend.</p>")
JSON_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
           '"headline": "River festival draws a record crowd", "datePublished": "2019-11-18T16:06:51-05:00"}'
           "</script>")
META_TIME = '<meta property="article:published_time" content="2019-11-25T08:00:00Z">'
# page id -> (URL, what the head holds besides the title)
PAGES = {
    "json-ld-dated": ("https://news.example/2019/11/18/river-festival/", JSON_LD),
    "meta-dated": ("https://news.example/2019/11/18/river-festival-again/", META_TIME),
    "url-dated": ("https://news.example/2019/11/19/river-festival-quiet/", ""),
    "undated": ("https://news.example/river-festival-recap/", ""),
}


def page_html(head: str) -> str:
    """A small article page with ``head`` in its head."""
    return (f"<!DOCTYPE html><html lang='en'><head><title>River festival draws a record crowd</title>{head}</head>"
            f"<body><article><h1>River festival draws a record crowd</h1>{BODY}</article></body></html>")


def write_aeb_corpus(corpora: pathlib.Path) -> pathlib.Path:
    """Write the four pages and their ground truth under ``corpora/aeb``; returns ``corpora``."""
    corpus = corpora / "aeb"
    (corpus / "html").mkdir(parents=True)
    truth: dict[str, dict[str, str]] = {}
    for page_id, (url, head) in PAGES.items():
        (corpus / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(page_html(head).encode("utf-8")))
        truth[page_id] = {"url": url, "articleBody": BODY.replace("<p>", "").replace("</p>", "\n")}
    (corpus / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return corpora

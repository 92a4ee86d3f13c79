"""Main-text extraction quality and speed on the ScrapingHub article-extraction benchmark.

Run ``python -m benchmarks.quality_extraction [--corpora PATH]``. The corpus (181 pages and their
hand-checked article bodies) is not part of the repository; it is read from ``../shared/corpora/aeb``
by default. The metric is the benchmark's own, implemented here: per page, the multiset of word 4-gram
shingles (words are runs of ``\\w``, case kept) of the prediction is matched against the ground truth;
precision and recall are averaged over pages and F1 is their harmonic mean. ``f1_page_mean`` is also
given: the mean of per-page F1 values, a stricter reading that punishes pages that fail outright.
Speed is pages per second of CPU time, one process, after one warm-up page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import pathlib
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable

from bs4 import BeautifulSoup

from benchmarks.corpora import corpora_dir

DEFAULT_CORPORA = corpora_dir()
WORD = re.compile(r"\w+")
SHINGLE_WORDS = 4

Extractor = Callable[[str, "str | None"], str]


def newsbeam_main_content(html: str, url: str | None) -> str:
    """Our pipeline's extraction: ``transforms.main_content.extract_main_content``."""
    from transforms.main_content import extract_main_content

    main = extract_main_content(html, url=url)
    return main.text if main else ""


def trafilatura_defaults(html: str, url: str | None) -> str:
    """trafilatura.extract with its defaults, comments left out (as the benchmark runs it)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def beautifulsoup_get_text(html: str, url: str | None) -> str:
    """Every text node of the page: the baseline (as the benchmark runs it)."""
    return BeautifulSoup(html, "html.parser").get_text(separator=" ", strip=True)


NEWSBEAM = "newsbeam extract_main_content"
TRAFILATURA = "trafilatura.extract (defaults)"
EXTRACTORS: dict[str, Extractor] = {
    NEWSBEAM: newsbeam_main_content,
    TRAFILATURA: trafilatura_defaults,
    "BeautifulSoup get_text": beautifulsoup_get_text,
}


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-gram shingles of ``text`` with their counts (a shorter text is one shingle)."""
    words = WORD.findall(text or "")
    count = max(1, len(words) - SHINGLE_WORDS + 1)
    return Counter(tuple(words[i:i + SHINGLE_WORDS]) for i in range(count) if words[i:i + SHINGLE_WORDS])


def page_scores(truth: str, prediction: str) -> tuple[float | None, float | None]:
    """Precision and recall of one page's shingles; None where undefined (nothing predicted or true)."""
    expected, predicted = shingles(truth), shingles(prediction)
    true_positive = sum((expected & predicted).values())
    false_positive = sum((predicted - expected).values())
    false_negative = sum((expected - predicted).values())
    if false_positive == false_negative == 0:
        return 1.0, 1.0
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else None
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else None
    return precision, recall


def score(truths: dict[str, str], predictions: dict[str, str]) -> dict[str, float]:
    """Precision, recall and F1 averaged over pages, the way the benchmark averages them."""
    pairs = [page_scores(truths[key], predictions.get(key, "")) for key in truths]
    precision = statistics.mean(p for p, _ in pairs if p is not None)
    recall = statistics.mean(r for _, r in pairs if r is not None)
    per_page_f1 = [2 * p * r / (p + r) if p and r else 0.0 for p, r in pairs]
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "f1_page_mean": statistics.mean(per_page_f1),
    }


def find_corpus(corpora_dir: pathlib.Path) -> pathlib.Path | None:
    """The benchmark folder: ``corpora_dir`` itself or its ``aeb`` subfolder."""
    for candidate in (corpora_dir, corpora_dir / "aeb"):
        if (candidate / "ground-truth.json").is_file() and (candidate / "html").is_dir():
            return candidate
    return None


def load_pages(corpus: pathlib.Path) -> tuple[dict[str, str], dict[str, str], dict[str, str | None]]:
    """HTML, ground-truth body and URL of every page, by page id."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
             for key in truth}
    bodies = {key: item.get("articleBody") or "" for key, item in truth.items()}
    urls = {key: item.get("url") for key, item in truth.items()}
    return pages, bodies, urls


def absent_note(corpora_dir: pathlib.Path) -> str:
    """What to say when the benchmark is not under ``corpora_dir``: where to get it and where to put it."""
    return (f"corpus not found at {corpora_dir}; it is the ScrapingHub article-extraction-benchmark (MIT), "
            "https://github.com/scrapinghub/article-extraction-benchmark: put its ground-truth.json and "
            "html/ folder under <corpora>/aeb/ and name that <corpora> folder on the command line.")


def measure(corpora_dir: pathlib.Path) -> dict:
    """Quality (precision, recall, F1) and speed (pages per CPU second) of each extractor on the benchmark."""
    corpus = find_corpus(corpora_dir)
    if corpus is None:
        raise FileNotFoundError(f"no ground-truth.json and html/ under {corpora_dir} or {corpora_dir / 'aeb'}")
    pages, bodies, urls = load_pages(corpus)
    results: dict[str, dict[str, float]] = {}
    for name, extractor in EXTRACTORS.items():
        first = next(iter(pages))
        extractor(pages[first], urls[first])  # warm-up: imports and lazy tables are not page costs
        # CPU time of this process, not wall time: steadier on a machine shared with other work
        started = time.process_time()
        predictions = {key: extractor(html, urls[key]) for key, html in pages.items()}
        elapsed = time.process_time() - started
        results[name] = {**score(bodies, predictions), "pages_per_s": len(pages) / elapsed}
    return {"corpus": str(corpus), "pages": len(pages), "extractors": results}


def format_table(measured: dict) -> str:
    """The measurements as a plain-text table."""
    lines = [f"{measured['pages']} pages from {measured['corpus']}",
             f"{'extractor':<32} {'F1':>6} {'P':>6} {'R':>6} {'F1/page':>8} {'pages/s':>8}"]
    for name, row in measured["extractors"].items():
        lines.append(f"{name:<32} {row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} "
                     f"{row['f1_page_mean']:8.3f} {row['pages_per_s']:8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and print the table, or explain where the corpus should be."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=pathlib.Path, default=DEFAULT_CORPORA,
                        help=f"folder holding aeb/ (or the aeb folder itself); default {DEFAULT_CORPORA}")
    args = parser.parse_args(argv)
    if find_corpus(args.corpora) is None:
        print(absent_note(args.corpora), file=sys.stderr)
        return 2
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns on every page it gives up on
    print(format_table(measure(args.corpora)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

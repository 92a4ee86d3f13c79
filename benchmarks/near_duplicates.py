"""How far apart ``text_simhash`` puts different articles, and copies of one article, on real pages.

On the article-extraction benchmark's ground truth (181 real articles, ``../shared/corpora/aeb``):

- ``distinct``: the bits between every two different articles (none should be within the threshold);
- ``wire_copy``: each article against itself with a dateline before and a line after, as a syndicated copy;
- ``sentence_dropped``: each article against itself without one sentence in ten and with a copyright line added.

Run ``python -m benchmarks.near_duplicates [CORPORA_DIR]``; it prints the figures and the per-article cost.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import random
import re
import statistics
import sys
import time

from benchmarks.corpora import corpora_dir
from transforms.near_duplicates import NEAR_DUPLICATE_BITS, differing_bits, text_simhash

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def wire_copy(text: str) -> str:
    """``text`` as a syndicated copy: a dateline before it and a line after."""
    return "PORT CITY (Wire) \u2014 " + text + " Follow our coverage online."


def without_a_sentence_in_ten(text: str, generator: random.Random) -> str:
    """``text`` without one sentence in ten (at least one) and with a copyright line inserted."""
    sentences = SENTENCE_END.split(text)
    for _ in range(max(1, len(sentences) // 10)):
        if len(sentences) > 2:
            sentences.pop(generator.randrange(len(sentences)))
    sentences.insert(generator.randrange(len(sentences) + 1), "Copyright 2024 The Wire. All rights reserved.")
    return " ".join(sentences)


def spread(values: list[int]) -> dict[str, float]:
    """Minimum, median, 90th percentile and maximum, and how many are within the threshold."""
    ordered = sorted(values)
    return {"min": ordered[0], "median": statistics.median(ordered), "p90": ordered[int(0.9 * (len(ordered) - 1))],
            "max": ordered[-1], "within_threshold": sum(value <= NEAR_DUPLICATE_BITS for value in ordered)}


def measure(corpus: pathlib.Path) -> dict[str, object]:
    """The three distributions over the corpus's ground-truth bodies, and the time per fingerprint."""
    bodies = [entry["articleBody"] for entry in json.loads((corpus / "ground-truth.json").read_text()).values()]
    started = time.perf_counter()
    fingerprints = [text_simhash(body) for body in bodies]
    per_article_ms = 1000 * (time.perf_counter() - started) / len(bodies)
    kept = [(body, value) for body, value in zip(bodies, fingerprints) if value is not None]
    generator = random.Random(1)
    return {
        "articles": len(bodies), "fingerprinted": len(kept), "threshold_bits": NEAR_DUPLICATE_BITS,
        "ms_per_article": round(per_article_ms, 3),
        "distinct": spread([differing_bits(a, b) for (_, a), (_, b) in itertools.combinations(kept, 2)]),
        "wire_copy": spread([differing_bits(value, text_simhash(wire_copy(body)) or 0) for body, value in kept]),
        "sentence_dropped": spread([differing_bits(value, text_simhash(without_a_sentence_in_ten(body, generator))
                                                   or 0) for body, value in kept]),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures as JSON (exit 1 when the corpus is absent, saying where it was looked for)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpora", nargs="?", type=pathlib.Path, default=corpora_dir())
    corpus = parser.parse_args(argv).corpora / "aeb"
    if not (corpus / "ground-truth.json").is_file():
        print(f"near_duplicates: no {corpus / 'ground-truth.json'} (the shared corpora are needed)", file=sys.stderr)
        return 1
    print(json.dumps(measure(corpus), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

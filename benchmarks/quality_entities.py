"""Entity extraction quality on our labelled sentences: micro precision/recall/F1 and throughput.

The labelled set (``tests/fixtures/entities_labelled.jsonl``) is written by us: one sentence per line with
the canonical ids of every gazetteer entity it mentions, and its language (ISO 639-1) where a name counts only
in some languages ("UE", the EU in French; "Itu", a Brazilian city and Indonesian "that"). Gold labels follow the packaged gazetteer
(default ``TransformSettings``): countries, cities of 100,000+ people and capitals, the packaged regions
and organisations. Demonyms ("Iranian") are not mentions; a place name inside another name is not a
mention of the place ("Paris Agreement", "Michael Jordan", "Tokio Hotel"), nor is a person's surname ("Johan
Santana", "Mr. Munger"); a short name in capitals alone is an acronym ("ANN:", "OTA updates"), but counts in a
dateline ("BAKU, Nov. 3 —"); a US state is not the country Georgia; a place name in a school's name ("University of
Maryland"), in an organisation's name ("Internet Society of Ghana", "Telecom Fiji Ltd.") or in a web address or a
top-level domain (".ভারত") is not a mention of the place, but one in its own government's name is ("Michigan
Department of Health").

Scores are micro-averaged over (sentence, id) pairs. Run: ``python -m benchmarks.quality_entities``.

``--articles OUT`` reads a pipeline output's articles instead (``newsbeam ingest -o OUT shared/corpora/realfeeds``),
finds their entities again from the text they were annotated from, and counts place mentions, and those right
after a capitalised word, where people's names and other names hide ("Charlie Munger", "Tokio Hotel"): there is
no gold there, the list of those mentions is for reading.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from transforms.entities import EntityMatcher, article_text, extract_entities
from transforms.gazetteer import build_gazetteer_uncached
from transforms.records import Article
from transforms.settings import TransformSettings

LABELLED_PATH = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "entities_labelled.jsonl"
_MIN_TIMING_S = 0.5
_PLACE_TYPES = frozenset({"country", "city", "other"})
# A word, then spaces up to the end of the searched span (a word before a mention, nothing else between).
_WORD_BEFORE = re.compile(r"(\w+) +\Z")
_FUNCTION_WORDS = frozenset("a an and at by for from in into of on or the to with".split())


class LabelledSentence(NamedTuple):
    """One line of the labelled set."""

    text: str
    gold: set[str]
    language: str | None = None  # ISO 639-1, given where it decides what counts


def load_labelled(path: str | Path) -> list[LabelledSentence]:
    """The sentences of a labelled JSONL file, with their gold ids and language."""
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [LabelledSentence(row["text"], set(row["entities"]), row.get("language")) for row in rows]


def score(rows: list[LabelledSentence], matcher: EntityMatcher) -> dict[str, Any]:
    """Micro precision, recall and F1 over (sentence, id) pairs, with the misses and false hits."""
    true_positives = false_positives = false_negatives = 0
    errors: list[dict[str, Any]] = []
    for text, gold, language in rows:
        found = {entity["id"] for entity in extract_entities(text, matcher, language)}
        true_positives += len(found & gold)
        false_positives += len(found - gold)
        false_negatives += len(gold - found)
        if found != gold:
            errors.append({"text": text, "missed": sorted(gold - found), "spurious": sorted(found - gold)})
    found_total, gold_total = true_positives + false_positives, true_positives + false_negatives
    precision = true_positives / found_total if found_total else 1.0
    recall = true_positives / gold_total if gold_total else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "sentences": len(rows), "gold": gold_total, "true_positives": true_positives,
        "false_positives": false_positives, "false_negatives": false_negatives,
        "precision": precision, "recall": recall, "f1": f1, "errors": errors,
    }


def throughput(rows: list[LabelledSentence], matcher: EntityMatcher) -> dict[str, float]:
    """Sentences, characters and entity mentions per second of ``extract_entities`` (repeated >= 0.5 s)."""
    sentences = characters = mentions = 0
    started = time.perf_counter()
    while time.perf_counter() - started < _MIN_TIMING_S:
        for text, _, language in rows:
            mentions += sum(entity["mentions"] for entity in extract_entities(text, matcher, language))
            characters += len(text)
        sentences += len(rows)
    elapsed = time.perf_counter() - started
    return {
        "sentences_per_s": sentences / elapsed, "chars_per_s": characters / elapsed,
        "entities_per_s": mentions / elapsed,
    }


def measure(
    labelled_path: str | Path = LABELLED_PATH, settings: TransformSettings | None = None
) -> dict[str, Any]:
    """Quality and speed of entity extraction on a labelled file, with gazetteer build times."""
    settings = settings or TransformSettings()
    started = time.perf_counter()
    gazetteer = build_gazetteer_uncached(settings.alias_paths, settings.min_city_population)
    built = time.perf_counter()
    matcher = EntityMatcher(gazetteer)
    matcher_built = time.perf_counter()
    rows = load_labelled(labelled_path)
    result = score(rows, matcher)
    result.update(throughput(rows, matcher))
    result.update(
        gazetteer_aliases=len(gazetteer.aliases), gazetteer_entities=len(gazetteer.entities),
        gazetteer_build_s=built - started, matcher_build_s=matcher_built - built,
    )
    return result


def format_table(result: dict[str, Any]) -> str:
    """The quality table, then every sentence where extraction differs from the labels."""
    lines = [f"{'metric':<22}{'value':>14}"]
    lines += [f"{key:<22}{result[key]:>14}"
              for key in ("sentences", "gold", "true_positives", "false_positives", "false_negatives")]
    lines += [f"{key:<22}{result[key]:>14.3f}" for key in ("precision", "recall", "f1")]
    lines += [f"{key:<22}{result[key]:>14,.0f}" for key in ("sentences_per_s", "chars_per_s", "entities_per_s")]
    lines += [f"{key:<22}{result[key]:>14,}" for key in ("gazetteer_aliases", "gazetteer_entities")]
    lines += [f"{key:<22}{result[key]:>14.2f}" for key in ("gazetteer_build_s", "matcher_build_s")]
    lines += [f"- {error['text']}\n    missed {error['missed']}  spurious {error['spurious']}"
              for error in result["errors"]]
    return "\n".join(lines)


def places_after_capitals(texts: Iterable[str], matcher: EntityMatcher) -> dict[str, Any]:
    """Place mentions in ``texts``, those right after a capitalised word (spaces between), and those after one
    that is not a function word ("The", "In"), with the word, the mention and the place of each of the latter."""
    counts = {"place_mentions": 0, "after_capitalised_word": 0, "after_capitalised_non_function_word": 0}
    listed: list[str] = []
    for text in texts:
        for match in matcher.find(text):
            entity = matcher.entities[match.entity_id]
            if entity.type not in _PLACE_TYPES:
                continue
            counts["place_mentions"] += 1
            before = _WORD_BEFORE.search(text, max(0, match.start - 40), match.start)
            if before is None or not before[1][0].isupper():
                continue
            counts["after_capitalised_word"] += 1
            if before[1].lower() not in _FUNCTION_WORDS:
                counts["after_capitalised_non_function_word"] += 1
                listed.append(f"{before[1]} {text[match.start:match.end]} -> {entity.name}")
    return {**counts, "mentions": listed}


def output_texts(output: str | Path) -> list[str]:
    """The text each article of a pipeline output was annotated from (``article_text``), in article id order."""
    return [text for text, _ in output_articles(output)]


def output_articles(output: str | Path) -> list[tuple[str, str | None]]:
    """Each article of a pipeline output as (the text it was annotated from, its detected language), in article
    id order."""
    rows = duckdb.connect().sql(
        "SELECT title, summary_text, body_text, language FROM read_parquet(?) ORDER BY article_id",
        params=[str(Path(output) / "articles" / "**" / "*.parquet")],
    ).fetchall()
    return [
        (article_text(Article(title=title, summary_text=summary, body_text=body)), language)
        for title, summary, body, language in rows
    ]


def main(argv: list[str] | None = None) -> None:
    """Print the quality table, then every sentence where extraction differs from the labels; or, with
    ``--articles OUT``, the place mentions after a capitalised word in a pipeline output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", metavar="OUT", help="a pipeline output directory to read instead")
    arguments = parser.parse_args(argv)
    if arguments.articles is None:
        print(format_table(measure()))
        return
    settings = TransformSettings()
    matcher = EntityMatcher(build_gazetteer_uncached(settings.alias_paths, settings.min_city_population))
    found = places_after_capitals(output_texts(arguments.articles), matcher)
    print(json.dumps({key: value for key, value in found.items() if key != "mentions"}))
    print("\n".join(found["mentions"]))


if __name__ == "__main__":
    main()

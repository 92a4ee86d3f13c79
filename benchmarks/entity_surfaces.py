"""Entity mentions of pipeline outputs grouped by the text they matched: the list to read for precision on real text.

Run the pipeline over the shared corpora first (``newsbeam ingest -o OUT ../shared/corpora/realfeeds``, the same
for ``aeb/html``; ``newsbeam backfill`` for ``warc``), then ``python -m benchmarks.entity_surfaces OUT [OUT ...]
[--top N] [--contexts N]``. Each article's entities are found again from the text they were annotated from, in
its detected language. For each matched surface ("US", "Reading", "Могу") and entity, most frequent first, it
prints how often, in which languages, the kinds of suspect it is, and a few of its contexts (drawn with a fixed
seed):

- ``short``: at most four characters ("Iran", "UE", "Kita");
- ``capitals``: written all in capitals ("NYC", "WASHINGTON");
- ``lowercase``: written in lower case ("reunion", "canada");
- ``word``: a lowercase word of a word list found on the machine (``/usr/share/dict``, Debian's ``wamerican``
  and ``wbritish``), when there is one ("Reading", "Mobile").

There is no gold: judging the contexts by reading is the measure (README, the quality table). A context holds
up to 60 characters of the corpus either side: print it, never copy it into the repository.

``--draw N [--seed S]`` prints N mentions drawn at random instead (seed 2027 unless given), from every mention of the
outputs in the order given, article id and text order: the draw whose mentions are read for precision on real text.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import random
from collections.abc import Iterable
from typing import NamedTuple

from benchmarks.quality_entities import output_articles
from transforms.entities import EntityMatcher, Match
from transforms.gazetteer import build_gazetteer_uncached
from transforms.settings import TransformSettings

WORD_LISTS = (pathlib.Path("/usr/share/dict/american-english"), pathlib.Path("/usr/share/dict/british-english"))
CONTEXT_CHARS = 60
DRAW_SEED = 2027
_SHORT_CHARS = 4
_SEED = 1


class Surface(NamedTuple):
    """A matched text and the entity it was taken for."""

    text: str
    entity_id: str


def lowercase_words(paths: Iterable[pathlib.Path] = WORD_LISTS) -> frozenset[str]:
    """The all-lowercase entries of the word lists that exist (proper names are capitalised there)."""
    words: set[str] = set()
    for path in paths:
        if path.exists():
            words.update(line.strip() for line in path.read_text("utf-8", "replace").splitlines() if line.islower())
    return frozenset(words)


def suspect_kinds(surface: str, words: frozenset[str]) -> list[str]:
    """The kinds of suspect a matched surface is (see module)."""
    kinds = [
        ("short", len(surface) <= _SHORT_CHARS), ("capitals", surface.isupper() and len(surface) > 1),
        ("lowercase", surface.islower()), ("word", surface.lower() in words),
    ]
    return [kind for kind, applies in kinds if applies]


def mentions_by_surface(
    articles: Iterable[tuple[str, str | None]], matcher: EntityMatcher
) -> dict[Surface, list[tuple[str | None, str]]]:
    """Every mention in ``articles`` ((text, language) pairs), as (language, context) by surface, in text order."""
    found: dict[Surface, list[tuple[str | None, str]]] = collections.defaultdict(list)
    for text, language in articles:
        for match in matcher.find(text, language):
            found[Surface(text[match.start:match.end], match.entity_id)].append((language, _context(text, match)))
    return found


def drawn_mentions(
    articles: Iterable[tuple[str, str | None]], matcher: EntityMatcher, size: int, seed: int = DRAW_SEED
) -> list[str]:
    """``size`` mentions drawn at random (``seed``) from every mention of ``articles`` in their order, each a line:
    its number in the draw, entity and context."""
    mentions = [(text, match) for text, language in articles for match in matcher.find(text, language)]
    drawn = random.Random(seed).sample(mentions, min(size, len(mentions)))
    return [f"{number:>4} {match.entity_id} ({matcher.entities[match.entity_id].name}) {_context(text, match)}"
            for number, (text, match) in enumerate(drawn)]


def _context(text: str, match: Match) -> str:
    """The match in double brackets with up to ``CONTEXT_CHARS`` characters either side, on one line."""
    before = text[max(0, match.start - CONTEXT_CHARS): match.start]
    after = text[match.end: match.end + CONTEXT_CHARS]
    return " ".join(f"{before}[[{text[match.start:match.end]}]]{after}".split())


def format_report(found: dict[Surface, list[tuple[str | None, str]]], matcher: EntityMatcher, words: frozenset[str],
                  top: int, contexts: int) -> str:
    """The ``top`` most frequent surfaces, each with its entity, count, languages, kinds and ``contexts`` contexts."""
    total = sum(map(len, found.values()))
    lines = [f"{total} mentions, {len(found)} surfaces; the {min(top, len(found))} most frequent:"]
    ranked = sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    for rank, (surface, mentions) in enumerate(ranked):
        entity = matcher.entities[surface.entity_id]
        languages = collections.Counter(language or "?" for language, _ in mentions)
        kinds = ",".join(suspect_kinds(surface.text, words)) or "-"
        lines.append(f"{rank:>4} {surface.text!r} -> {entity.name} ({entity.type}) x{len(mentions)} "
                     f"{dict(languages.most_common())} [{kinds}]")
        drawn = random.Random(_SEED).sample(mentions, min(contexts, len(mentions)))
        lines += [f"       {context}" for _, context in drawn]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the surfaces of the pipeline outputs given, most frequent first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", nargs="+", metavar="OUT", help="pipeline output directories")
    parser.add_argument("--top", type=int, default=200, help="how many surfaces to list (default 200)")
    parser.add_argument("--contexts", type=int, default=6, help="contexts shown per surface (default 6)")
    parser.add_argument("--draw", type=int, metavar="N", help="print N mentions drawn at random instead")
    parser.add_argument("--seed", type=int, default=DRAW_SEED, help=f"the draw's seed (default {DRAW_SEED})")
    arguments = parser.parse_args(argv)
    settings = TransformSettings()
    matcher = EntityMatcher(build_gazetteer_uncached(settings.alias_paths, settings.min_city_population))
    articles = [article for output in arguments.outputs for article in output_articles(output)]
    if arguments.draw is not None:
        print("\n".join(drawn_mentions(articles, matcher, arguments.draw, arguments.seed)))
        return
    print(format_report(mentions_by_surface(articles, matcher), matcher, lowercase_words(), arguments.top,
                        arguments.contexts))


if __name__ == "__main__":
    main()

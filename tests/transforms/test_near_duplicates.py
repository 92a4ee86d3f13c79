"""The near-duplicate fingerprint: close for nearly the same text, far for different texts, stable everywhere."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.corpora import corpora_dir
from transforms.near_duplicates import (MAX_WORDS, MIN_WORDS, NEAR_DUPLICATE_BITS, WORD, differing_bits,
                                        shingle_hashes, text_simhash)

REPO = pathlib.Path(__file__).resolve().parents[2]
AEB_TRUTH = corpora_dir() / "aeb" / "ground-truth.json"

STORY = (
    "The morning ferry from the capital to the island resumed service on Tuesday after a week of storms kept "
    "it in harbour. The port authority said the vessel left at seven with two hundred passengers and forty "
    "cars on board, and that the crossing took just under three hours. Fishermen who had waited out the "
    "weather on the quay said the sea was calm for the first time since the start of the month. The operator "
    "plans to add an evening crossing on Fridays until the end of the season, when demand from families "
    "visiting relatives on the island is highest. Repairs to the northern pier, damaged by waves on Sunday, "
    "will take another fortnight; until then the ferry docks at the old fishing jetty, which can take only "
    "one vessel at a time. Tickets bought for cancelled crossings remain valid until the end of next month, "
    "the operator said, and passengers who cannot travel may ask for a refund at the harbour office."
)


# The same story in Chinese, written without spaces: each character is a token.
STORY_ZH = (
    "周二上午，连接首都和岛屿的渡轮在一周暴风雨后恢复运营。港口管理局表示，船只于七点出发，载有两百名乘客和四十辆汽车，"
    "航程不到三个小时。在码头等待天气好转的渔民说，这是本月以来海面第一次平静。运营方计划在本季结束前每周五增加一班晚间"
    "航班，因为这段时间回岛探亲的家庭最多。周日被海浪损坏的北码头还需要两周才能修好，在此之前渡轮停靠在旧渔港，那里一次"
    "只能停靠一艘船。"
)


def release_note(name: str, version: str, ordinal: str, codename: str, feature: str, removed: str) -> str:
    """Notes written from one template: different articles that share most of their words."""
    return (f"{name} {version} \u201c{codename}\u201d has been released, the {ordinal} stable release branch. "
            f"It brings {feature} and drops support for {removed}. Users of the previous release should "
            f"upgrade within a month, when it stops receiving security updates. The full list of changes, "
            f"the upgrade guide and the known issues of {name} {version} are on the project's website, and "
            f"the installation images can be downloaded from the usual mirrors as of today.")


def test_the_same_text_gives_the_same_fingerprint_and_case_and_punctuation_do_not_matter() -> None:
    fingerprint = text_simhash(STORY)
    assert fingerprint is not None
    assert text_simhash(STORY) == fingerprint
    assert text_simhash(STORY.upper().replace(",", "").replace(".", " ;")) == fingerprint
    assert text_simhash("  \n".join(STORY.split())) == fingerprint


def test_a_copy_with_a_line_added_or_changed_is_a_near_duplicate() -> None:
    fingerprint = text_simhash(STORY)
    wire_copy = "ISLAND PORT (Courier wire) \u2014 " + STORY + " Follow our coverage of the storms online."
    edited = STORY.replace("two hundred passengers", "about 230 passengers")
    assert differing_bits(fingerprint, text_simhash(wire_copy)) <= NEAR_DUPLICATE_BITS
    assert differing_bits(fingerprint, text_simhash(edited)) <= NEAR_DUPLICATE_BITS


def test_articles_written_from_one_template_are_not_near_duplicates() -> None:
    notes = [release_note("Quaylinux", "16.03", "fifth", "Emu", "a new installer", "32-bit machines"),
             release_note("Quaylinux", "16.09", "sixth", "Flounder", "faster boot times", "the old kernel"),
             release_note("Quaylinux", "17.03", "seventh", "Gorilla", "a graphical package manager", "Python 2")]
    fingerprints = [text_simhash(note) for note in notes]
    distances = [differing_bits(a, b) for index, a in enumerate(fingerprints) for b in fingerprints[index + 1:]]
    assert min(distances) > 2 * NEAR_DUPLICATE_BITS, distances


def test_different_word_order_is_a_different_text() -> None:
    words = STORY.split()
    assert differing_bits(text_simhash(STORY), text_simhash(" ".join(reversed(words)))) > 2 * NEAR_DUPLICATE_BITS


def test_text_without_spaces_is_read_character_by_character() -> None:
    """A Chinese article is one run of word characters to ``\\w+``: it got no fingerprint (under 30 words)."""
    fingerprint = text_simhash(STORY_ZH)
    assert fingerprint is not None
    assert WORD.findall("渡轮在一周") == ["渡", "轮", "在", "一", "周"]
    assert differing_bits(fingerprint, text_simhash(STORY_ZH.replace("七点", "八点"))) <= NEAR_DUPLICATE_BITS
    assert differing_bits(fingerprint, text_simhash("".join(reversed(STORY_ZH)))) > 2 * NEAR_DUPLICATE_BITS
    assert WORD.findall("naïve café, the ferry's") == ["naïve", "café", "the", "ferry", "s"]  # spaced: words


def test_texts_under_the_minimum_get_no_fingerprint() -> None:
    words = WORD.findall(STORY)
    assert text_simhash(" ".join(words[:MIN_WORDS - 1])) is None
    assert text_simhash(" ".join(words[:MIN_WORDS])) is not None
    assert text_simhash(None) is None
    assert text_simhash("") is None
    assert text_simhash("\u2014 \u2022 ... !!! " * 50) is None  # no words at all


def test_only_the_first_max_words_count() -> None:
    words = (WORD.findall(STORY) * (MAX_WORDS // 100 + 2))[:MAX_WORDS]
    text = " ".join(words)
    assert text_simhash(text + " and then a great many more words" * 500) == text_simhash(text)


def test_the_fingerprint_is_the_majority_vote_of_the_shingle_hashes() -> None:
    """The vectorised packing against the definition, bit by bit: bit i is set when more than half of the
    shingle hashes have bit i set; the 64-bit value is stored as a signed integer."""
    words = WORD.findall(STORY.casefold())
    hashes = [int(value) for value in shingle_hashes(words)]
    expected = sum(1 << bit for bit in range(64) if 2 * sum((value >> bit) & 1 for value in hashes) > len(hashes))
    signed = expected - (1 << 64) if expected >= 1 << 63 else expected
    assert text_simhash(STORY) == signed
    assert len(hashes) == len(words) - 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=12),
                min_size=0, max_size=120))
def test_any_text_gives_none_or_a_signed_64_bit_integer(pieces: list[str]) -> None:
    fingerprint = text_simhash(" ".join(pieces))
    assert fingerprint is None or -(1 << 63) <= fingerprint < 1 << 63
    if fingerprint is not None:
        assert differing_bits(fingerprint, fingerprint) == 0


def test_the_fingerprint_does_not_depend_on_the_process() -> None:
    """Python salts str hashes per process: a fingerprint built on them would differ between runs and workers."""
    code = ("import json, sys; from transforms.near_duplicates import text_simhash; "
            "print(json.dumps(text_simhash(sys.argv[1])))")
    values = {subprocess.run([sys.executable, "-c", code, STORY], cwd=REPO, capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert values == {json.dumps(text_simhash(STORY))}


@pytest.mark.skipif(not AEB_TRUTH.is_file(), reason=f"real-world corpora absent: {AEB_TRUTH}")
def test_the_benchmark_pages_are_no_near_duplicates_of_each_other() -> None:
    """181 different real articles (the article-extraction benchmark's ground truth): no two within the
    threshold (measured: the closest two are 17 bits apart)."""
    truth = json.loads(AEB_TRUTH.read_text())
    fingerprints = [value for entry in truth.values() if (value := text_simhash(entry["articleBody"])) is not None]
    assert len(fingerprints) >= 170
    closest = min(differing_bits(a, b) for index, a in enumerate(fingerprints) for b in fingerprints[index + 1:])
    assert closest > 2 * NEAR_DUPLICATE_BITS

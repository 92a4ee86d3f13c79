"""A 64-bit fingerprint of an article's text that stays close when the text is nearly the same (simhash).

The same story reaches a dataset under several ids: a wire story on ten sites, a post cross-posted to a
second blog, a page edited after syndication. Their ``content_sha256`` differ at the first changed byte;
their ``text_simhash`` differ in a few bits. Two articles whose fingerprints differ in at most
``NEAR_DUPLICATE_BITS`` bits are near-duplicates (the README's "Near-duplicates" has the DuckDB query,
and ``newsbeam inspect`` counts them). A flag in the row itself would depend on which copy arrived first
and would need older rows rewritten when an earlier copy is backfilled; the fingerprint is a value of the
row alone, the same on every rerun.

The fingerprint is Charikar's simhash over word 3-gram shingles of the case-folded text (body, else
summary): each shingle votes +1 or -1 on each of 64 bits by its hash, and the bits with more +1 than -1
are set. Shingles, not single words: trafilatura's simhash (a bag of its longer words) put release notes
written from one template ("NixOS 16.09 has been released, the sixth stable release...") 1 to 4 bits
apart, where shingles keep them 10 or more apart (cross-posts with a rewritten opening: 5 to 9). Texts of fewer
than ``MIN_WORDS`` words get none: a one-line teaser or a shared "Read the full story" stub would make
every short item a near-duplicate of every other. In Chinese, Japanese and Thai, written without spaces, each
character counts as a word (their 3-grams are character trigrams).
"""

from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from transforms.script_weights import UNSPACED_SCRIPTS

MIN_WORDS = 30
MAX_WORDS = 10_000  # a long article has a few thousand; the fingerprint of the first 10,000 is the text's
SHINGLE_WORDS = 3
NEAR_DUPLICATE_BITS = 6  # at most this many bits apart: the same text give or take a line or two (README)
# In scripts written without spaces between words each character is a token (Chinese, Japanese kana, Thai, Lao,
# Khmer, Myanmar), so 3-grams of them are character trigrams; elsewhere a token is a run of word characters.
WORD = re.compile(f"[{UNSPACED_SCRIPTS}]|[^\\W{UNSPACED_SCRIPTS}]+")
_UINT64 = np.uint64


@functools.lru_cache(maxsize=65_536)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _mixed(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit moves about half of the output bits (uint64 arithmetic wraps)."""
    values = (values ^ (values >> _UINT64(30))) * _UINT64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> _UINT64(27))) * _UINT64(0x94D049BB133111EB)
    return values ^ (values >> _UINT64(31))


def _rotated(values: np.ndarray, bits: int) -> np.ndarray:
    return (values << _UINT64(bits)) | (values >> _UINT64(64 - bits))


def shingle_hashes(words: list[str]) -> np.ndarray:
    """A 64-bit hash per run of ``SHINGLE_WORDS`` consecutive words (order matters: "a b c" is not "b c a")."""
    word_hashes = np.array([_word_hash(word) for word in words], dtype=_UINT64)
    count = len(words) - SHINGLE_WORDS + 1
    combined = word_hashes[:count].copy()
    for position in range(1, SHINGLE_WORDS):
        combined ^= _rotated(word_hashes[position:position + count], 21 * position)
    return _mixed(combined)


def text_simhash(text: str | None) -> int | None:
    """The text's 64-bit simhash as a signed integer (Parquet int64), or None under ``MIN_WORDS`` words."""
    words = WORD.findall((text or "").casefold())[:MAX_WORDS]
    if len(words) < MIN_WORDS:
        return None
    hashes = shingle_hashes(words)
    bits = np.unpackbits(hashes.astype("<u8").view(np.uint8), bitorder="little").reshape(len(hashes), 64)
    set_bits = bits.sum(axis=0, dtype=np.int64) * 2 > len(hashes)
    fingerprint = int(np.packbits(set_bits, bitorder="little").view("<u8")[0])
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def differing_bits(first: int, second: int) -> int:
    """How many bits two fingerprints differ in (their Hamming distance)."""
    return ((first ^ second) & ((1 << 64) - 1)).bit_count()


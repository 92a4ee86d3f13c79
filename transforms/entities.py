"""Find gazetteer entities (countries, cities, regions, organisations, people) in article text.

Matching runs on *folded* text: case-folded, diacritics removed, a few letters that Unicode does not
decompose mapped by hand (ı, ə, ø, ł, ß, ...), hyphens and whitespace read as a space, curly apostrophes
as straight ones. In Brahmic and other abugida scripts (Devanagari, Bengali, Tamil, Thai, ...) a combining
mark is a letter of its word (a vowel sign, virama or nukta), not an accent: folding keeps it there. The one
exception is the Devanagari nukta, which Hindi writers often leave out ("ग़ाज़ियाबाद" and "गाजियाबाद" are one
name): it is folded away, also from the precomposed letters (क़ to य़) that decompose into a letter and a nukta.
The Bengali nukta stays: য় is a letter of its own.
Folding keeps a map from folded to original positions, so every match can be checked against the
original spelling (is it capitalized? all in capitals?).

One Aho-Corasick automaton (pyahocorasick) holds every folded alias. A match counts when it sits on word
boundaries (no letter, digit or combining mark either side), passes the ambiguity rules below, and is not
overlapped by a longer match that starts at the same place or earlier (leftmost-longest).

Arabic and Hebrew glue conjunctions and prepositions to the next word: "وطهران" (and Tehran), "بالقاهرة" (in
Cairo), "בירושלים" (in Jerusalem), "שבירושלים" (that in Jerusalem). A name in either script also counts when
the rest of its word before it is a run of such prefixes (``_GLUED_PREFIXES``), provided the name has at least
``_MIN_PREFIXED_ALIAS`` letters. After the preposition ل an Arabic name's article ال loses its alef ("للقاهرة",
to Cairo): the automaton also holds those names without it, and such a form counts only after that ل.

Ambiguity rules, decided per alias when the matcher is built:
- Acronyms of at most four letters (``UN``, ``EU``, ``US``, ``ООН``, ``PACE``) match only when written in
  capitals, and not next to another all-capital word, so French "un", the pronoun "us", "at a pace" and
  "WHO IS NAVEEN" never count; nor as the region of a locale's tag ("en-US", "en_US.UTF-8"). An alias file that
  also lists the title-case form ("Nato") lets it match.
- Aliases of at most four characters (``Iran``, ``Oman``, ``Baku``, ``Nato``), words in ``COMMON_WORDS``
  ("turkey", "china", "chile") and aliases that the gazetteer marks as needing a capital (city
  alternate names, generated case forms, user entries with ``require_capital``) match only when the
  original text starts with a capital (or a letter of a script without case, or Georgian, whose lowercase
  letters Python knows but whose running text capitalizes no names).
- Words in ``MID_SENTENCE_WORDS`` ("Reading", "Mobile", "Nice", "Split") also must not open a sentence
  nor sit in a run of capitalized words, "&" included (a title: "A Nice Day Out", "Books & Reading").
- City alternate names written with diacritics match only where the text has them too (see gazetteer).
- Aliases in ``GIVEN_NAMES`` (Jordan, Chad, Georgia, Vladimir, Paris, ...) do not count when the word
  just before or after (spaces between, no punctuation) is capitalized and not a function word, or is a
  middle initial: "Michael Jordan", "Chad Smith", "Vladimir Putin", "Paris Agreement", "Elizabeth A. Burton"
  are not places; "In Jordan," is.
  Once a text uses such an alias inside a name, its bare mentions in that text are the person too.
- A place name (country, city, region) just after a capitalized given name (``transforms.given_names``:
  Faker's first names, less everyday words such as "North") or a title of address ("Mr.", "Prof", "Frau") is a
  surname: "Johan Santana", "Charlie Munger", "Tom Holland", "Mr. Munger"; so is one after a capitalized word
  and a middle initial ("John F. Kennedy"). Its bare mentions of the same alias in that text are the person too
  ("Santana threw 90 pitches"); other names of the place still count.
- A place name in another name is not the place: a school's, a newspaper's, a club's, a street's or a company's
  ("University of Maryland", "Newcastle University", "Washington Post", "Dallas Cowboys", "Real Madrid", "Oxford
  Street", "rue de Paris", "Air Astana"; the lexicon in ``transforms.name_heads``), or an organisation's longer name
  ("Rwanda Information Communication and Technology Association", "Telecom Cook Islands Ltd.", "Internet Society of
  Israel"; ``transforms.organisation_names``), but for a place's own government and public bodies.
- A name inside a web address, e-mail address or domain name is not a mention ("wikitravel.org/en/Singapore",
  "Berlin.de", "Boston.rb", the top-level domain ".ভারত"; ``transforms.link_spans``).
- A short name (at most four letters) that needs a capital (a city's, an alternate or a non-English name),
  written in capitals where the gazetteer's spelling is not, counts only in a dateline ("BAKU, Sept. 21 —") or
  beside another word in capitals ("FLOODS IN BAKU"): alone it is an acronym ("ANN: release 2.0", "OTA
  updates", "PA RI" in a list of state codes). English country names are exempt ("IRAN: talks resume").
- A city's alternate name in plain ASCII (exonyms and romanizations: "Tokio", "Wien", "Cheng") does not
  count before a capitalized word that is neither a function word nor a place name: it is part of another
  name ("Tokio Hotel", "Wien Hall", "Peking University"); "Cologne Germany" still counts.
- Demonyms are not matches: "Iranian" does not contain "Iran" because "Iran" would end inside a word.

A place name, a comma and a state or country are read together (``transforms.place_pairs``), from the other
places a name can be (``Gazetteer.readings``): "Atlanta, Georgia" is the US state, "Birmingham, Alabama" the city
there, and "Paris, Texas" no mention of Paris; so is a state's abbreviation ("Austin, TX", "Portland, Ore.";
``transforms.region_abbreviations``), and what a pair decides holds for the name's other mentions in the text. A
name that can be a state is one in a list of states ("Georgia and Virginia") or after "District of" ("the Southern
District of New York"; ``transforms.place_lists``).

``article_text`` joins title, summary and body, leaving out a summary that is an excerpt of the body (its
opening found in the body, after a trailing "[...]" or "…" is cut), so its mentions are not counted twice.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
import hashlib
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import ahocorasick

from transforms.alias_table import AliasTable
from transforms.link_spans import in_link
from transforms.name_heads import in_other_name
from transforms.place_lists import names_a_region, regions_first_in_lists
from transforms.place_pairs import Mention, pick_readings
from transforms.region_abbreviations import abbreviation_after
from transforms.records import Article, Entity

if TYPE_CHECKING:
    from transforms.gazetteer import Gazetteer, GazetteerEntity

# Letters that NFKD leaves whole, and punctuation read as its plain form. Hyphens and underscores fold to
# a space so that "Nagorno-Karabakh", "Nagorno Karabakh" and "New_York" match their aliases.
_EXPLICIT_FOLDS: dict[str, str] = {
    "ı": "i", "ə": "e", "ø": "o", "ł": "l", "ß": "ss", "đ": "d", "æ": "ae", "œ": "oe",
    "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "k", "ſ": "s", "ɨ": "i",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u02bb": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "-": " ", "_": " ", "\u2010": " ", "\u2011": " ", "\u2012": " ", "\u2013": " ", "\u00ad": "",
    # Devanagari nukta: optional in Hindi spelling (ज़/ज, फ़/फ). NFKD splits the precomposed letters U+0958 to
    # U+095F into base letter + nukta first, so they fold to their base letter, one character for one.
    "\u093c": "",
}
# Blocks of scripts whose combining marks are letters of the word (Brahmic and other abugidas: Devanagari to
# Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, Balinese, Javanese, Brahmi...); the marks of every other script
# are accents or optional vowel points (Latin, Greek, Cyrillic, Hebrew, Arabic) and are folded away.
_LETTER_MARK_BLOCKS = re.compile(
    "[\u0900-\u109f\u1700-\u1aaf\u1b00-\u1c4f\u1cd0-\u1cff\ua800-\uaaff\uabc0-\uabff\U00011000-\U00011fff]"
)
_ASCII_TABLE = str.maketrans(
    {"-": " ", "_": " ", "`": "'", "\t": " ", "\n": " ", "\r": " ", "\f": " ", "\v": " "}
)

# Everyday words (in English, French, German, Spanish, Italian, Portuguese, Turkish, Azerbaijani, Russian)
# that are also place names. Folded spelling. Alternate city names in either set are dropped from the
# gazetteer (``gazetteer.AMBIGUOUS_CITY_NAMES`` lists names dropped outright).
# Words whose capitalized form is nearly always the place, even opening a sentence ("Turkey said"):
# such an alias matches only when capitalized.
_CAPITALIZED_WORDS = frozenset(
    """
    turkey china chile japan guinea jersey niger kabul misir cada tahta sari kota mango morena tamale lira
    тема гера кантон
    """.split()
)
# Words that open sentences in their everyday sense ("Reading is...", "Mobile phone sales..."): such an
# alias matches only when capitalized and not at the start of a sentence. The second block: of the gazetteer's 80
# city names and alternates that are lowercase words of the English word lists (Debian's wamerican and wbritish), the
# 25 whose word is the commoner sense ("Moon Lander Project", "Shaping the Web", "Wellbutrin Xl Oral"); not famous
# places ("Phoenix", "Oxford", "Cork", "Tyre", "Erode"), nor "meshed" and "bender", whose Turkish and Azerbaijani
# alternates ("Meşhed", "Bəndər") would be dropped with them. Burs, Damask, Delis, Pert and Wean, plain alternates of
# Bursa, Damascus, Delhi, Perth and Vienna, are so dropped.
MID_SENTENCE_WORDS: frozenset[str] = frozenset(
    """
    nice split reading bath mobile chili buffalo tours angers essen halle siegen mesa plano pueblo billings
    boulder garland midland cypress natal serra campos palmas canoas franca cascavel contagem pelotas
    soledad bello pasto
    bade balsas bimbo bole brusque burs damask delis honcho jingling lander mantilla mascara oral pare pert pest
    ruse saga saki samba shaping simmering warder wean
    """.split()
)
COMMON_WORDS: frozenset[str] = _CAPITALIZED_WORDS | MID_SENTENCE_WORDS

# Place names that are also common given names or surnames: skipped next to another capitalized word.
GIVEN_NAMES: frozenset[str] = frozenset(
    """
    jordan chad georgia vladimir paris george mary leon fatih victoria charlotte florence austin lincoln
    eugene regina jackson madison hamilton houston dallas phoenix aurora irving columbus washington kent
    tyler warren norman chandler gilbert henderson richardson cary davie edison everett lowell thornton
    downey brent sutton preston dudley bolton milton newton windsor brooklyn savannah montgomery nigel
    alexandra alexandria elizabeth sydney darwin adelaide wellington santiago sofia nancy hamm hagen
    columbia santander salinas pereira florencia guadalupe vitoria marilia anand rohini jos minna medina
    kirov engels korolev zhukovsky kobe osaka kawasaki salem concepcion rosario lawrence hassan douglas
    stanley brandon hampton kira logan malte vaughan maurice
    владимир володимир питер джордж
    """.split()
)

# Capitalized words that do not make a neighbouring given-name alias part of a person's name: title-case
# function words, and words that open sentences ("In Jordan, ...", "Visiting Georgia, ...").
_FUNCTION_WORDS: frozenset[str] = frozenset(
    "a an and as at after amid across before but by during for from has have if in inside into is near of "
    "on or over says said since the then to until via visiting vs was when while will with without "
    "yesterday today meanwhile".split()
)
# Letters that Python calls lowercase but that running text never capitalizes: Georgian Mkhedruli ('ა'.islower()
# is True; its capitals, Mtavruli, serve only for all-capital headings).
_UNCAPITALIZED_LETTERS = re.compile("[\u10d0-\u10fa\u10fd-\u10ff]")
# Conjunctions and prepositions glued before a word, as a run of folded letters (a regular expression the
# whole run must match), for names written in the script's letters.
# Arabic: و or ف (and, so), then ب, ل or ك (in, to, like): "وطهران", "بطهران", "لبغداد", "وبالقاهرة". The
# future marker س goes before verbs only.
# Hebrew: ו (and), then ש or כש (that, when), then ב, כ, ל or מ (in, like, to, from): "וירושלים", "מירושלים",
# "שבירושלים". The article ה is left out: a name takes none, and after ב, כ or ל it is not written
# ("בירושלים"), so a word that opens with ה + a name is another word ("המרידה", the rebellion; מרידה is Mérida).
_GLUED_PREFIXES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff ]+"), re.compile("[وف]?[بلك]?")),
    (re.compile("[\u0590-\u05ff ]+"), re.compile("ו?(?:כ?ש)?[בכלמ]?")),
)
_PREFIX_LETTERS = frozenset("وفبلك" "וכשבלמ")
# Shorter names are too often the tail of an everyday word. Words of the Hunspell dictionaries (ar, he_IL) that
# split into prefixes + a name of the packaged gazetteer: at three letters Hebrew כלוב (cage: כ + לוב, Libya); at
# four, 41 words, such as Hebrew כיוון (direction: כ + יוון, Greece), שמאלי (leftist: ש + מאלי, Mali), בלימה
# (braking: ב + לימה, Lima), מפונה (evacuee: מ + פונה, Pune) and Arabic وجنان (and gardens: و + جنان, Jinan),
# بنيوي (structural: ب + نيوي, Niue), وسوسة (whispering: و + سوسة, Sousse); at five, 28 words, nearly all ending
# in the name of a small foreign town that is a word on its own already (11 in ابينا, Ebina) or truly prefixed
# names (בציריך, in Zurich; מסוריה, from Syria).
_MIN_PREFIXED_ALIAS = 5
_ARABIC_ARTICLE = "ال"
_SENTENCE_ENDS = frozenset('.!?\n\u2026"\u201c\u00ab(')
_PLACE_TYPES = frozenset({"country", "city", "other"})
# Titles of address: the capitalised name after one is a surname ("Mr. Munger", "Prof. Lyon"). Not "Dr", which
# in an address is a drive ("1445 Lakeside Dr. Oakland").
_HONORIFICS = frozenset("mr mrs ms mx prof sir dame herr frau mme mlle".split())
# A capitalised word, then a middle initial, just before a span ("John F. Kennedy"); a middle initial and a
# capitalised word just after one ("Elizabeth A. Burton").
_NAME_AND_INITIAL_BEFORE = re.compile(r"(\w+) +(\w)\. *\Z")
_INITIAL_AND_NAME_AFTER = re.compile(r" +(\w)\. +(\w)")
# "&" joining two capitalised words of one name or title ("Books & Reading", "Bath & Body Works").
_AMPERSAND_AFTER = re.compile(r" *&(?= )")
_AMPERSAND_BEFORE = re.compile(r"(?<= )& *\Z")
# A summary's opening that the body must contain for the summary to be an excerpt of it; and the marks that
# end an excerpt cut short: "[...]", "[…]", "(...)", "...", "…".
_EXCERPT_PROBE_CHARS = 100
_TRUNCATION_MARK = re.compile(r"\s*(?:[\[(]\s*(?:\.\.\.|\u2026)\s*[\])]|\.\.\.|\u2026)\s*\Z")
_STRAIGHT_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'))
_DATELINE_END = re.compile(r"\s*[,(\u2014\u2013-]")
# A language code and the hyphen or underscore of a locale's tag, just before its region ("en-US", "pt_BR"); a
# word of three letters or more before a hyphen is a prefix ("non-US", "anti-EU"), and so is "ex-".
_LOCALE_LANGUAGE_BEFORE = re.compile(r"(?<![^\W\d_])(?!ex)[a-z]{2}[-_]\Z")
_ACRONYM_MAX_LETTERS = 4


class CasePolicy(enum.IntEnum):
    """How the original spelling at a match must look for the match to count."""

    ANY = 0
    CAPITALIZED = 1
    CAPITALIZED_MID_SENTENCE = 2
    UPPERCASE = 3


@dataclasses.dataclass(frozen=True)
class AliasRule:
    """What one folded alias stands for and when it counts."""

    entity_id: str
    policy: CasePolicy
    given_name: bool
    require_diacritics: bool
    place: bool = False  # names a country, city or region: after a given name it is a surname
    require_capital: bool = False  # the gazetteer marks it (city, alternate and non-English names)
    ascii_alternate: bool = False  # a city's alternate name in plain ASCII ("Tokio", "Wien", "Cheng")
    languages: tuple[str, ...] = ()  # counts only in text of these languages (ISO 639-1); () in any


@dataclasses.dataclass(frozen=True)
class Match:
    """One mention: original character span and the entity it names."""

    start: int
    end: int
    entity_id: str
    given_name: bool = False  # the alias is also a given name (see ``GIVEN_NAMES``)
    alias_number: int = -1  # which alias matched, in the matcher's table


def _fold_char(char: str) -> str:
    """Fold one character: case-fold, NFKD, drop accents, explicit maps; whitespace -> space."""
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(_EXPLICIT_FOLDS.get(part, part) for part in decomposed if not _is_accent(part))


def _is_accent(char: str) -> bool:
    """True for a combining mark that folding drops: any but those of scripts where a mark is a letter."""
    return unicodedata.combining(char) != 0 and _LETTER_MARK_BLOCKS.match(char) is None


def _is_word_char(char: str) -> bool:
    """True for a letter, a digit or a combining mark (a vowel sign or virama belongs to its word)."""
    return char.isalnum() or unicodedata.category(char).startswith("M")


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character; remembers irregular ones.

    A character is irregular when its folded form is not exactly one character (ß -> ss, a combining
    mark -> nothing); only texts containing one need an explicit position map.
    """

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        if len(folded) != 1:  # recorded before the table entry, so a thread that sees one sees both
            self.irregular.add(chr(codepoint))
            self._pattern = None
        self[codepoint] = folded
        return folded

    def has_irregular(self, text: str) -> bool:
        """True when ``text`` holds a character seen to fold to other than one character."""
        if not self.irregular:
            return False
        if self._pattern is None:
            self._pattern = re.compile("|".join(re.escape(char) for char in sorted(self.irregular)))
        return self._pattern.search(text) is not None


_FOLD_TABLE = _FoldTable()


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` and map each folded index to its original index (None when they are the same)."""
    if text.isascii():
        return text.lower().translate(_ASCII_TABLE), None
    folded = text.translate(_FOLD_TABLE)  # fills the table first, so has_irregular sees every character
    if not _FOLD_TABLE.has_irregular(text):
        return folded, None
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_FOLD_TABLE[ord(char)]))
    return folded, offsets


def fold(text: str) -> str:
    """Case- and diacritic-fold ``text`` for matching ("Qarabağ" -> "qarabag", "Ə" -> "e"; "दिल्ली" keeps its
    vowel signs and virama)."""
    if text.isascii():
        return text.lower().translate(_ASCII_TABLE)
    return text.translate(_FOLD_TABLE)


def alias_policy(folded_alias: str, surface: str, require_capital: bool) -> CasePolicy:
    """Decide how the spelling of a match must look, from the alias and its written form."""
    if surface.isupper() and sum(char.isalpha() for char in surface) <= _ACRONYM_MAX_LETTERS:
        return CasePolicy.UPPERCASE
    surface_key = fold(surface).strip()
    if folded_alias in MID_SENTENCE_WORDS or surface_key in MID_SENTENCE_WORDS:
        return CasePolicy.CAPITALIZED_MID_SENTENCE
    short = min(len(folded_alias), len(surface_key)) <= 4
    if require_capital or short or folded_alias in COMMON_WORDS or surface_key in COMMON_WORDS:
        return CasePolicy.CAPITALIZED
    return CasePolicy.ANY


class _Verdict(enum.Enum):
    """What an alias occurrence is, after its rule."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NAME_PART = "name_part"  # a given-name alias inside a person's name: evidence about the whole text
    IN_NAME = "in_name"  # inside another entity's name ("University of New Mexico"): no alias within it counts


class EntityMatcher:
    """One Aho-Corasick automaton over every folded alias of a gazetteer; build once, reuse.

    The matcher keeps no reference to the gazetteer: the automaton stores each alias's number (a C int,
    not a Python object) and the aliases are packed in an ``AliasTable``, read only when one matches. For
    the packaged gazetteer: automaton 418,913 nodes (16.8 MB by pyahocorasick's own count; 371,366 nodes and
    14.9 MB before the Georgian and Bengali case forms), packed aliases and their lengths 7.6 MB (was 5.8).
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._set_up(*_packed(gazetteer))

    @classmethod
    def from_loader(cls, load: Callable[[], Gazetteer]) -> EntityMatcher:
        """A matcher over the gazetteer that ``load()`` returns, dropped as soon as its aliases are packed and
        before the automaton is built: when nothing else holds the gazetteer, the automaton reuses the memory
        it leaves (measured: the matcher then adds 30 MB to a process instead of 36)."""
        matcher = cls.__new__(cls)
        matcher._set_up(*_packed(load()))
        return matcher

    def _set_up(
        self, entities: dict[str, GazetteerEntity], aliases: AliasTable, given_names: array[int],
        readings: dict[str, tuple[str, ...]],
    ) -> None:
        """Keep ``entities``, ``aliases``, ``given_names`` (see ``name_digests``) and the other readings of aliases
        (by alias number); build the automaton, whose values are alias numbers, and after them the numbers of
        Arabic names without their article's alef (``_elided`` maps those to alias numbers)."""
        self.entities = entities
        self._aliases = aliases
        self._given_names = given_names
        self._readings: dict[int, tuple[str, ...]] = {}  # alias number -> other places it can name
        self._rules: dict[int, AliasRule] = {}  # filled on an alias's first match: most never match
        self._folded_lengths = array("I", [0]) * len(aliases)
        self._elided = array("I")
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)  # values must stay below 2**31
        article_names: list[tuple[int, str]] = []
        for index, folded_alias in enumerate(aliases.folded):
            self._folded_lengths[index] = len(folded_alias)
            if folded_alias in readings:
                self._readings[index] = readings[folded_alias]
            if folded_alias.strip():
                self._automaton.add_word(folded_alias, index)
            if folded_alias.startswith(_ARABIC_ARTICLE) and len(folded_alias) >= _MIN_PREFIXED_ALIAS:
                article_names.append((index, folded_alias[1:]))
        # aliases that may be read as a region in a list of regions (``transforms.place_lists``)
        self._region_named = frozenset(
            index for index, other in self._readings.items() if names_a_region(other, entities))
        for index, elided in article_names:
            if not self._automaton.exists(elided):  # a written alias keeps its own spelling
                self._automaton.add_word(elided, len(aliases) + len(self._elided))
                self._elided.append(index)
                self._folded_lengths.append(len(elided))
        if len(self._automaton):
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._automaton)

    def rule(self, index: int) -> AliasRule:
        """The match rule of alias number ``index``, decided on first use."""
        rule = self._rules.get(index)
        if rule is None:
            alias = self._aliases[index]
            rule = AliasRule(
                entity_id=alias.entity_id,
                policy=alias_policy(alias.folded, alias.surface, alias.require_capital),
                given_name=alias.folded in GIVEN_NAMES or fold(alias.surface).strip() in GIVEN_NAMES,
                require_diacritics=alias.require_diacritics,
                place=self.entities[alias.entity_id].type in _PLACE_TYPES,
                require_capital=alias.require_capital,
                ascii_alternate=alias.alternate and alias.surface.isascii(),
                languages=alias.languages,
            )
            self._rules[index] = rule
        return rule

    def find(self, text: str, language: str | None = None) -> list[Match]:
        """Accepted, non-overlapping, leftmost-longest mentions in ``text`` (written in ``language``, ISO 639-1,
        when known), in text order.

        A given-name alias seen in ``text`` as part of a person's name ("Amy Berman Jackson") is taken
        as that person throughout the text, so a later bare "Jackson said" is not the city either. An alias
        limited to some languages counts only in text known to be in one of them. "City, Region" pairs are read
        last (``_read_pairs``).
        """
        if not len(self._automaton) or not text:
            return []
        accepted: list[Match] = []
        name_parts: list[Match] = []
        in_names: list[Match] = []
        for match, rule in self._matches(text):
            if rule.languages and language not in rule.languages:
                continue  # "AB", the EU in Turkish, is a company suffix in "Ericsson AB"
            verdict = self._verdict(rule, text, match.start, match.end)
            if verdict is _Verdict.ACCEPTED:
                accepted.append(match)
            elif verdict is _Verdict.NAME_PART:
                name_parts.append(match)
            elif verdict is _Verdict.IN_NAME:
                in_names.append(match)
        # Spans inside another name take part in leftmost-longest so that the aliases within them lose too
        # ("Mexico" in "University of New Mexico"), then leave.
        chosen = _leftmost_longest(accepted + in_names)
        starts = [match.start for match in chosen]
        parts = [part for part in name_parts if not _covered(part, chosen, starts)]
        people = {part.entity_id for part in parts if part.given_name}
        surnames = {part.alias_number for part in parts}  # "Johan Santana ... Santana said": the same alias
        taken = {id(match) for match in in_names}  # by identity: hashing a Match hashes all its fields
        return self._read_pairs(text, [
            match for match in chosen
            if match.alias_number not in surnames and not (match.given_name and match.entity_id in people)
            and id(match) not in taken
        ])

    def _read_pairs(self, text: str, matches: list[Match]) -> list[Match]:
        """``matches`` with the places of "City, Region" pairs read together (``transforms.place_pairs``), a state's
        abbreviation after a comma ("Austin, TX") among them, and names listed beside states read as states
        (``transforms.place_lists``)."""
        if not any(text.startswith(",", match.end) or match.alias_number in self._region_named for match in matches):
            return matches  # the common case, kept cheap: no comma after a name, no name that can be a state
        by_start = {match.start: match for match in matches}
        mentions: list[Mention] = []
        for match in matches:
            readings = (match.entity_id, *self._readings.get(match.alias_number, ()))
            mentions.append(Mention(match.start, match.end, readings, match.alias_number))
            found = abbreviation_after(text, match.end) if text.startswith(",", match.end) else None
            if found is not None and found.start not in by_start and found.region_id in self.entities:
                mentions.append(Mention(found.start, found.end, (found.region_id,), abbreviation=found))
        if any(match.alias_number in self._region_named for match in matches):
            mentions = regions_first_in_lists(text, mentions, self.entities)
        picked = pick_readings(text, mentions, self.entities)
        return [
            _read_as(by_start.get(mention.start), mention, entity_id)
            for mention, entity_id in zip(mentions, picked) if entity_id is not None
        ]

    def _verdict(self, rule: AliasRule, text: str, start: int, end: int) -> _Verdict:
        """Whether the original spelling at ``text[start:end]`` satisfies ``rule``, and if not, whether it is part
        of a person's name (evidence about the whole text)."""
        verdict = _spelling_verdict(rule, text, start, end)
        if verdict is not _Verdict.ACCEPTED:
            return verdict
        if in_link(text, start, end):
            return _Verdict.REJECTED  # "wikitravel.org/en/Singapore", "Berlin.de", "Boston.rb"
        if rule.place and self._after_given_name_or_title(text, start):
            return _Verdict.NAME_PART  # "Charlie Munger", "Mr. Munger"
        if rule.given_name and _beside_capitalized_word(text, start, end):
            return _Verdict.NAME_PART  # "Michael Jordan", "Paris Agreement"
        if rule.place and in_other_name(text, start, end):
            return _Verdict.IN_NAME  # "Washington Post", "Dallas Cowboys", "University of Maryland", "Real Madrid"
        if rule.ascii_alternate and self._followed_by_name_word(text, end):
            return _Verdict.REJECTED  # "Tokio Hotel", "Wien Hall", "Dual Core"
        return _Verdict.ACCEPTED

    def _after_given_name_or_title(self, text: str, start: int) -> bool:
        """True when the word just before ``start`` is a capitalised given name ("Charlie Munger", spaces between),
        a title of address ("Mr. Munger", "Prof Lyon") or a middle initial after a capitalised word ("John F.
        Kennedy")."""
        preceding, dotted = _word_and_dot_before(text, start)
        if not preceding or not preceding[0].isupper():
            return False
        lowered = preceding.lower()
        if lowered in _HONORIFICS:
            return True
        if dotted:
            return _after_name_and_initial(text, start)
        if lowered in _FUNCTION_WORDS:
            return False
        digest = _name_digest(fold(preceding))
        position = bisect.bisect_left(self._given_names, digest)
        return position < len(self._given_names) and self._given_names[position] == digest

    def _followed_by_name_word(self, text: str, end: int) -> bool:
        """True when the word just after ``end`` (spaces between) is capitalised, not a function word and not
        a place name itself ("Tokio Hotel", but "Cologne Germany")."""
        following = _word_after(text, end)
        if not following or not following[0].isupper() or following.lower() in _FUNCTION_WORDS:
            return False
        return not self._automaton.exists(fold(following))

    def _matches(self, text: str) -> Iterator[tuple[Match, AliasRule]]:
        """Every alias occurrence on word boundaries (or after glued prefixes), as an original span with its rule."""
        folded, offsets = fold_with_offsets(text)
        lengths, alias_count = self._folded_lengths, len(self._aliases)
        for end_index, number in self._automaton.iter(folded):
            start, end = end_index - lengths[number] + 1, end_index + 1
            if end < len(folded) and _is_word_char(folded[end]):
                continue
            if start > 0 and _is_word_char(folded[start - 1]):
                if folded[start - 1] not in _PREFIX_LETTERS:  # inside a word: the common case, kept cheap
                    continue
                rule_index = self._glued_alias(folded, start, end, number)
                if rule_index < 0:
                    continue
            elif number >= alias_count:  # a name without its article's alef stands only after ل
                continue
            else:
                rule_index = number
            rule = self.rule(rule_index)
            original_start = offsets[start] if offsets else start
            original_end = offsets[end - 1] + 1 if offsets else end
            yield Match(original_start, original_end, rule.entity_id, rule.given_name, rule_index), rule

    def _glued_alias(self, folded: str, start: int, end: int, number: int) -> int:
        """The alias number of automaton entry ``number`` found at ``folded[start:end]`` after other letters of
        its word, when those are prefixes glued to a name in their script (see ``_GLUED_PREFIXES``); else -1."""
        elided = number >= len(self._aliases)
        index = self._elided[number - len(self._aliases)] if elided else number
        if self._folded_lengths[index] < _MIN_PREFIXED_ALIAS:
            return -1
        run_start = start - 1
        while run_start > 0 and _is_word_char(folded[run_start - 1]):
            run_start -= 1
        run, name = folded[run_start:start], folded[start:end]
        if elided and not run.endswith("ل"):
            return -1
        glued = any(letters.fullmatch(name) and prefixes.fullmatch(run) for letters, prefixes in _GLUED_PREFIXES)
        return index if glued else -1


def _packed(
    gazetteer: Gazetteer,
) -> tuple[dict[str, GazetteerEntity], AliasTable, array[int], dict[str, tuple[str, ...]]]:
    """What a matcher keeps of ``gazetteer``: its entities, its aliases packed, its given names' digests and the
    other readings of its aliases."""
    aliases = AliasTable(gazetteer.aliases, entity_ids=gazetteer.entities)
    return dict(gazetteer.entities), aliases, name_digests(gazetteer.given_names), gazetteer.readings


def name_digests(names: Iterable[str]) -> array[int]:
    """The sorted 64-bit digests of folded ``names``, for a binary search: 8 bytes a name (23,363 given names:
    0.19 MB, where a set of the strings takes 2.1 MB). A digest, unlike ``hash``, is the same in every process."""
    return array("Q", sorted(map(_name_digest, names)))


def _name_digest(folded_name: str) -> int:
    """A folded name's 64-bit BLAKE2b digest (a word that is no given name has the digest of one of 23,363 names
    with odds of about 1 in 10**15)."""
    digest = hashlib.blake2b(folded_name.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _spelling_verdict(rule: AliasRule, text: str, start: int, end: int) -> _Verdict:
    """Whether the original spelling at ``text[start:end]`` satisfies ``rule``'s case and diacritics rules."""
    if rule.policy is CasePolicy.UPPERCASE and not _is_acronym_use(text, start, end):
        return _Verdict.REJECTED
    needs_capital = rule.policy in (CasePolicy.CAPITALIZED, CasePolicy.CAPITALIZED_MID_SENTENCE)
    if needs_capital and not _counts_as_capital(text[start]):
        return _Verdict.REJECTED
    if needs_capital and rule.require_capital and _is_short_name_in_capitals_alone(text, start, end):
        return _Verdict.REJECTED  # "ANN: a new release", "the ANN logs", "OTA updates"
    if rule.policy is CasePolicy.CAPITALIZED_MID_SENTENCE and _opens_or_in_title_case(text, start, end):
        return _Verdict.REJECTED
    if rule.require_diacritics and text[start:end].isascii():
        return _Verdict.REJECTED
    return _Verdict.ACCEPTED


def _counts_as_capital(char: str) -> bool:
    """True for a capital letter, and for a character of a script that does not capitalize names."""
    return not char.islower() or _UNCAPITALIZED_LETTERS.match(char) is not None


def is_uncased(text: str) -> bool:
    """True when ``text`` has letters and running text capitalizes none of them: scripts without case
    (Arabic, Hebrew, Devanagari, Bengali, ...) and Georgian."""
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and not any(char.isupper() or not _counts_as_capital(char) for char in letters)


def _is_acronym_use(text: str, start: int, end: int) -> bool:
    """True for an acronym written in capitals and not inside shouted text ("WHO IS NAVEEN"), nor the region of a
    locale's tag ("en-US", "en_US.UTF-8")."""
    if any(char.islower() for char in text[start:end]):
        return False
    if _LOCALE_LANGUAGE_BEFORE.search(text, max(0, start - 3), start):
        return False
    return not any(_is_shouted(word) for word in (_word_before(text, start), _word_after(text, end)))


def _is_shouted(word: str) -> bool:
    """True for a word of two or more letters, all capitals."""
    return len(word) >= 2 and word.isupper()


def _is_short_name_in_capitals_alone(text: str, start: int, end: int) -> bool:
    """True for a name of at most four letters written in capitals ("ANN", "OTA", "PA RI") that is neither a
    dateline ("BAKU, Sept. 21") nor among other words in capitals ("FLOODS IN BAKU"): a lone short word in
    capitals is an acronym ("ANN: a new release", "OTA updates"), not a city name shouted."""
    span = text[start:end]
    if len(span) > 2 * _ACRONYM_MAX_LETTERS or not span.isupper():  # the common case, kept cheap
        return False
    if sum(char.isalpha() for char in span) > _ACRONYM_MAX_LETTERS or not _is_shouted(span.replace(" ", "")):
        return False
    if _is_dateline(text, start, end):
        return False
    neighbours = (_word_before(text, start), _word_after(text, end))
    return not any(_is_shouted(word) and (len(word) > 2 or word.lower() in _FUNCTION_WORDS) for word in neighbours)


def _is_dateline(text: str, start: int, end: int) -> bool:
    """True when the span opens a line and a comma, parenthesis or dash follows it ("MOSCOW, Sept. 21 —",
    "BAKU (Reuters) -")."""
    index = start
    while index > 0 and text[index - 1] in " \t":
        index -= 1
    return (index == 0 or text[index - 1] == "\n") and _DATELINE_END.match(text, end) is not None


def _word_and_dot_before(text: str, start: int) -> tuple[str, bool]:
    """The word before ``start`` with spaces between, and whether a full stop ends it ("Mr. "); ('', False)
    when other punctuation intervenes."""
    index = start
    while index > 0 and text[index - 1] == " ":
        index -= 1
    if index == start or index == 0:
        return "", False
    dotted = text[index - 1] == "."
    word_end = index - 1 if dotted else index
    index = word_end
    while index > 0 and text[index - 1].isalnum():  # letters and digits: a name has no combining mark to see
        index -= 1
    return text[index:word_end], dotted


def _read_as(match: Match | None, mention: Mention, entity_id: str) -> Match:
    """``match`` read as ``entity_id``; a new match for an abbreviation (no match of the matcher's own)."""
    if match is None:
        return Match(mention.start, mention.end, entity_id)
    return match if entity_id == match.entity_id else dataclasses.replace(match, entity_id=entity_id)


def _leftmost_longest(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches, preferring the one that starts first, then the longest."""
    chosen: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        if not chosen or match.start >= chosen[-1].end:
            chosen.append(match)
    return chosen


def _covered(match: Match, chosen: list[Match], starts: list[int]) -> bool:
    """True when a chosen match overlaps ``match`` (a longer alias such as "Washington DC" took it).

    ``chosen`` comes from ``_leftmost_longest``, in text order without overlaps (``starts`` are theirs): of those
    starting before ``match`` ends, the last one ends last, so it alone can reach back into ``match``. Looking at
    them all took the square of the mentions: 24,000 lines of place names (900 KB) held the entity stage 100 s.
    """
    before_end = bisect.bisect_left(starts, match.end)
    return before_end > 0 and chosen[before_end - 1].end > match.start


def _beside_capitalized_word(text: str, start: int, end: int) -> bool:
    """True when a capitalized word (not a function word) or a middle initial directly precedes or follows the
    span, spaces between ("Chad Smith", "Elizabeth A. Burton")."""
    following = _word_after(text, end)
    if following and following[0].isupper() and (
            following.lower() not in _FUNCTION_WORDS or _initial_and_name_after(text, end)):
        return True
    preceding = _word_before(text, start)
    return bool(preceding) and preceding[0].isupper() and preceding.lower() not in _FUNCTION_WORDS


def _past_ampersand(text: str, end: int) -> int:
    """Where a word after ``end`` may start: past an "&" that follows it ("Bath & Body"), else ``end``."""
    joined = _AMPERSAND_AFTER.match(text, end)
    return joined.end() if joined else end


def _before_ampersand(text: str, start: int) -> int:
    """Where a word before ``start`` may end: before an "&" that precedes it ("Books & Reading"), else ``start``."""
    joined = _AMPERSAND_BEFORE.search(text, max(0, start - 8), start)
    return joined.start() if joined else start


def _after_name_and_initial(text: str, start: int) -> bool:
    """True when a capitalised word (not a function word) and a middle initial precede ``start`` ("John F. ")."""
    found = _NAME_AND_INITIAL_BEFORE.search(text, max(0, start - 40), start)
    return (found is not None and found[1][0].isupper() and found[2].isupper()
            and found[1].lower() not in _FUNCTION_WORDS)


def _initial_and_name_after(text: str, end: int) -> bool:
    """True when a middle initial and a capitalised word follow ``end`` (" A. Burton")."""
    found = _INITIAL_AND_NAME_AFTER.match(text, end)
    return found is not None and found[1].isupper() and found[2].isupper()


def _word_after(text: str, end: int) -> str:
    """The word separated from ``end`` by spaces only, or '' when punctuation intervenes."""
    index = end
    while index < len(text) and text[index] == " ":
        index += 1
    if index == end:
        return ""
    stop = index
    while stop < len(text) and _is_word_char(text[stop]):
        stop += 1
    return text[index:stop]


def _word_before(text: str, start: int) -> str:
    """The word separated from ``start`` by spaces only, or '' when punctuation intervenes."""
    index = start
    while index > 0 and text[index - 1] == " ":
        index -= 1
    if index == start:
        return ""
    word_end = index
    while index > 0 and _is_word_char(text[index - 1]):
        index -= 1
    return text[index:word_end]


def _opens_or_in_title_case(text: str, start: int, end: int) -> bool:
    """True when the span opens a sentence, sits among capitalized words ("A Nice Day Out", "Ryzen
    Mobile", "Books & Reading") or is hyphenated to a word ("T-Mobile")."""
    hyphenated = (start > 0 and text[start - 1] == "-") or text[end: end + 1] == "-"
    return hyphenated or _is_sentence_start(text, start) or _beside_capitalized_word(
        text, _before_ampersand(text, start), _past_ampersand(text, end))


def _is_sentence_start(text: str, index: int) -> bool:
    """True when only spaces separate ``index`` from the text start or a sentence-ending mark."""
    while index > 0 and text[index - 1] in " \t":
        index -= 1
    return index == 0 or text[index - 1] in _SENTENCE_ENDS


def extract_entities(text: str, matcher: EntityMatcher, language: str | None = None) -> list[Entity]:
    """Entities mentioned in ``text`` (written in ``language``, when known) with mention counts, sorted by
    (-mentions, id)."""
    counts = Counter(match.entity_id for match in matcher.find(text, language))
    entities = [
        Entity(
            id=entity_id,
            name=matcher.entities[entity_id].name,
            type=matcher.entities[entity_id].type,
            mentions=mentions,
        )
        for entity_id, mentions in counts.items()
    ]
    return sorted(entities, key=lambda entity: (-entity["mentions"], entity["id"]))


def article_text(article: Article) -> str:
    """Title, summary and body joined; the summary is skipped when it is an excerpt of the body."""
    title = article.get("title") or ""
    summary = article.get("summary_text") or ""
    body = article.get("body_text") or ""
    if summary and body and is_excerpt(summary, body):
        summary = ""
    return "\n\n".join(part for part in (title, summary, body) if part)


def is_excerpt(summary: str, body: str) -> bool:
    """True when ``summary`` repeats ``body``: found in it whole, or its first 100 characters are, as in an excerpt
    cut short ("... and the [...]", "…") or followed by a link ("Read more →"). Spacing and curly quotes do not
    count.

    Counting such a summary too would count its mentions twice; a summary that opens with other words (a
    standfirst) is kept.
    """
    probe = _TRUNCATION_MARK.sub("", _comparable(summary))[:_EXCERPT_PROBE_CHARS]
    return probe in _comparable(body)


def _comparable(text: str) -> str:
    """``text`` with runs of whitespace as one space and curly quotes straight (``str.replace``: a translate
    table of four characters took 0.3 ms a body, a quarter of the entity stage)."""
    for curly, straight in _STRAIGHT_QUOTES:
        text = text.replace(curly, straight)
    return " ".join(text.split())


def annotate_entities(article: Article, matcher: EntityMatcher) -> Article:
    """A copy of ``article`` with ``entities`` found in its title, summary and body."""
    annotated = Article(**article)
    annotated["entities"] = extract_entities(article_text(article), matcher, article.get("language"))
    return annotated

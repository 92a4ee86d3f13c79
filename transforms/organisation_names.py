"""Tell a place name inside an organisation's name: "Rwanda Information Communication and Technology Association",
"Copenhagen Ruby Brigade", "Telecom Italia San Marino S.p.A.", "Association of IT Companies of Kazakhstan".

``transforms.name_heads`` looks at the word just after a place and the two just before it. An organisation's name
is often longer: a run of capitalised words (joined by "and", "of", "&"...) whose last word says what kind of body
it is. A place name counts as part of such a name when

- after it, a run of capitalised words ends with an organisation's word (``ORGANISATION_HEADS``: "Association",
  "Foundation", "Society", "Network", "Group", "Brigade", "Exchange", "Corporation"...) or a company's legal form
  (``LEGAL_FORMS``: "Inc.", "Ltd", "S.p.A.", "A/S"; "ltd." and "inc." in lower case too), and nothing capitalised
  follows the run;
- before it, "of" (or "de", "del"...; "the" and a word such as "Central" may come between) ends a run of
  capitalised words that holds such a word or a school's ("Internet Society of Israel", "University of Central
  Florida", "Universidad del Valle de Guatemala").

Two exceptions keep the place. A run that holds a word of a government or public body (``GOVERNMENT_WORDS``:
"Department", "Commission", "Council", "National", "State"...) is the place's own institution, which names the place
("U.S. Securities and Exchange Commission", "Michigan Department of Health and Human Services", "U.S. National
Science Foundation"). And a line written in title case is a headline, where every word is capitalised whether or not
it is a name: "Kenya Joins Global Network" keeps Kenya.

Left out on purpose, as in ``transforms.name_heads``: names of events and buildings, which are held or stand in the
place they name and so tell where the text is ("Jerusalem Light Festival", "Boston Marathon", "Tokyo Game Show",
"Denver Convention Center", "Aberdeen Royal Infirmary").
"""

from __future__ import annotations

import re

# Last words of an organisation's name, folded: what kind of body it is. Not "Service(s)", "Agency", "Authority",
# "Council" or "Board", which as often end a government body's name ("U.S. Citizenship and Immigration Services",
# "Rwanda Development Board"); not "Union" or "Federation" after "of", which name states ("Federation of Malaysia").
ORGANISATION_HEADS: frozenset[str] = frozenset(
    "association associations federation foundation society network group brigade exchange consortium alliance "
    "coalition corporation company club".split()
) | frozenset("dictionary thesaurus encyclopedia encyclopaedia".split())  # a publisher's reference work
# A company's legal form, folded, dots and slashes left out ("S.p.A." spa, "A/S" as): the last word of its name.
# Capitalised, but for abbreviations that are no words, which some write in lower case ("Internet Iceland ltd.").
LEGAL_FORMS: frozenset[str] = frozenset(
    "inc incorporated ltd limited llc plc gmbh pty pte bhd berhad corp co spa sa ag as nv bv sarl srl kg".split()
)
_LOWERCASE_LEGAL_FORMS = frozenset("inc ltd llc plc gmbh pty pte bhd".split())
_LOWERCASE_LEGAL_FORMS_OPENINGS = tuple(sorted(_LOWERCASE_LEGAL_FORMS))
# A centre is a building ("Portland Convention Center") unless its name holds an organisation's word ("Kenya Network
# Information Center"): then it is that organisation.
_CENTRES = frozenset({"center", "centre"})
# Words of a government or public body's name: a name that holds one is the place's own ("Indiana State Police").
GOVERNMENT_WORDS: frozenset[str] = frozenset(
    """
    government gouvernement council authority agency agencies department ministry office police court courts
    commission assembly parliament legislature senate house congress army navy force guard board bureau
    administration secretariat state county city municipal municipality province national federal public
    """.split()
)
# Heads of a name that "of" and the place end: an organisation's, or a school's. Not "Corporation", which names a
# city's government too ("Municipal Corporation of Delhi", "Corporation of London").
# Words of a school's name, in the languages of our sources (``name_heads`` reads them before a place as well).
SCHOOL_WORDS: frozenset[str] = frozenset(
    "university college institute universität universitat université universidad universidade università "
    "universiteit".split()
)
OF_NAME_HEADS: frozenset[str] = SCHOOL_WORDS | frozenset(
    "association society network exchange foundation company academy".split())
# Words that join the capitalised words of one name, and that end it before the place ("of", "de").
JOINING_WORDS: frozenset[str] = frozenset("and & of for de del della di do da du des la le y et und für the".split())
PLACE_LINKS: frozenset[str] = frozenset("of de del della di do da du des".split())
_RUN_JOINING_WORDS = JOINING_WORDS.difference({"the"})  # "... Group and the January meeting": a new phrase
# Capitalised words that may stand between "of" and the place ("University of Central Florida").
_MODIFIERS = frozenset("north south east west northern southern eastern western central upper lower".split())
# Lowercase words of a line in title case ("Scotland on Rails Call for Proposals").
_TITLE_LOWERCASE = JOINING_WORDS | frozenset("a an or the in on at to by with from as vs nor but into over".split())

_MAX_RUN_WORDS = 7
_REACH = 120  # characters looked at either side of a span: a run longer than that is no name
_LINK_REACH = 32  # characters before a span searched for "of" first ("of the Central ")
_TRAILING_MARKS = ".,;:!?)\"'\u201d\u2019\u00bb\uff09\uff0c\u3001\u3002"  # and fullwidth ），、。
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


def in_organisation_name(text: str, start: int, end: int) -> bool:
    """True when the place name at ``text[start:end]`` is part of an organisation's or a school's name (see
    module)."""
    return (_organisation_after(text, start, end) or _organisation_of_before(text, start)) and not (
        _in_title_case_line(text, start, end))


def _organisation_after(text: str, start: int, end: int) -> bool:
    """True when a run of capitalised words after ``end`` ends with an organisation's word or a legal form, there or
    before one of its joining words ("the Atlanta Ruby Brigade and Rails Group"), and holds no government word up to
    that word. A legal form alone after the place ends a name only when the name opens before the place ("Telecom
    Cook Islands Ltd."): "a New York LLC" is a company registered there."""
    if not text.startswith(" ", end) or not (
            text[end + 1:end + 2].isupper() or text.startswith(_LOWERCASE_LEGAL_FORMS_OPENINGS, end + 1)):
        return False  # the common case, kept cheap: no capitalised word after the name
    words = _run_after(text, end)
    for index, word in enumerate(words):
        if word in GOVERNMENT_WORDS:
            return False  # the place's own body: "Michigan Department of Health and Human Services"
        if index + 1 < len(words) and words[index + 1] not in JOINING_WORDS or word in JOINING_WORDS:
            continue  # not the last word of a name
        name = [part for part in words[:index + 1] if part not in JOINING_WORDS]
        if _ends_organisation_name(name, text, start):
            return True
    return False


def _ends_organisation_name(name: list[str], text: str, start: int) -> bool:
    """True when ``name``, the words of a name after the place at ``start``, ends as an organisation's does."""
    if name == [name[-1]] and name[-1] in LEGAL_FORMS:
        return _after_name_word(text, start)
    if name[-1] in _CENTRES:
        return any(word in ORGANISATION_HEADS for word in name)
    return name[-1] in ORGANISATION_HEADS or name[-1] in LEGAL_FORMS


def _run_after(text: str, end: int) -> list[str]:
    """The words (``_key``) of the run of capitalised words that follows ``end`` on its line, with the joining words
    between them ("and", "of"); none when the run goes on past ``_MAX_RUN_WORDS`` words or ``_REACH`` characters (no
    name is that long)."""
    line_end = text.find("\n", end, end + _REACH)
    window_end = line_end if line_end >= 0 else min(len(text), end + _REACH)
    tokens = text[end:window_end].split()
    words: list[str] = []
    for token in tokens[:_MAX_RUN_WORDS + 1]:
        core = token.rstrip(_TRAILING_MARKS)
        key = _key(core)
        if key in _RUN_JOINING_WORDS and words and core == token:
            words.append(key)  # "Information Communication and Technology Association"
            continue
        if not core or not (core[0].isupper() or key in _LOWERCASE_LEGAL_FORMS) or _DIGIT.search(core):
            return words  # a lowercase word, an opening parenthesis, a code ("London Metal Exchange CMAL3")
        words.append(key)
        if core != token:
            return words  # "Association.", "Co.," or "Ltd)": punctuation ends the name
    if len(tokens) > _MAX_RUN_WORDS or (line_end < 0 and window_end < len(text)):
        return []  # a title, a list of names, or a run cut by the window
    return words  # the line ends the run


def _after_name_word(text: str, start: int) -> bool:
    """True when a capitalised word, not a joining or function word, precedes ``start`` (spaces between)."""
    window = text[max(0, start - _REACH):start]
    words = window.split()
    return window.endswith(" ") and bool(words) and words[-1][0].isupper() and (
        words[-1].lower() not in _TITLE_LOWERCASE)


def _organisation_of_before(text: str, start: int) -> bool:
    """True when "of" (or "de"...) before ``start`` ends a run of capitalised words that holds an organisation's or a
    school's word and no government word ("Internet Society of Israel", "University of Central Florida")."""
    if not text.endswith((" ", "\t"), 0, start) or not any(
            word in PLACE_LINKS for word in text[max(0, start - _LINK_REACH):start].split()[-3:]):
        return False  # the common case, kept cheap: no "of" among the three words before the name
    window = text[max(0, start - _REACH):start]
    tokens = window[window.rfind("\n") + 1:].split()
    if tokens and tokens[-1].lower() in _MODIFIERS and tokens[-1][0].isupper():
        tokens.pop()  # "of Central Florida"
    if tokens and tokens[-1] in ("the", "la", "le"):
        tokens.pop()  # "College of the Bahamas"
    if not tokens or tokens[-1] not in PLACE_LINKS:
        return False
    words: list[str] = []
    for token in reversed(tokens[-_MAX_RUN_WORDS - 1:-1]):
        if token.rstrip(_TRAILING_MARKS) != token or not (token[0].isupper() or token in JOINING_WORDS):
            break  # "Harvard University. Director of": punctuation or a lowercase word ends the name
        words.append(_key(token))
    return any(word in OF_NAME_HEADS for word in words) and not any(word in GOVERNMENT_WORDS for word in words)


def _in_title_case_line(text: str, start: int, end: int) -> bool:
    """True when the words around the span on its line (up to ``_REACH`` characters either side) are all capitalised
    but for short joining words: a headline, not running text."""
    line_start = text.rfind("\n", max(0, start - _REACH), start) + 1 or max(0, start - _REACH)
    line_end = text.find("\n", end, end + _REACH)
    line = text[line_start:line_end if line_end >= 0 else end + _REACH]
    return not any(word[0].islower() and len(word) > 2 and word not in _TITLE_LOWERCASE for word in _WORD.findall(line))


def _key(word: str) -> str:
    """``word`` lowercased without its dots and slashes: "S.p.A." spa, "A/S" as, "Ltd." ltd."""
    return word.replace(".", "").replace("/", "").lower()

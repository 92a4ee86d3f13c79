"""Turn author strings as feeds and pages write them into one name per person (or organisation).

Rules, all plain string work on words (no regular expressions: linear on any input):
- Text is normalized first (``transforms.text.normalize_single_line``: entities, controls, spaces).
- E-mail addresses and URLs are taken out: ``jane@example.com (Jane Doe)`` and ``Jane Doe <jane@...>`` give
  ``Jane Doe``. A string that is only an e-mail address is kept (RSS often gives nothing else), unless
  another author of the list has a name; a string that is only a URL is dropped.
- A leading byline word goes: ``By``, ``Analysis by``, ``Opinion by``, ``Written by``, ``Автор:``; ``Von``,
  ``Par``, ``Por``, ``Door``, ``Av`` only before a capitalised name of two words or more (``Von Kessler``
  is a name).
- ``;`` and ``|`` always separate. A comma, a conjunction (``and``, ``&``, ``und``, ``et``, ``y``, ``e``,
  ``и``, ``ve``, ``və``, ...) separate only when every piece looks like a person's name: 2 to 5 words,
  capitalised (particles such as ``van`` or ``de`` aside), letters only, no affiliation word. So
  ``Smith and Wesson``, ``quietfox and ember42`` and ``Doe, Jane`` stay whole: last-name-first
  ``Doe, Jane`` is kept as written, not reordered. A citation list of surnames and initials
  (``Doe, J., Roe, K. L.``) is paired into ``Doe, J.`` and ``Roe, K. L.``.
- An affiliation after a comma, a spaced dash or a ``|`` is dropped when a name is left: a news agency
  or outlet (``Associated Press``, ``Harbor News``, ``Lakeside.com``), a title (``Courier Staff Writer``,
  ``Editor-at-large``, ``Staff Reporter``), a credential (``MS``, ``PhD``). Alone it stays (``Staff
  Reporter`` is the only credit some articles have).
- A name written all in capitals, of two words or more, is title-cased (``O'NEIL`` gives ``O'Neil``,
  ``JEAN-PAUL`` ``Jean-Paul``, ``MCDONALD`` ``McDonald``); mixed case and one-word acronyms (``KRX``) stay.
- "et al." at the end goes (the others are not named).
- A place after a name of two words or more goes: after a comma (``Jane Doe, New York``, ``Jane Doe, Kyiv,
  Ukraine``), a spaced dash (``Jane Doe - London``), in brackets (``Jane Doe (Baku)``, an outlet too: ``(AP)``),
  or joined by ``in``, ``from``, ``reporting from`` (``Jane Doe in Baku``); an outlet joined by ``for``
  (``Jane Doe for Reuters``) goes too. A place is a known one (``gazetteer.place_names``: countries, US
  states, capitals, cities of 100,000 people) written in capitalised words; anything else stays: ``Doe, Jane``
  and ``Smith, Jones`` (one word before the comma), ``Bram Tolle, Westhaven`` (no known place), Slovene
  ``Jana Novak in Marko Horvat`` ("in" is "and" there).
- Duplicates go (ignoring case, first kept), order is kept, at most ``MAX_AUTHORS`` names of at most
  ``MAX_NAME_CHARS`` characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from transforms.entities import fold
from transforms.gazetteer import place_names
from transforms.text import normalize_single_line

MAX_AUTHORS = 10
MAX_NAME_CHARS = 200
MAX_RAW_CHARS = 1_000  # a longer author string is cut: ten names never need more
MAX_RAW_STRINGS = 100  # author strings read per article

BYLINE_PHRASES = ("analysis by", "opinion by", "commentary by", "written by", "reporting by", "story by",
                  "posted by", "words by", "by", "автор", "von", "par", "por", "door", "av")
# Byline words that are also first names or name particles: stripped only before a capitalised 2-word name.
AMBIGUOUS_BYLINE_WORDS = frozenset({"von", "par", "por", "door", "av"})
CONJUNCTIONS = frozenset({"and", "&", "und", "et", "y", "e", "и", "ve", "və", "och", "og", "en", "i"})
HARD_SEPARATORS = (";", "|")
DASHES = (" - ", " – ", " — ")
PLACE_LINKS = frozenset({"in", "from"})  # "Jane Doe in Baku", "Jane Doe reporting from Kyiv"
OUTLET_LINKS = frozenset({"for"})  # "Jane Doe for Reuters"
LINK_WORDS = PLACE_LINKS | OUTLET_LINKS
MAX_PLACE_WORDS = 4  # "Rio de Janeiro", "Bosnia and Herzegovina"
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la",
                       "le", "bin", "ibn", "al", "el", "ter", "ten", "zu", "y", "e"})
# Words that make a piece an affiliation: job titles, then outlets and organisations. Matched as whole words
# (hyphenated words in parts: "Editor-at-large"), lower case.
TITLE_WORDS = frozenset({
    "editor", "editors", "correspondent", "correspondents", "reporter", "reporters", "reports", "writer",
    "writers", "contributor", "contributors", "contributing", "columnist", "journalist", "staff", "publicist",
    "associate", "producer", "photographer", "intern", "analyst", "critic", "bureau", "communications",
    "desk", "newsroom", "redakteur", "redakteurin", "redaktion", "korrespondent", "korrespondentin",
    "correspondant", "correspondante", "rédaction", "rédacteur", "corresponsal", "redacción", "redação",
    "редактор", "корреспондент", "редакция", "muhabir", "muhabiri", "müxbir",
})
OUTLET_WORDS = frozenset({
    "press", "news", "agency", "media", "insider", "times", "post", "journal", "herald", "tribune", "gazette",
    "magazine", "radio", "tv", "television", "network", "daily", "weekly", "online", "reuters", "ap", "afp",
    # newspapers' own names ("Houston Chronicle", "Kyiv Independent"); not "Star", "Sun", "Globe", "Mirror",
    # "Record" or "Standard", which are also people's names
    "chronicle", "independent", "observer", "guardian", "telegraph", "courier", "dispatch", "examiner",
    "inquirer", "sentinel", "bulletin", "ledger", "economist",
    "dpa", "upi", "cnn", "bbc", "npr", "pti", "ians", "bloomberg", "xinhua", "tass", "interfax", "efe",
    "ansa", "anadolu", "ltd", "inc", "llc", "gmbh", "partners", "company", "group", "team", "foundation",
    "university", "institute", "society", "association", "club", "studio", "studios", "labs",
})
TOP_LEVEL_DOMAINS = frozenset({"com", "org", "net", "info", "io", "co", "uk", "de", "fr", "es", "it", "ru",
                               "az", "tr", "ge", "kz", "news", "media", "edu", "gov"})
CREDENTIALS = frozenset({"phd", "md", "mba", "rn", "rdn", "msc", "bsc", "ma", "ba", "jd", "cpa", "dds"})
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})  # "King, Jr." is one name
NAME_PUNCTUATION = frozenset(".'’-")
EDGE_PUNCTUATION = " ,;:|"
Item = TypeVar("Item")


def author_names(raw: Iterable[str]) -> list[str]:
    """One name per person (or organisation) from raw author strings; never raises on any str."""
    names: list[str] = []
    for count, value in enumerate(raw):
        if count >= MAX_RAW_STRINGS:
            break
        if isinstance(value, str):
            names.extend(_names_in(value))
    if any(not _is_email(name) for name in names):
        names = [name for name in names if not _is_email(name)]  # an address only when there is no name
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())[:MAX_AUTHORS]


def _names_in(value: str) -> list[str]:
    """The names in one author string."""
    text = normalize_single_line(_shortened(value))
    if not text:
        return []
    text, emails = _without_addresses(text)
    if not text:
        return emails
    segments = [_segment_names(segment) for segment in _split_words(text, HARD_SEPARATORS)]
    segments = _without_affiliations([segment for segment in segments if segment], _all_affiliations)
    names = [_tidy_name(name) for segment in segments for name in segment]
    return [name for name in names if name]


def _all_affiliations(names: list[str]) -> bool:
    return all(_is_affiliation(name) for name in names)


def _shortened(value: str) -> str:
    """``value`` cut to ``MAX_RAW_CHARS`` at its last separator (a comma, ";", "|" or a conjunction), so that
    the last name kept is whole."""
    if len(value) <= MAX_RAW_CHARS:
        return value
    head = value[:MAX_RAW_CHARS]
    words = head.split()
    if words and not head[-1].isspace() and not value[MAX_RAW_CHARS].isspace():
        words.pop()  # cut inside
    for index in range(len(words) - 1, 0, -1):
        if _is_conjunction(words[index]) or words[index] in HARD_SEPARATORS:
            return " ".join(words[:index])
        if words[index].endswith((",", *HARD_SEPARATORS)):
            return " ".join(words[:index + 1])
    return " ".join(words)


def _split_words(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` cut at every one of ``separators``, pieces stripped, empty ones dropped."""
    pieces = [text]
    for separator in separators:
        pieces = [part for piece in pieces for part in piece.split(separator)]
    return [piece.strip(EDGE_PUNCTUATION) for piece in pieces if piece.strip(EDGE_PUNCTUATION)]


def _without_addresses(text: str) -> tuple[str, list[str]]:
    """``text`` without its e-mail addresses and URLs (and the brackets left empty), and the addresses."""
    kept: list[str] = []
    emails: list[str] = []
    for word in text.split(" "):
        bare = word.strip("<>()[]{}\"',;")
        if _is_email(bare.removeprefix("mailto:")):
            emails.append(bare.removeprefix("mailto:"))
        elif not _is_url(bare):
            kept.append(word)
    rest = " ".join(kept).strip(EDGE_PUNCTUATION)
    for empty in ("()", "<>", "[]"):
        rest = rest.replace(empty, "")
    if rest.startswith("(") and rest.endswith(")"):  # what was left of "jane@example.com (Jane Doe)"
        rest = rest[1:-1]
    return " ".join(rest.split()).strip(EDGE_PUNCTUATION), emails


def _is_email(word: str) -> bool:
    local, at, domain = word.partition("@")
    host, dot, top = domain.rpartition(".")
    return bool(local and at and host and dot and top) and "@" not in domain and " " not in word


def _is_url(word: str) -> bool:
    lowered = word.lower()
    return "://" in lowered or lowered.startswith(("www.", "mailto:"))


def _segment_names(segment: str) -> list[str]:
    """The names in a piece between hard separators: byline word, dash, commas and conjunctions."""
    segment = _without_byline(segment)
    for others in (" et al.", " et al"):  # "Jane Doe et al.": the others are not named
        segment = segment.removesuffix(others)
    segment = _without_bracketed_place(segment)
    sides = _split_words(segment, DASHES)
    if len(sides) == 2 and _is_affiliation(sides[0]) != _is_affiliation(sides[1]):
        segment = sides[1] if _is_affiliation(sides[0]) else sides[0]
    elif len(sides) == 2 and len(sides[0].split()) > 1 and _is_place(sides[1]):
        segment = sides[0]
    return _comma_names(segment)


def _without_bracketed_place(segment: str) -> str:
    """``segment`` without a bracketed place or outlet after a name: "Jane Doe (Baku)", "Jane Doe (AP)"."""
    head, bracket, inside = segment.partition(" (")
    inside = inside[:-1].strip() if inside.endswith(")") else ""
    if bracket and inside and "(" not in inside and ")" not in inside and len(head.split()) > 1:
        if _is_place(inside) or _is_affiliation(inside):
            return head
    return segment


def _without_linked_place(part: str) -> str:
    """``part`` without a place (or an outlet) joined to the name by a word: "Jane Doe in Baku", "Jane Doe
    reporting from Kyiv", "Jane Doe for Reuters" give "Jane Doe". Only the last such word is looked at, with a
    name of two words or more before it and a known place (an outlet) after it."""
    words = part.split()
    link = next((index for index in range(len(words) - 2, 1, -1) if words[index] in LINK_WORDS), None)
    if link is None:
        return part
    rest = " ".join(words[link + 1:])
    name_end = link - 1 if words[link] == "from" and words[link - 1] == "reporting" else link
    is_where = _is_place if words[link] in PLACE_LINKS else _is_affiliation
    return " ".join(words[:name_end]) if name_end >= 2 and is_where(rest) else part


def _without_byline(text: str) -> str:
    """``text`` without a leading byline word ("By", "Analysis by", "Von" before a name...)."""
    words = text.split()
    lowered = [word.lower().rstrip(":") for word in words[:2]]
    for phrase in BYLINE_PHRASES:
        length = phrase.count(" ") + 1
        if lowered[:length] != phrase.split() or len(words) <= length:
            continue
        rest = words[length:]
        if phrase in AMBIGUOUS_BYLINE_WORDS and (len(rest) < 2 or not _capitalised(rest[0])):
            return text
        return " ".join(rest)
    return text


def _comma_names(segment: str) -> list[str]:
    """The names in a piece that may be a comma list: split only when every piece is a person's name."""
    parts = _merge_suffixes(_split_words(segment, (",",)))
    if len(parts) >= 4 and len(parts) % 2 == 0 and _is_citation_list(parts):
        return [f"{parts[index]}, {parts[index + 1]}" for index in range(0, len(parts), 2)]
    parts = [_without_linked_place(part) for part in parts]
    if len(parts) > 1 and len(parts[0].split()) > 1:  # "Jane Doe, MS" or "Jane Doe, Baku"; not "Doe, JD"
        parts = parts[:1] + _without_places_and_credentials(parts[1:])
    if len(parts) > 1:
        parts = _without_affiliations(parts, _is_affiliation)
    names = [name for part in parts for name in _conjunction_names(_without_leading_conjunction(part))]
    if len(names) > 1 and all(_looks_like_person(name) for name in names):
        return names
    return [", ".join(parts)]


def _without_places_and_credentials(parts: list[str]) -> list[str]:
    """``parts`` (after a name) without credentials ("MS", "PhD"), known places ("New York") and the abbreviated
    region after a place ("Washington, D.C.", "Springfield, Ill.")."""
    kept: list[str] = []
    after_place = False
    for part in parts:
        region = after_place and " " not in part and part.endswith(".") and _capitalised(part)
        after_place = _is_place(part)
        if not (after_place or region or _is_credential(part)):
            kept.append(part)
    return kept


def _merge_suffixes(parts: list[str]) -> list[str]:
    merged: list[str] = []
    for part in parts:
        if merged and part.lower().rstrip(".") in NAME_SUFFIXES:
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    return merged


def _is_citation_list(parts: list[str]) -> bool:
    """Whether ``parts`` alternate a surname and initials: "Doe", "J.", "Roe", "K. L."."""
    surnames, initials = parts[0::2], parts[1::2]
    return (all(_is_initials(part) for part in initials)
            and all(len(part.split()) <= 3 and _capitalised(part) and not _is_initials(part) for part in surnames))


def _is_initials(part: str) -> bool:
    return all("." in word and word.replace(".", "").replace("-", "").isupper()
               and len(word.replace(".", "").replace("-", "")) <= 3 for word in part.split())


def _without_leading_conjunction(part: str) -> str:
    """"and Ann Poe" (the last piece of "Jane Doe, John Roe, and Ann Poe") without its "and"."""
    first, _, rest = part.partition(" ")
    return rest if rest and _is_conjunction(first) else part


def _is_conjunction(word: str) -> bool:
    """"and", "und", "и"...; in capitals only the words of two letters or more ("AND", not the initial "E")."""
    return word in CONJUNCTIONS or (len(word) > 1 and word.isupper() and word.lower() in CONJUNCTIONS)


def _without_affiliations(items: list[Item], is_affiliation: Callable[[Item], bool]) -> list[Item]:
    """``items`` without the affiliations among them, unless nothing else is left."""
    kept = [item for item in items if not is_affiliation(item)]
    return kept or items


def _conjunction_names(part: str) -> list[str]:
    """``part`` cut at its conjunctions when every piece is a person's name, else ``[part]``."""
    pieces: list[list[str]] = [[]]
    for word in part.split():
        if _is_conjunction(word):
            pieces.append([])
        else:
            pieces[-1].append(word)
    names = [" ".join(piece) for piece in pieces]
    if len(names) > 1 and all(_looks_like_person(name) for name in names):
        return names
    return [part]


def _looks_like_person(name: str) -> bool:
    """2 to 5 capitalised words of letters (particles aside), none of them an affiliation word."""
    words = name.split()
    return (2 <= len(words) <= 5 and _capitalised(words[0]) and _capitalised(words[-1])
            and all(_is_name_word(word) for word in words) and not _is_affiliation(name))


def _is_name_word(word: str) -> bool:
    return (any(char.isalpha() for char in word) and all(char.isalpha() or char in NAME_PUNCTUATION for char in word)
            and (_capitalised(word) or word.lower() in PARTICLES))


def _capitalised(word: str) -> bool:
    """Whether the first letter of ``word`` is not lower case (upper case, or a script without case)."""
    first = next((char for char in word if char.isalpha()), "")
    return bool(first) and not first.islower()


def _is_affiliation(part: str) -> bool:
    """An outlet or a job title rather than a person: "Associated Press", "Courier Staff Writer", "Lakeside.com"."""
    words = part.split()
    if not words:
        return False
    lowered = [piece.strip("().,:'\"").lower() for word in words for piece in word.split("-")]
    return (lowered[0] == "the" or any(word in TITLE_WORDS or word in OUTLET_WORDS for word in lowered)
            or any(_is_domain(word) for word in lowered))


def _is_place(part: str) -> bool:
    """A known place (``gazetteer.place_names``) written as names are: "New York", "KYIV", not "new york"."""
    words = part.split()
    return (0 < len(words) <= MAX_PLACE_WORDS and all(_is_name_word(word) or word == "and" for word in words)
            and fold(part).strip() in place_names())


def _is_credential(part: str) -> bool:
    """"PhD", "Ph.D.", "MD" or another word of 2 to 4 capitals: what follows a name after a comma."""
    letters = part.replace(".", "")
    return letters.lower() in CREDENTIALS or (letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 4
                                              and "." not in part)


def _is_domain(word: str) -> bool:
    host, dot, top = word.rpartition(".")
    return bool(host and dot) and top in TOP_LEVEL_DOMAINS and host.replace(".", "").replace("-", "").isalnum()


def _tidy_name(name: str) -> str:
    """The name with capitals repaired, cut to ``MAX_NAME_CHARS``."""
    name = " ".join(name.split()).strip(EDGE_PUNCTUATION)
    return _repair_capitals(name)[:MAX_NAME_CHARS].strip(EDGE_PUNCTUATION)


def _repair_capitals(name: str) -> str:
    """A name of 2 words or more written all in capitals, title-cased; anything else as it is."""
    words = name.split()
    if len(words) < 2 or not name.isupper() or _is_affiliation(name) or "@" in name:
        return name
    return " ".join(_title_case(word) for word in words)


def _title_case(word: str) -> str:
    """MEG -> Meg, JEAN-PAUL -> Jean-Paul, O'NEIL -> O'Neil, JOHN'S -> John's, MCDONALD -> McDonald."""
    letters: list[str] = []
    starts_part, run = True, 0  # run: letters since the last mark
    for char in word.lower():
        if char.isalpha():
            letters.append(char.upper() if starts_part else char)
            starts_part, run = False, run + 1
        else:
            letters.append(char)
            starts_part = char == "-" or (char in "'’" and 1 <= run <= 2)  # "Jean-Paul", "O'Neil", "D'Arcy"
            run = 0
    cased = "".join(letters)
    return "Mc" + cased[2].upper() + cased[3:] if cased.startswith("Mc") and len(cased) > 3 else cased

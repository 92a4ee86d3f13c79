"""Tell a place name that is part of another name: a newspaper's, a team's, a street's, a school's or a company's.

"Washington Post", "Dallas Cowboys", "Oxford Street", "University of Maryland", "Real Madrid", "rue de Paris": the
place name there is no mention of the place. Such names end or start with a word of a small lexicon, written with a
capital:

- after the place, a *head*: newspapers' ("Times", "Tribune", "Gazette"), reference works' ("Dictionary"), clubs'
  ("FC"), schools' ("University"), two-word heads ("Daily News", "Red Sox", "Sun-Times") (``STRONG_HEADS``,
  ``HEAD_PHRASES``);
- after the place, a head that is also an everyday word ("Post", "Star", "Street", "Cowboys", "Heat", "Airlines")
  counts only where the name ends with it, no capitalised word after it (``NAME_END_HEADS``): a title in capitals
  puts one on every word ("Brazil Star Neymar Injured", "Texas Heat Wave Kills 12"), a name in running text ends
  there ("told the Washington Post on Monday", "the Dallas Cowboys won");
- before the place, a club's word ("Real Madrid", "Inter Milan", "Borussia Dortmund", "Динамо Киев"), a school's
  ("University of Maryland", "Universität Stuttgart", "Uni Dortmund"), an airline's or a domain registry's ("Air
  Astana", "NIC Chile"), or a street's in French, Spanish, Italian or Portuguese ("rue de Paris", "Avenida
  Brasil") (``CLUB_PREFIXES``, ``SCHOOL_PREFIXES``, ``COMPANY_PREFIXES``, ``STREET_PREFIXES``);
- an organisation's longer name, a company's legal form among its heads ("Rwanda Information Communication and
  Technology Association", "Telecom Cook Islands Ltd.", "Internet Society of Israel"):
  ``transforms.organisation_names``.

Left out on purpose: names of things in the place they name, which tell where the text is ("Denver airport", "Tokyo
Game Show", "Las Vegas Hilton", "Portland Convention Center"), and words for a place's own government, politics or
people ("New York State", "Indiana State Police", "Virginia Democrats", "U.S. Attorney", "San Diego County"), and the
clubs "Blues" and "Jazz" (St. Louis, Utah), whose names more often say the music of a place ("Mississippi Blues").
"""

from __future__ import annotations

import re

from transforms.organisation_names import PLACE_LINKS, SCHOOL_WORDS, in_organisation_name

# Two-word heads, the first word of which alone is no head or an everyday word ("San Jose Mercury News").
HEAD_PHRASES: frozenset[str] = frozenset({
    "daily news", "mercury news", "free press", "morning post", "morning herald", "evening standard", "sun times",
    "post gazette", "post dispatch", "union tribune", "star tribune", "star ledger", "business journal",
    "red sox", "white sox", "blue jays", "red wings", "maple leafs", "blue jackets", "golden knights", "trail blazers",
    "red bulls",
})
# Heads that are also everyday words: they end a name only when no capitalised word follows them.
NAME_END_HEADS: frozenset[str] = frozenset(
    """
    post star sun bee register record dispatch courier observer reporter mercury today daily
    street avenue boulevard blvd road drive lane highway parkway turnpike expressway freeway plaza bridge tunnel
    st ave rd
    united rovers wanderers albion hotspur athletic athletics
    cowboys steelers packers raiders browns bengals ravens texans colts jaguars titans chiefs broncos chargers
    seahawks 49ers rams cardinals falcons panthers buccaneers saints vikings bears lions dolphins jets bills giants
    redskins commanders patriots eagles
    yankees mets orioles rays guardians tigers twins royals astros rangers angels mariners braves marlins
    phillies nationals cubs brewers pirates reds diamondbacks rockies dodgers padres
    bruins sabres canadiens senators lightning hurricanes devils islanders flyers penguins capitals blackhawks
    avalanche stars wild predators flames oilers canucks ducks sharks coyotes kraken
    celtics knicks nets bucks bulls cavaliers pistons pacers hawks hornets heat magic wizards raptors grizzlies
    pelicans spurs mavericks rockets nuggets timberwolves thunder suns lakers clippers warriors kings
    galaxy sounders timbers whitecaps earthquakes
    airlines airways telecom telecoms telecommunications telecommunication tech
    """.split()
)
# Words before a place that make it a club's name ("Real Madrid", "AC Milan", "Ajax Amsterdam").
CLUB_PREFIXES: frozenset[str] = frozenset(
    """
    real inter ac fc atletico atlético athletic sporting olympique borussia bayern bayer werder hertha eintracht
    fortuna dynamo dinamo spartak lokomotiv cska zenit shakhtar sparta slavia steaua partizan ajax psv feyenoord
    динамо спартак локомотив цска зенит шахтер шахтёр шахтар
    """.split()
)
# Words before a place that make it a company's name: an airline's ("Air Astana", "Air Canada"), a domain registry's
# ("NIC Chile", "AFNIC (NIC France)": Network Information Centre).
COMPANY_PREFIXES: frozenset[str] = frozenset({"air", "nic"})
# Words before a place that make it a school's name, with or without a link word ("University of Maryland").
SCHOOL_PREFIXES: frozenset[str] = SCHOOL_WORDS | {"uni"}
# Street words before a place in French, Spanish, Italian and Portuguese: "rue de Paris", "Avenida Brasil".
STREET_PREFIXES: frozenset[str] = frozenset(
    "rue avenue boulevard calle avenida rua piazza plaza praça paseo viale".split()
)
# Heads that end a name whatever follows ("New York Times Co.", "Boston Globe Magazine", "Newcastle University"); a
# reference work's too ("Oxford Dictionary of English", "Cambridge Encyclopedia").
STRONG_HEADS: frozenset[str] = frozenset(
    "times tribune herald journal gazette chronicle courant inquirer sentinel examiner telegraph enquirer globe "
    "fc afc cf polytechnic dictionary thesaurus encyclopedia encyclopaedia".split()
) | SCHOOL_PREFIXES.difference({"uni"})
LINK_WORDS = PLACE_LINKS  # "University of Maryland", "rue de Paris"

# Up to two words after a span, the second after spaces or a hyphen ("Sun-Times").
_WORDS_AFTER = re.compile(r"[ \t]+(\w+)(?:(?:[ \t]+|-)(\w+))?")
_WORDS_BEFORE_NAMES = LINK_WORDS | CLUB_PREFIXES | SCHOOL_PREFIXES | STREET_PREFIXES | COMPANY_PREFIXES
_NAME_PREFIXES = CLUB_PREFIXES | SCHOOL_PREFIXES | STREET_PREFIXES | COMPANY_PREFIXES  # capitalised, just before
_REACH_BEFORE = 40  # characters looked at before a span for the two words there
_OPENING_MARKS = "«\"'(“‘„["  # may open the first word of a name: "«Динамо Москва»", "(Real Madrid)"


def in_other_name(text: str, start: int, end: int) -> bool:
    """True when the place name at ``text[start:end]`` is part of another name (see module), an organisation's
    among them (``transforms.organisation_names``)."""
    return _head_after(text, end) or _prefix_before(text, start) or in_organisation_name(text, start, end)


def _head_after(text: str, end: int) -> bool:
    """True when a capitalised head follows ``end``: a strong one, a phrase, or one that ends the name."""
    found = _WORDS_AFTER.match(text, end)
    if found is None or not found[1][0].isupper():
        return False
    head, following = found[1].lower(), found[2] or ""
    capitalised_after = following[:1].isupper()
    if head in STRONG_HEADS or (capitalised_after and f"{head} {following.lower()}" in HEAD_PHRASES):
        return True
    return head in NAME_END_HEADS and not capitalised_after


def _prefix_before(text: str, start: int) -> bool:
    """True when a club's or an airline's word, a school's word (a link word between or not) or a street's word
    (capitalised, or before a link word) precedes ``start``."""
    window = text[max(0, start - _REACH_BEFORE):start]
    if not window.endswith((" ", "\t")):
        return False  # punctuation or nothing before the name: no word of its name
    # a split in C: a third of the time of a regular expression searched back; a token's last word counts
    # ("Friedrich-Wilhelms-Universität Bonn", "«Динамо Москва»")
    words = [token.rpartition("-")[2].lstrip(_OPENING_MARKS) for token in window.rsplit(maxsplit=2)[-2:]]
    if not words or words[-1].lower() not in _WORDS_BEFORE_NAMES:
        return False  # the common case, kept cheap
    words = [word for word in words if word.isalnum()]
    linked = len(words) == 2 and words[1].lower() in LINK_WORDS
    word = words[0] if linked else words[-1]
    lowered, capitalised = word.lower(), word[0].isupper()
    if linked:
        return (capitalised and lowered in SCHOOL_PREFIXES) or lowered in STREET_PREFIXES
    return capitalised and lowered in _NAME_PREFIXES

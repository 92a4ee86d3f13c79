"""Given names, folded: a capitalised word that is one makes the capitalised name after it a surname.

"Johan Santana", "Charlie Munger" and "Joe Montana" are people, not the cities of Santana and Munger or the
state of Montana. The names are the first-name lists of every locale of Faker (MIT-licensed; about 31,000 names
of 86 locales, 23,000 once folded and filtered), read when the gazetteer is built and kept with it, so a worker
that reads a cached gazetteer never imports Faker. Only names in cased scripts are kept: the rule needs a capital
to see a name by, and a script without case has none. Faker has few Japanese names ("Yukihiro" is not one).

The lists hold some everyday words besides names ("North", "West", "Council", "Media", "Uni"): those that
stand before place names ("North India", "West Michigan", "National Security Council Ukraine expert") are in
``NOT_GIVEN_NAMES``. The gazetteer also leaves out every name that is a place alias itself ("Sydney",
"Orlando", "Columbus"): "Orlando, Florida" and "Sydney Australia" name two places.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator

from transforms.entities import fold

# Words of Faker's lists that are also everyday words seen before a place name (realfeeds, the AEB pages) or
# likely to be: compass points and other place modifiers, months and seasons, and function words of the languages
# newsbeam reads ("Le Kazakhstan", "Yeni Delhi", "Nova Scotia"); also a few list entries that are no names in
# running text. Folded spelling. Names of one or two letters are left out as well: "El", "Al", "Na", "Vi".
NOT_GIVEN_NAMES: frozenset[str] = frozenset(
    """
    north south east west northern southern eastern western central upper lower inner outer greater new old
    great little grand royal golden metro urban downtown uptown council media forum unknown unnamed uni side
    city state county san santa santo saint st mount monte lake port fort cape bay river rio park villa canal
    alta alto nova nuova yeni guney kara dag
    january february march april may june july august september october november december
    spring summer autumn fall winter sunday monday
    will can may my us our his her its your their made ever till lies among less long over per early run
    les del con una uno era esa esta hasta pero asi ante dia che come dove nel nella ora prima tre sia
    uma nas sem tal ala ale alla ama ara bas ise ola olan ona oni oba ozel ulke geri indi yan var son van von
    vid nya bra eller andra dock fran einer dann sie mal man vorm nim star
    кино мир сила
    """.split()
)
_MIN_LETTERS = 3
_LIST_PREFIXES = ("first_name", "first_romanized_name")  # first_names, first_names_female, first_romanized_names...


def load_given_names() -> frozenset[str]:
    """Folded given names of every Faker locale, in cased scripts, less ``NOT_GIVEN_NAMES``."""
    import faker.providers.person as person_providers  # at build time only: reading the lists takes about 0.2 s

    names: set[str] = set()
    for module_info in pkgutil.iter_modules(person_providers.__path__):
        module = importlib.import_module(f"{person_providers.__name__}.{module_info.name}")
        names.update(_provider_names(getattr(module, "Provider", None)))
    return given_names_from(names)


def given_names_from(names: Iterable[str]) -> frozenset[str]:
    """The folded names among ``names`` that the surname rule can use: in a cased script, of three letters or
    more, and not in ``NOT_GIVEN_NAMES``."""
    folded = (fold(name).strip() for name in names if name[:1].isupper())
    return frozenset(name for name in folded if len(name) >= _MIN_LETTERS and name not in NOT_GIVEN_NAMES)


def _provider_names(provider: object) -> Iterator[str]:
    """The names in a Faker person provider's first-name lists (tuples, lists or weighted dicts)."""
    for attribute in dir(provider):
        if not attribute.startswith(_LIST_PREFIXES):
            continue
        values = getattr(provider, attribute, None)
        if isinstance(values, (tuple, list, dict)):
            yield from (value for value in values if isinstance(value, str))

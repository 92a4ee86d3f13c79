"""Find the abbreviation of a US state or Canadian province written after a place name and a comma: "Austin, TX",
"Austin, Tex.", "Portland, Ore.", "Newark, N.J.", "Toronto, ON", "Vancouver, B.C." (postal codes and AP style).

Such an abbreviation is read only as the area of a "City, Region" pair (``transforms.place_pairs``). One that is
also an English word ("OR", "OK", "IN", "ON"; ``AGREEING_ONLY``) counts only when the place before it lies in that
state or province; so do the AP forms that are other abbreviations too ("Del.", a delegate; "Miss.", a title). The
others also tell that the place before them is a namesake too small for the gazetteer ("Melbourne, FL" is not
Melbourne in Australia), unless they are a country's ISO code too and the place before lies in that country:
"Berlin, DE" and "Amsterdam, NL" stay as they are, "Mansfield, MA" is not Mansfield in England.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Postal codes and the AP's (and older newspapers') forms; ``REGION_CODES``: abbreviation -> ISO 3166-2 code.
_US_POSTAL = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR "
    "PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
_CANADA_POSTAL = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split()
_AP_FORMS = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT", "Del.": "DE",
    "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS", "Kans.": "KS", "Ky.": "KY", "La.": "LA",
    "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN", "Miss.": "MS", "Mo.": "MO", "Mont.": "MT",
    "Neb.": "NE", "Nebr.": "NE", "Nev.": "NV", "N.H.": "NH", "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC",
    "N.D.": "ND", "Okla.": "OK", "Ore.": "OR", "Oreg.": "OR", "Or.": "OR", "Pa.": "PA", "Penn.": "PA", "R.I.": "RI",
    "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN", "Tex.": "TX", "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV",
    "W. Va.": "WV", "Wis.": "WI", "Wisc.": "WI", "Wyo.": "WY",
}
_CANADA_AP_FORMS = {
    "Alta.": "AB", "B.C.": "BC", "Man.": "MB", "N.B.": "NB", "Nfld.": "NL", "N.S.": "NS", "Ont.": "ON",
    "P.E.I.": "PE", "Que.": "QC", "Sask.": "SK",
}
REGION_CODES: dict[str, str] = {
    **{code: f"US-{code}" for code in _US_POSTAL}, **{form: f"US-{code}" for form, code in _AP_FORMS.items()},
    **{code: f"CA-{code}" for code in _CANADA_POSTAL},
    **{form: f"CA-{code}" for form, code in _CANADA_AP_FORMS.items()},
}
# Postal codes that are English words, and AP forms that are other abbreviations too ("Del." a delegate, "Ind." an
# independent, "Miss." a title, "La." a Spanish article, "Man." a word).
AGREEING_ONLY: frozenset[str] = frozenset("HI IN ME OH OK ON OR Del. Ind. Miss. La. Man.".split())
# Postal codes that are also a country's ISO 3166 code (Albania, Azerbaijan, ..., the Netherlands, Niue, Peru).
COUNTRY_CODES: frozenset[str] = frozenset(
    "AL AZ AR CA CO DE GA ID IL IN KY LA MA MD ME MN MO MS MT NC NE PA SC SD TN VA NL NU PE SK YT".split()
)

_AFTER_COMMA = re.compile(
    r",[ \t]*(%s)(?!\w|\.\w)" % "|".join(re.escape(form) for form in sorted(REGION_CODES, key=len, reverse=True))
)


class Abbreviation(NamedTuple):
    """A state's or province's abbreviation found after a comma."""

    start: int
    end: int
    region_id: str  # the gazetteer's id of the state or province ("region:US-TX")
    agreeing_only: bool  # counts only when the place before it lies there
    country_code: str = ""  # the country whose ISO code it is too ("MA": Morocco), if any


def abbreviation_after(text: str, end: int) -> Abbreviation | None:
    """The abbreviation that follows ``end`` after a comma ("Austin[, TX]"), if any."""
    found = _AFTER_COMMA.match(text, end)
    if found is None:
        return None
    form = found[1]
    country_code = form if form in COUNTRY_CODES else ""
    return Abbreviation(found.start(1), found.end(1), f"region:{REGION_CODES[form]}", form in AGREEING_ONLY,
                        country_code)

"""A small made-up table of places, for the tests of "City, Region" pairs and of places in lists."""

from __future__ import annotations

from transforms.gazetteer import GazetteerEntity

_COUNTRIES = {
    "US": "United States", "GE": "Georgia", "FR": "France", "UA": "Ukraine", "CA": "Canada", "GB": "United Kingdom",
    "DE": "Germany", "AM": "Armenia", "AZ": "Azerbaijan",
}
# region id -> its name and ISO 3166-2 code ("": a region of no known country)
_REGIONS = {
    "region:US-GA": ("Georgia", "US-GA"), "region:US-TX": ("Texas", "US-TX"), "region:US-NJ": ("New Jersey", "US-NJ"),
    "region:US-OH": ("Ohio", "US-OH"), "region:US-FL": ("Florida", "US-FL"), "region:US-NM": ("New Mexico", "US-NM"),
    "region:US-MA": ("Massachusetts", "US-MA"), "region:US-AL": ("Alabama", "US-AL"),
    "region:US-DE": ("Delaware", "US-DE"), "region:US-OK": ("Oklahoma", "US-OK"), "region:US-VA": ("Virginia", "US-VA"),
    "region:US-NY": ("New York", "US-NY"), "region:US-WA": ("Washington", "US-WA"),
    "region:CA-NB": ("New Brunswick", "CA-NB"), "region:CA-ON": ("Ontario", "CA-ON"),
    "region:england": ("England", "GB-ENG"), "region:scotland": ("Scotland", "GB-SCT"),
    "region:karabakh": ("Karabakh", ""),
}
# city id -> its name, country and subdivision ("" where geonames' is not a region of the gazetteer)
_CITIES = {
    "city:atlanta": ("Atlanta", "US", "US-GA"), "city:washington": ("Washington", "US", "US-DC"),
    "city:new-york": ("New York", "US", "US-NY"), "city:los-angeles": ("Los Angeles", "US", "US-CA"),
    "city:tbilisi": ("Tbilisi", "GE", ""), "city:paris": ("Paris", "FR", ""), "city:moscow": ("Moscow", "RU", ""),
    "city:athens-greece": ("Athens", "GR", ""), "city:athens-georgia": ("Athens", "US", "US-GA"),
    "city:london-ontario": ("London", "CA", ""), "city:melbourne": ("Melbourne", "AU", ""),
    "city:perth": ("Perth", "AU", ""), "city:santa-fe": ("Santa Fe", "AR", ""), "city:berlin": ("Berlin", "DE", ""),
    "city:mansfield": ("Mansfield", "GB", "GB-ENG"), "city:birmingham-england": ("Birmingham", "GB", "GB-ENG"),
    "city:birmingham-alabama": ("Birmingham", "US", "US-AL"), "city:cambridge-england": ("Cambridge", "GB", "GB-ENG"),
    "city:cambridge-massachusetts": ("Cambridge", "US", "US-MA"),
}

PLACES: dict[str, GazetteerEntity] = {
    **{f"country:{code}": GazetteerEntity(f"country:{code}", name, "country", code)
       for code, name in _COUNTRIES.items()},
    **{region_id: GazetteerEntity(region_id, name, "other", code[:2], code)
       for region_id, (name, code) in _REGIONS.items()},
    **{city_id: GazetteerEntity(city_id, name, "city", country, subdivision)
       for city_id, (name, country, subdivision) in _CITIES.items()},
    "organisation:nato": GazetteerEntity("organisation:nato", "NATO", "organisation"),
}

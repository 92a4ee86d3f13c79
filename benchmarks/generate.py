"""Generate a realistic benchmark corpus of news feeds, pages and JSON Lines, deterministically by seed.

The corpus looks like the bundled sample (``examples/sample/``) at any size: RSS 2.0, Atom 1.0 and RSS 1.0
(RDF) feeds of 20 to 50 items, full HTML article pages with navigation, ads, comments and JSON-LD, and
JSON Lines files of articles. Items carry 2 to 8 KB of messy HTML (inline styles, scripts, iframes, forms,
tracking pixels, comments, share bars, entities), dates in the forms the sample uses (RFC 822 with
offsets and zone names, ISO 8601 with Z/offsets/fractions, W3C-DTF, date only, DD.MM.YYYY, Azerbaijani
and Russian words, Unix epochs), text in English, Azerbaijani and Russian with spelling variants of the
same places, and a few duplicates across files. Same seed and size: byte-identical files.

Usage: ``python -m benchmarks.generate DIRECTORY --items 20000 --seed 1`` (the throughput benchmark
calls ``generate_corpus`` itself, in a temporary directory; the corpus is never committed).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import html
import json
import os
import pathlib
import random
from typing import Callable

UTC = dt.timezone.utc
FIRST_DAY = dt.datetime(2023, 8, 1, tzinfo=UTC)
DAYS = 60  # items are published over this many days from FIRST_DAY
FETCHED_AT = dt.datetime(2023, 10, 1, tzinfo=UTC)  # every file's mtime: the pipeline's fetched_at
# Share of items per kind of file (the sample has about 3 % pages); feeds split by format below.
ITEM_SHARES = (("feed", 0.82), ("jsonl", 0.15), ("page", 0.03))
FEED_FORMATS = (("rss20", 0.5), ("atom", 0.3), ("rdf", 0.2))
LANGUAGES = (("en", 0.6), ("ru", 0.25), ("az", 0.15))
DUPLICATE_SHARE = 0.03  # items that repeat an earlier item (another feed, a later update)
GZIP_SHARE = 0.05  # files written gzip-compressed
ITEMS_PER_FEED = (20, 50)
LINES_PER_JSONL = (30, 60)
ITEMS_PER_FILE = {"feed": sum(ITEMS_PER_FEED) / 2, "jsonl": sum(LINES_PER_JSONL) / 2, "page": 1}
# Files are drawn by kind with these weights, so that items come out in the shares above.
FILE_SHARES = tuple((kind, share / ITEMS_PER_FILE[kind]) for kind, share in ITEM_SHARES)

OUTLETS = {
    "en": ["caspian-courier", "steppe-wire", "tbilisi-observer", "silk-road-times", "black-sea-herald"],
    "ru": ["volga-dispatch", "kaspiy-vestnik", "don-gazette"],
    "az": ["baku-ledger", "xezer-xeber"],
}
PLACES = {  # spelling variants of the same entities, per language, as the sample's outlets write them
    "en": ["Baku", "Garabagh", "Karabakh", "Nagorno-Karabakh", "Tbilisi", "Moscow", "Ankara", "Istanbul",
           "Azerbaijan", "Georgia", "Kazakhstan", "Almaty", "Aktau", "Tehran", "Yerevan", "London", "Berlin"],
    "ru": ["Баку", "Карабах", "Карабахе", "Москва", "Москве", "Тбилиси", "Азербайджана", "Астрахань",
           "Казахстан", "Стамбул", "Анкара", "Волгоград"],
    "az": ["Bakı", "Bakıda", "Qarabağ", "Qarabağda", "Azərbaycan", "Azərbaycanın", "Gəncə", "Tiflis",
           "Moskva", "Ankara", "İstanbul", "Sumqayıt"],
}
ORGANISATIONS = {"en": ["the UN", "the United Nations", "the EU", "NATO", "the World Bank"],
                 "ru": ["ООН", "Евросоюз", "МВФ"], "az": ["BMT", "Avropa İttifaqı", "Dünya Bankı"]}
PEOPLE = {
    "en": ["Leyla Hasanova", "Rauf Karimov", "Aysel Guliyeva", "Marat Seitkali", "Giorgi Beridze",
           "Nino Kapanadze", "Emre Yildiz", "Ilaha Safarova", "Timur Nurlanov"],
    "ru": ["Анна Сизова", "Игорь Белов", "Марина Горская", "Олег Ветров", "Руслан Тагиров"],
    "az": ["Leyla Həsənova", "Rauf Kərimov", "Səbinə Abbasova", "Orxan Şirinov", "Günel Məmmədli"],
}
SENTENCES = {  # {place}, {org}, {person}, {n}, {m} are filled per sentence
    "en": [
        "The port of {place} handled {n},000 tonnes of cargo last month, {m} percent more than a year earlier.",
        "Officials in {place} said the new terminal would open after a final inspection by {org}.",
        "\u201cWe are still short of capacity at peak hours,\u201d said {person}, a spokesperson for the operator.",
        "Engineers will spend {m} weeks checking the equipment before commercial operation begins.",
        "A delegation from {place} met representatives of {org} to discuss water supply and demining.",
        "Freight forwarders say transit times between {place} and {place2} have become more predictable.",
        "The festival in {place} lines up {n} events over {m} days, most of them free to attend.",
        "Forecasters expect winds of up to {m} metres per second in {place}, with rain in the foothills.",
        "According to {person}, about {n} households will be connected to the network by the end of the year.",
        "The ministry said {n} kilometres of road between {place} and {place2} would be repaired.",
    ],
    "ru": [
        "Порт {place} обработал {n} тысяч тонн грузов за месяц, на {m} процентов больше, чем годом ранее.",
        "Как сообщил {person}, новый терминал в городе {place} откроется после проверки {org}.",
        "Делегация из {place} обсудила с представителями {org} вопросы водоснабжения.",
        "Синоптики ожидают порывы ветра до {m} метров в секунду, в районе {place} пройдут дожди.",
        "Фестиваль уличного театра собрал около {n} зрителей, сообщили организаторы в {place2}.",
        "По словам {person}, к концу года к сети подключат около {n} домохозяйств.",
        "Грузовой поезд из {place} прибыл в {place2} за {m} дней, перевезя {n} контейнеров.",
        "Министерство сообщило, что дорогу между {place} и {place2} отремонтируют до зимы.",
    ],
    "az": [
        "{place} limanı keçən ay {n} min ton yük qəbul edib, bu, ötən ilə nisbətən {m} faiz çoxdur.",
        "{person} bildirib ki, yeni terminal {org} yoxlamasından sonra açılacaq.",
        "{place} nümayəndə heyəti {org} təmsilçiləri ilə su təchizatını müzakirə edib.",
        "Sinoptiklər {place} ərazisində saniyədə {m} metrə qədər külək gözləyir.",
        "Festivalda {n} tədbir keçiriləcək, onların əksəriyyəti pulsuzdur, {place2} təşkilatçıları bildirib.",
        "{person} qeyd edib ki, ilin sonuna qədər {n} ev təsərrüfatı şəbəkəyə qoşulacaq.",
        "Nazirlik {place} və {place2} arasında {n} kilometr yolun təmir ediləcəyini açıqlayıb.",
    ],
}
TITLES = {
    "en": ["{place} port cargo up {m}% on the year", "New terminal in {place} opens to traffic",
           "{org} mission visits {place}", "Gusts of up to {m} m/s forecast for {place}",
           "{n} households in {place} get piped water", "Freight train from {place} reaches {place2}"],
    "ru": ["Грузооборот порта {place} вырос на {m}%", "Новый терминал в {place} открыт",
           "Миссия {org} посетила {place}", "В {place} ожидается штормовой ветер до {m} м/с"],
    "az": ["{place} limanında yükdaşıma {m}% artıb", "{place} şəhərində yeni terminal açılıb",
           "{org} nümayəndələri {place} şəhərində", "{place} üçün {m} m/s külək proqnozlaşdırılır"],
}
AZ_MONTHS = ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr",
             "noyabr", "dekabr"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря"]
EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ZONE_NAMES = {"GMT": 0, "Z": 0, "EST": -300, "MSK": 180, "AZT": 240}


@dataclasses.dataclass
class Item:
    """One news item: its text, time and where it comes from (rendered into a feed, page or JSON line)."""

    language: str
    outlet: str
    url: str
    guid: str
    title: str
    paragraphs: list[str]
    author: str
    published: dt.datetime  # UTC
    offset_minutes: int  # the zone the date is written in
    tags: list[str]


def _choose(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in shares], weights=[share for _, share in shares])[0]


def _fill(rng: random.Random, template: str, language: str) -> str:
    place, place2 = rng.sample(PLACES[language], 2)
    return template.format(place=place, place2=place2, org=rng.choice(ORGANISATIONS[language]),
                           person=rng.choice(PEOPLE[language]), n=rng.randint(12, 980), m=rng.randint(2, 40))


def make_item(rng: random.Random, number: int, language: str | None = None, outlet: str | None = None) -> Item:
    """A fresh item with 5 to 18 paragraphs (about 1.5 to 6 KB of text before markup)."""
    language = language or _choose(rng, LANGUAGES)
    outlet = outlet or rng.choice(OUTLETS[language])
    paragraphs = [" ".join(_fill(rng, rng.choice(SENTENCES[language]), language) for _ in range(rng.randint(2, 4)))
                  for _ in range(rng.randint(5, 18))]
    slug = f"{number:07d}-{rng.choice(['port', 'terminal', 'water', 'rail', 'weather', 'festival'])}"
    published = FIRST_DAY + dt.timedelta(seconds=rng.randrange(DAYS * 86400 // 60) * 60)
    url = f"https://{outlet}.example/news/{published:%Y/%m/%d}/{slug}"
    if rng.random() < 0.6:
        url += f"?utm_source=rss&utm_medium=feed&utm_campaign={outlet}"
    return Item(language=language, outlet=outlet, url=url, guid=f"{outlet}:{number}",
                title=_fill(rng, rng.choice(TITLES[language]), language), paragraphs=paragraphs,
                author=rng.choice(PEOPLE[language]), published=published,
                offset_minutes=rng.choice([0, 0, 180, 240, 240, -300, 60]),
                tags=rng.sample(["economy", "transport", "energy", "culture", "weather", "politics"], 2))


# --- Dates, in the forms of the sample ---------------------------------------------------------------


def _local(item: Item, offset: int | None = None) -> dt.datetime:
    return item.published + dt.timedelta(minutes=item.offset_minutes if offset is None else offset)


def _offset_text(minutes: int, colon: bool) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{rest:02d}"


def _rfc822(item: Item, rng: random.Random) -> str:
    style = rng.choice(["offset", "offset", "offset", "gmt", "zone", "no_weekday", "short_year", "military"])
    if style == "gmt":
        local, zone = _local(item, 0), "GMT"
    elif style == "military":
        local, zone = _local(item, 0), "Z"
    elif style == "zone":
        zone = rng.choice(["EST", "MSK", "AZT"])
        local = _local(item, ZONE_NAMES[zone])
    else:
        local, zone = _local(item), _offset_text(item.offset_minutes, colon=False)
    year = f"{local:%y}" if style == "short_year" else f"{local.year}"
    weekday = "" if style == "no_weekday" else f"{WEEKDAYS[local.weekday()]}, "
    return f"{weekday}{local.day:02d} {EN_MONTHS[local.month - 1]} {year} {local:%H:%M:%S} {zone}"


def _iso(item: Item, rng: random.Random) -> str:
    style = rng.choice(["z", "offset", "offset", "fraction", "w3c_minutes", "date_only", "no_zone", "space"])
    if style in ("z", "fraction"):
        text = f"{item.published:%Y-%m-%dT%H:%M:%S}"
        return text + (f".{rng.randint(0, 999):03d}Z" if style == "fraction" else "Z")
    local = _local(item)
    zone = _offset_text(item.offset_minutes, colon=True)
    return {"offset": f"{local:%Y-%m-%dT%H:%M:%S}{zone}", "w3c_minutes": f"{local:%Y-%m-%dT%H:%M}{zone}",
            "date_only": f"{item.published:%Y-%m-%d}", "no_zone": f"{item.published:%Y-%m-%dT%H:%M:%S}",
            "space": f"{local:%Y-%m-%d %H:%M:%S}{zone}"}[style]


def _jsonl_date(item: Item, rng: random.Random) -> str | int:
    style = rng.choice(["iso", "iso", "rfc822", "epoch", "dotted", "words"])
    at = item.published
    if style == "epoch":
        return int(at.timestamp())
    if style == "dotted" and item.language != "en":  # English sources read 03.04.2023 month-first
        return f"{at:%d.%m.%Y %H:%M}"
    if style == "words" and item.language == "az":
        return f"{at.day} {AZ_MONTHS[at.month - 1]} {at.year}, {at:%H:%M}"
    if style == "words" and item.language == "ru":
        return f"{at.day} {RU_MONTHS[at.month - 1]} {at.year} г., {at:%H:%M}"
    return _rfc822(item, rng) if style == "rfc822" else _iso(item, rng)


# --- Messy HTML ---------------------------------------------------------------------------------------


def _messy_body(item: Item, rng: random.Random) -> str:
    """The item's paragraphs as feeds send them: styles, scripts, iframes, forms, pixels, share bars."""
    domain = f"{item.outlet}.example"
    token = f"{rng.getrandbits(32):08x}"
    parts: list[str] = []
    for index, paragraph in enumerate(item.paragraphs):
        text = html.escape(paragraph, quote=False).replace(" - ", " &ndash; ")
        if rng.random() < 0.2:
            text = text.replace(", ", ",&nbsp;", 1)
        style = ' style="margin:0 0 1em;font-family:Georgia,serif"' if rng.random() < 0.3 else ""
        parts.append(f"<p{style}>{text}</p>")
        extra = rng.random()
        if index == 1:
            parts.append(f'<figure><img src="https://cdn.{domain}/img/{token}.jpg" alt="" width="1200" height="675">'
                         f"<figcaption>{html.escape(item.title)}</figcaption></figure>")
        elif extra < 0.08:
            parts.append(f'<script type="text/javascript">window.dataLayer=window.dataLayer||[];'
                         f'dataLayer.push({{"event":"article_view","id":"{token}"}});</script>')
        elif extra < 0.14:
            parts.append(f'<div class="share"><a href="https://{domain}/share?u={token}">Share</a>&nbsp;|&nbsp;'
                         '<a href="#comments">Comments</a></div>')
        elif extra < 0.18:
            parts.append(f'<iframe src="https://video.{domain}/embed/{token}" width="640" height="360" '
                         'frameborder="0" allowfullscreen></iframe>')
        elif extra < 0.21:
            parts.append(f'<form action="https://{domain}/newsletter" method="post"><label>Briefing</label>'
                         '<input type="email" name="email"><button type="submit">Subscribe</button></form>')
        elif extra < 0.24:
            parts.append("<!-- ad slot: inarticle --><style>.ad-inline{display:none}</style>")
        elif extra < 0.30:
            parts.append(f'<ul><li><a href="https://{domain}/news/related-{rng.randint(1, 99999)}?utm_source=inline">'
                         f"{html.escape(_fill(rng, rng.choice(TITLES[item.language]), item.language))}</a></li></ul>")
    parts.append(f'<img src="https://stats.{domain}/pixel.gif?a={token}" width="1" height="1" alt="">')
    return "".join(parts)


def _title_markup(item: Item, rng: random.Random) -> str:
    """The title as feeds write it; some double-escape their entities."""
    title = html.escape(item.title, quote=False)
    return title.replace("&", "&amp;") if rng.random() < 0.05 else title


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(text: str) -> str:
    return html.escape(text, quote=True)


def render_rss20(outlet: str, items: list[Item], rng: random.Random) -> str:
    """An RSS 2.0 feed with content:encoded, dc:creator and media:content."""
    entries = []
    for item in items:
        body = _messy_body(item, rng)
        entries.append(
            f"<item><title>{_title_markup(item, rng)}</title><link>{_xml(item.url)}</link>"
            f'<guid isPermaLink="false">{item.guid}</guid><dc:creator>{_xml(item.author)}</dc:creator>'
            f"<pubDate>{_rfc822(item, rng)}</pubDate>"
            + "".join(f"<category>{tag}</category>" for tag in item.tags)
            + f"<description>{_cdata('<p>' + html.escape(item.paragraphs[0], quote=False) + '</p>')}</description>"
            f"<content:encoded>{_cdata(body)}</content:encoded>"
            f'<media:content url="https://cdn.{outlet}.example/img/{item.guid.split(":")[1]}.jpg" medium="image"/>'
            "</item>\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>{outlet}</title><link>https://{outlet}.example/</link><description>News</description>"
        f"<language>{items[0].language}</language>\n" + "".join(entries) + "</channel></rss>\n")


def render_atom(outlet: str, items: list[Item], rng: random.Random) -> str:
    """An Atom 1.0 feed with published/updated, escaped HTML summary and content."""
    entries = []
    for item in items:
        updated = item.published + dt.timedelta(minutes=rng.choice([0, 0, 30, 95]))
        entries.append(
            f'<entry><title type="html">{_xml(_title_markup(item, rng))}</title>'
            f'<link rel="alternate" href="{_xml(item.url)}"/><id>tag:{outlet}.example,2023:{item.guid}</id>'
            f"<published>{_iso(item, rng)}</published><updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated>"
            f"<author><name>{_xml(item.author)}</name></author>"
            + "".join(f'<category term="{tag}"/>' for tag in item.tags)
            + f'<summary type="html">{_xml("<p>" + html.escape(item.paragraphs[0], quote=False) + "</p>")}</summary>'
            f'<content type="html">{_xml(_messy_body(item, rng))}</content></entry>\n')
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="{items[0].language}"><title>{outlet}</title><id>https://{outlet}.example/</id>'
        f'<link rel="alternate" href="https://{outlet}.example/"/><updated>{FETCHED_AT:%Y-%m-%dT%H:%M:%SZ}</updated>\n'
        + "".join(entries) + "</feed>\n")


def render_rdf(outlet: str, items: list[Item], rng: random.Random) -> str:
    """An RSS 1.0 (RDF) feed, CRLF line endings, dc:date as the only date."""
    entries = []
    for item in items:
        entries.append(
            f'<item rdf:about="{_xml(item.url)}"><title>{_title_markup(item, rng)}</title>'
            f"<link>{_xml(item.url)}</link><dc:date>{_iso(item, rng)}</dc:date>"
            f"<dc:creator>{_xml(item.author)}</dc:creator>"
            f"<description>{_xml(_messy_body(item, rng))}</description></item>\r\n")
    sequence = "".join(f'<rdf:li rdf:resource="{_xml(item.url)}"/>' for item in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\r\n'
        f'<channel rdf:about="https://{outlet}.example/rss.rdf"><title>{outlet}</title>'
        f"<link>https://{outlet}.example/</link><description>News</description>"
        f"<dc:language>{items[0].language}</dc:language><items><rdf:Seq>{sequence}</rdf:Seq></items></channel>\r\n"
        + "".join(entries) + "</rdf:RDF>\r\n")


def render_jsonl(items: list[Item], rng: random.Random) -> str:
    """JSON Lines of articles, some escaped to ASCII, dates in every form the sample uses."""
    lines = []
    for item in items:
        record = {"url": item.url, "title": item.title, "html": _messy_body(item, rng),
                  "published": _jsonl_date(item, rng), "source": item.outlet, "author": item.author,
                  "language": {"en": "en", "ru": "ru-RU", "az": "az"}[item.language]}
        lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.3))
    return "\n".join(lines) + "\n"


def render_page(item: Item, rng: random.Random) -> str:
    """A full article page: cookie banner, navigation, ads, sidebar, comments, footer, JSON-LD."""
    domain = f"{item.outlet}.example"
    published = _iso(item, rng) if rng.random() < 0.7 else f"{_local(item):%Y-%m-%dT%H:%M:%S}" + \
        _offset_text(item.offset_minutes, colon=True)
    json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
               "datePublished": published, "inLanguage": item.language,
               "author": [{"@type": "Person", "name": item.author}], "mainEntityOfPage": item.url}
    paragraphs = "\n".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in item.paragraphs)
    nav = "".join(f'<li><a href="https://{domain}/{section}/">{section.title()}</a></li>'
                  for section in ("news", "business", "culture", "sport", "weather", "opinion"))
    related = "".join(f'<li><a href="https://{domain}/news/related-{rng.randint(1, 99999)}?utm_source=sidebar">'
                      f"{html.escape(_fill(rng, rng.choice(TITLES[item.language]), item.language))}</a></li>"
                      for _ in range(6))
    comments = "".join(f'<li class="comment"><span>{html.escape(rng.choice(PEOPLE[item.language]))}</span>'
                       f"<p>{html.escape(_fill(rng, rng.choice(SENTENCES[item.language]), item.language))}</p></li>"
                       for _ in range(rng.randint(2, 6)))
    return f"""<!DOCTYPE html>
<html lang="{item.language}"><head><meta charset="utf-8">
<title>{html.escape(item.title)} | {item.outlet}</title>
<meta name="description" content="{html.escape(item.paragraphs[0][:150])}">
<link rel="canonical" href="{html.escape(item.url)}">
<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(item.title)}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{html.escape(item.author)}">
<style>.cookie-banner{{position:fixed;bottom:0}}.ad{{min-height:90px}}</style>
<script async src="https://analytics.{domain}/tag.js"></script>
<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False)}</script>
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept</button></div>
<header><a href="https://{domain}/"><img src="https://{domain}/static/logo.svg" alt="{item.outlet}"></a>
<nav><ul>{nav}</ul></nav><form action="https://{domain}/search"><input type="search" name="q"></form></header>
<div class="ad"><iframe src="https://ads.adnetwork.example/top?site={domain}" width="728" height="90"></iframe></div>
<main><article><h1>{html.escape(item.title)}</h1>
<p class="byline">By {html.escape(item.author)} <time datetime="{published}">{published[:10]}</time></p>
<div class="story-body">
{paragraphs}
</div></article>
<section class="comments"><h2>Comments</h2><ol>{comments}</ol></section></main>
<aside class="sidebar"><h3>Most read</h3><ol>{related}</ol></aside>
<footer><p>&copy; {item.outlet}. All rights reserved.</p></footer>
<img src="https://stats.{domain}/pixel.gif?p={item.guid}" width="1" height="1" alt="">
<script>function acceptCookies(){{}}</script>
</body></html>
"""


FEED_RENDERERS: dict[str, Callable[[str, list[Item], random.Random], str]] = {
    "rss20": render_rss20, "atom": render_atom, "rdf": render_rdf,
}
FEED_EXTENSIONS = {"rss20": "xml", "atom": "atom", "rdf": "rdf"}


def _write(path: pathlib.Path, text: str, compress: bool) -> int:
    data = text.encode("utf-8")
    if compress:
        data = gzip.compress(data, mtime=0)
        path = path.with_name(path.name + ".gz")
    path.write_bytes(data)
    stamp = FETCHED_AT.timestamp()
    os.utime(path, (stamp, stamp))
    return len(data)


def generate_corpus(directory: str | pathlib.Path, items: int, seed: int = 1) -> dict:
    """Write about ``items`` items under ``directory`` (feeds/, pages/, jsonl/); return what was written."""
    root = pathlib.Path(directory)
    for sub in ("feeds", "pages", "jsonl"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"newsbeam-benchmark:{seed}")
    made: list[Item] = []
    totals = {"files": 0, "items": 0, "bytes": 0, "by_kind": {"feed": 0, "jsonl": 0, "page": 0}}

    def next_items(count: int, language: str | None = None, outlet: str | None = None) -> list[Item]:
        batch = []
        for _ in range(count):
            if made and rng.random() < DUPLICATE_SHARE:
                batch.append(rng.choice(made))  # the same item again, as another feed or a re-fetch shows it
            else:
                made.append(make_item(rng, len(made), language, outlet))
                batch.append(made[-1])
        return batch

    while totals["items"] < items:
        kind = _choose(rng, FILE_SHARES)
        left = items - totals["items"]
        compress = rng.random() < GZIP_SHARE
        number = totals["files"]
        if kind == "page":
            batch = next_items(1)
            size = _write(root / "pages" / f"{batch[0].outlet}-{number:06d}.html", render_page(batch[0], rng), compress)
        elif kind == "jsonl":
            batch = next_items(min(left, rng.randint(*LINES_PER_JSONL)))
            size = _write(root / "jsonl" / f"articles-{number:06d}.jsonl", render_jsonl(batch, rng), compress)
        else:
            feed_format = _choose(rng, FEED_FORMATS)
            language = _choose(rng, LANGUAGES)
            outlet = rng.choice(OUTLETS[language])
            batch = next_items(min(left, rng.randint(*ITEMS_PER_FEED)), language, outlet)
            text = FEED_RENDERERS[feed_format](outlet, batch, rng)
            size = _write(root / "feeds" / f"{outlet}-{number:06d}.{FEED_EXTENSIONS[feed_format]}", text, compress)
        totals["files"] += 1
        totals["items"] += len(batch)
        totals["bytes"] += size
        totals["by_kind"][kind] += len(batch)
    totals["unique_items"] = len(made)
    totals["seed"] = seed
    return totals


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus and print its totals as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(json.dumps(generate_corpus(args.directory, args.items, args.seed), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Write the bundled sample in examples/sample/ and its expected outcomes, deterministically.

Usage:
    python examples/make_sample.py            # (re)write every sample file, print the totals
    python examples/make_sample.py --verify   # also parse the feeds with feedparser and check them

Everything in the sample is made up here (outlets, people, numbers) except the one item that reuses
the project's seed article (shared/seed-article.txt, copied below). The generator builds a data model
first (one ``Item`` per item in a file, with the instant it is meant to have) and renders the files
from it, so the counts in ``expected.json`` and ``README.md`` are computed, not hand-counted.

Only the standard library is needed to generate. ``--verify`` imports feedparser (in the project venv).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import hashlib
import html
import json
import random
import re
import struct
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

SEED = 20230921
OUT = Path(__file__).resolve().parent / "sample"
UTC = dt.timezone.utc
FIRST_DAY = dt.date(2023, 9, 14)
LAST_DAY = dt.date(2023, 9, 27)
DAYS = [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]

SOURCES = {
    "caspian-courier": {"name": "Caspian Courier", "domain": "caspian-courier.example"},
    "baku-ledger": {"name": "Baku Ledger", "domain": "baku-ledger.example"},
    "steppe-wire": {"name": "Steppe Wire", "domain": "steppe-wire.example"},
    "volga-dispatch": {"name": "Volga Dispatch", "domain": "volga-dispatch.example"},
    "tbilisi-observer": {"name": "Tbilisi Observer", "domain": "tbilisi-observer.example"},
}

# The seed article, verbatim (its first line is the dateline the pipeline must use).
SEED_TEXT = """ date 2023-09-21 21 September 2023 16:21 (UTC+04:00)

The Commissioner for Human Rights (Ombudswoman) of Azerbaijan, Sabina Aliyeva, met with the chief adviser to the Office of the UN High Commissioner for Human Rights in the South Caucasus, Vladimir Shkolnikov, Azernews reports.

As Azertaj was told by the Ombudsman's Office, during the meeting, Sabina Aliyeva informed the chief adviser in detail about the work done in the field of protecting human rights and freedoms and the reforms carried out. She brought to the attention of her interlocutor that she attaches great importance to close cooperation and exchange of experience with international human rights organizations and ombudsmen of foreign countries.

Stressing the importance of strengthening cooperation with the UN and its specialized structures, the Ombudswoman noted that parallel reports are provided to treaty bodies.

Vladimir Shkolnikov was also informed about the armed provocations and terrorist actions of Armenia aimed against the civilian population in the territories of Azerbaijan liberated from occupation, and about local anti-terrorism measures taken to prevent such crimes, which claimed the lives of many innocent people and created a threat to peace and security in the region, as well as the protection of people's rights and freedoms. The Ombudsman noted that special attention is paid to the safety and protection of the rights of Azerbaijani citizens of Armenian origin living in Garabagh.

Sabina Aliyeva also spoke about the mine terror that Armenia unleashed on the Azerbaijani territories liberated from occupation, adding that more than 300 civilians and military personnel became victims of mine explosions.

The Ombudswoman especially emphasized that Armenia has not yet provided Azerbaijan with accurate maps of minefields and the ongoing mine threat creates serious obstacles to construction and restoration work in the region and the return of former internally displaced persons. She also spoke about Azerbaijanis who went missing during the years of occupation.

At the meeting, an exchange of views took place on issues related to the prospects for cooperation between the UN and the ombudsman institution.
"""
SEED_DATELINE = SEED_TEXT.splitlines()[0]

# Spelling variants of the same entities, as the sample uses them (see README, "Entities").
ENTITY_VARIANTS = {
    "Karabakh": ["Garabagh", "Karabakh", "Qarabağ", "Qarabağda", "Qarabag", "Nagorno-Karabakh", "Карабах",
                 "Карабахе"],
    "Azerbaijan": ["Azerbaijan", "Azərbaycan", "Azərbaycanın", "Азербайджан", "Азербайджана"],
    "Baku": ["Baku", "Bakı", "Bakıda", "Bakının", "Баку"],
    "Moscow": ["Moscow", "Москва", "Москве", "Москвы", "Moskva"],
    "Tbilisi": ["Tbilisi", "Тбилиси"],
    "Ankara": ["Ankara", "Анкара"],
    "Istanbul": ["Istanbul", "İstanbul", "Стамбул"],
    "United Nations": ["UN", "United Nations", "ООН", "BMT"],
    "Ombudsman": ["Ombudswoman", "Ombudsman"],
}

PEOPLE = {
    "en": ["Leyla Hasanova", "Rauf Karimov", "Aysel Guliyeva", "Tural Huseynov", "Sevinj Abbasova",
           "Marat Seitkali", "Dana Abenova", "Giorgi Beridze", "Nino Kapanadze", "Emre Yildiz",
           "Kamran Rzayev", "Ilaha Safarova", "Timur Nurlanov", "Mariam Lomidze", "Farid Jafarli"],
    "az": ["Leyla Həsənova", "Rauf Kərimov", "Aysel Quliyeva", "Tural Hüseynov", "Səbinə Abbasova",
           "Kamran Rzayev", "İlahə Səfərova", "Fərid Cəfərli", "Günel Məmmədli", "Orxan Şirinov"],
    "ru": ["Анна Сизова", "Игорь Белов", "Марина Горская", "Олег Ветров", "Ольга Климова",
           "Руслан Тагиров", "Елена Маркова", "Сергей Лаптев"],
}


def pick(rng: random.Random, seq):
    """One element of ``seq`` (a thin alias so the templates read well)."""
    return rng.choice(seq)


# --------------------------------------------------------------------------------------------
# Article text templates. Each returns (title, paragraphs, tags). ``v`` holds the outlet's own
# spelling of the entities (one outlet writes "Garabagh", another "Karabakh", ...).
# Bodies never contain calendar dates, so no dateline heuristic can pick one up by accident.
# --------------------------------------------------------------------------------------------

def en_port(r, v):
    port = pick(r, [v["baku"], "Aktau", "Kuryk", "Turkmenbashi", "Poti", "Batumi"])
    kt, p, teu = r.randint(310, 980), r.randint(3, 27), r.randint(4, 19) * 1000 + r.randint(0, 999)
    title = pick(r, [f"{port} port cargo up {p}% on the year",
                     f"Cargo through {port} grows {p}% as ferry rotations increase"])
    return title, [
        f"The port of {port} handled {kt},000 tonnes of cargo last month, {p} percent more than a year "
        f"earlier, according to figures published by the port authority.",
        f"Container traffic grew faster than bulk cargo, with {teu:,} TEU moved across the quays. Officials "
        f"credited extra ferry rotations across the Caspian and shorter waiting times at the rail interchange.",
        f"\"We are still short of berths at peak hours,\" said {pick(r, PEOPLE['en'])}, a spokesperson for "
        f"the port. \"The next phase of the terminal should remove that bottleneck.\"",
    ], ["economy", "shipping"]


def en_rail(r, v):
    a, b = pick(r, [("Xi'an", v["baku"]), ("Almaty", v["tbilisi"]), ("Tashkent", "Poti"),
                    ("Aktau", v["istanbul"]), ("Urumqi", v["baku"]), ("Shymkent", "Batumi")])
    d, n = r.randint(11, 19), r.randint(40, 96)
    title = pick(r, [f"Container train from {a} reaches {b} in {d} days",
                     f"{n}-box freight train completes {a}-{b} run"])
    return title, [
        f"A container train that left {a} {d} days earlier has arrived in {b}, the operator said, carrying "
        f"{n} containers of household goods, tyres and spare parts.",
        f"The route crosses the Caspian by ferry and continues by rail through {v['tbilisi']} towards the "
        f"Black Sea ports. Customs checks were done in advance, which saved about two days.",
        "Freight forwarders say transit times on the corridor have become more predictable, although ferry "
        "capacity remains the main constraint during the autumn storms.",
    ], ["transport", "rail"]


def en_weather(r, v):
    city = pick(r, [v["baku"], "Aktau", "Sumgait", "Lankaran", v["tbilisi"], "Ganja"])
    w, t = r.randint(14, 27), r.randint(9, 17)
    title = pick(r, [f"Gusts of up to {w} m/s forecast for {city}",
                     f"{city} braces for cold front, {w} m/s winds"])
    return title, [
        f"Forecasters expect northerly winds of up to {w} metres per second in {city} and the surrounding "
        f"area, with daytime temperatures falling to {t}°C.",
        "Port officials said some ferry crossings could be postponed if the wind strengthens further. "
        "Drivers were advised to take care on coastal roads and bridges.",
        "Conditions are expected to ease after two or three days, with light rain in the foothills.",
    ], ["weather"]


def en_culture(r, v):
    city = pick(r, [v["baku"], "Sheki", "Ganja", v["tbilisi"], "Almaty", "Shusha"])
    fest = pick(r, ["street theatre", "silk craft", "short film", "book", "jazz", "folk music"])
    n, d, k = r.randint(12, 60), r.randint(3, 9), r.randint(4, 21)
    title = pick(r, [f"{d}-day {fest} festival opens in {city}",
                     f"{city} {fest} festival lines up {n} events"])
    return title, [
        f"The {fest} festival opened in {city} with {n} events planned over {d} days, organisers said, "
        f"most of them free to attend.",
        f"Performers and artisans from {k} countries are taking part, and several workshops are aimed at "
        "children and students.",
        "Organisers said the closing concert will be held in the open air if the weather allows.",
    ], ["culture"]


CLUBS = ["Caspian Rovers", "Absheron United", "Kura Athletic", "Shirvan Stars", "Lankaran Tigers",
         "Mingachevir Dynamo", "Aktau Seafarers", "Mtkvari Tbilisi"]


def en_football(r, v):
    c1, c2 = r.sample(CLUBS, 2)
    a, b = r.randint(1, 4), r.randint(0, 2)
    if a <= b:
        a = b + 1
    title = pick(r, [f"{c1} beat {c2} {a}-{b}", f"{c1} edge past {c2} {a}-{b} in front of home crowd"])
    return title, [
        f"{c1} beat {c2} {a}-{b}, with the decisive goal coming {r.randint(52, 89)} minutes in after a "
        "long spell of pressure.",
        f"The visitors had the better of the first half but could not convert their chances. Attendance "
        f"was {r.randint(2, 14) * 1000 + r.randint(0, 999):,}.",
        f"{c2} play their next match at home, while {c1} travel for a cup tie.",
    ], ["sport", "football"]


def en_solar(r, v):
    place = pick(r, ["Bilasuvar", "Khizi", "Absheron", "Nakhchivan", "Rustavi", "Kapchagay"])
    mw, homes = r.choice([50, 80, 100, 120, 230, 240]), r.randint(40, 190)
    title = pick(r, [f"{mw} MW solar plant near {place} starts test operation",
                     f"Solar park at {place} feeds first power into the grid"])
    return title, [
        f"A {mw}-megawatt solar plant near {place} has started test operation and delivered its first "
        "power to the grid, the operator said.",
        f"Once at full capacity the plant is expected to supply electricity for about {homes},000 homes "
        "and to save natural gas that would otherwise be burned in thermal plants.",
        "Engineers will spend several weeks checking inverters and tracking systems before commercial "
        "operation begins.",
    ], ["energy"]


def en_schools(r, v):
    n, m = r.randint(3, 14), r.randint(4, 30) * 100
    title = pick(r, [f"{n} schools open for the new term in {v['karabakh']}",
                     f"New term begins in {n} rebuilt schools in {v['karabakh']}"])
    return title, [
        f"{n} schools in {v['karabakh']} have opened for the new academic year, with about {m} pupils "
        "enrolled, the education authorities said.",
        "The buildings have computer classrooms and sports halls, and school buses run from the newly "
        "built residential quarters.",
        "Parents asked for longer bus timetables during the winter months, and the authorities said "
        "they would consider it.",
    ], ["education", "reconstruction"]


def en_demining(r, v):
    ha, n = r.randint(600, 4800), r.randint(300, 2900)
    title = pick(r, [f"Deminers clear {ha:,} hectares in {v['karabakh']}",
                     f"{n:,} mines and shells removed in {v['karabakh']} in a month"])
    return title, [
        f"Mine clearance teams cleared {ha:,} hectares of land in {v['karabakh']} over the past month, the "
        f"national mine action agency said, removing {n:,} mines and unexploded items.",
        f"The training of local teams is supported by the {v['un_long']} Development Programme, which also "
        "supplies detectors and protective equipment.",
        "Farmland near villages and roads is being cleared first, so that farming can resume next spring.",
    ], ["demining", "reconstruction"]


def en_startup(r, v):
    city = pick(r, [v["baku"], v["tbilisi"], "Almaty", "Tashkent", v["istanbul"]])
    m, staff = r.choice([1.2, 2.5, 3, 4.8, 6, 7.5, 11]), r.randint(12, 90)
    title = pick(r, [f"{city} logistics start-up raises ${m} million",
                     f"Freight software firm from {city} closes ${m}m round"])
    return title, [
        f"A logistics software start-up based in {city} has raised ${m} million from regional investors "
        "to expand its platform for booking truck and rail capacity.",
        f"The company employs {staff} people and plans to open offices in two neighbouring countries.",
        "Its founders said small exporters were still losing days to paperwork at border crossings and "
        "that digital permits were the fastest fix.",
    ], ["business", "technology"]


def en_clinics(r, v):
    region = pick(r, ["Lankaran district", "Guba district", "Kakheti", "Mangystau region", "Sheki district"])
    n, d = r.randint(14, 70), r.randint(5, 12)
    title = pick(r, [f"Mobile clinics reach {n} villages in {region}",
                     f"Doctors on wheels: {n} villages in {region} get check-ups"])
    return title, [
        f"Mobile clinics have visited {n} villages in {region} since the start of the programme, offering "
        "check-ups, vaccinations and basic tests.",
        f"Each team includes a doctor, two nurses and a driver, and stays {d} hours in each village.",
        "Health officials said the most common problems found were high blood pressure and untreated "
        "dental disease.",
    ], ["health"]


def en_trade(r, v):
    a, b = pick(r, [(v["ankara"], v["baku"]), (v["istanbul"], v["tbilisi"]), (v["tbilisi"], v["baku"]),
                    (v["moscow"], v["baku"]), ("Almaty", v["ankara"]), (v["baku"], "Tashkent")])
    n, k, p = r.randint(15, 60), r.randint(3, 12), r.randint(4, 31)
    title = pick(r, [f"Trade delegation from {a} visits {b}",
                     f"{n} companies from {a} in {b} for supply talks"])
    return title, [
        f"A delegation of {n} companies from {a} is in {b} this week for talks on food processing, "
        "construction materials and logistics.",
        f"Organisers said {k} agreements on supplies and joint ventures were expected to be signed.",
        f"Trade between the two sides grew by {p} percent in the first half of the year.",
    ], ["business", "trade"]


def en_caspian(r, v):
    cm, k = r.randint(18, 41), r.randint(6, 19)
    title = pick(r, [f"Caspian water level falls another {cm} cm, researchers say",
                     f"Shrinking Caspian: {cm} cm drop recorded at coastal gauges"])
    return title, [
        f"The level of the Caspian Sea fell by another {cm} centimetres over the past year, according to "
        f"readings from {k} coastal gauges.",
        "Researchers linked the decline to lower inflow from rivers and higher evaporation during hotter "
        "summers, and said the shallow north was the most affected.",
        "Environmental groups called for more monitoring stations and for shared data between the "
        "countries around the sea.",
    ], ["environment"]


def en_flights(r, v):
    a, b = pick(r, [(v["baku"], "Tashkent"), (v["tbilisi"], "Aktau"), (v["baku"], v["istanbul"]),
                    ("Ganja", v["moscow"]), (v["tbilisi"], "Almaty"), (v["baku"], v["ankara"])])
    n, h = r.randint(3, 7), pick(r, ["two", "three", "three and a half", "four"])
    title = pick(r, [f"New direct flights to link {a} and {b}",
                     f"Airline adds {n} weekly flights between {a} and {b}"])
    return title, [
        f"An airline will operate direct flights between {a} and {b} {n} times a week, starting next "
        "month, and tickets are already on sale.",
        f"The flight will take about {h} hours. Until now passengers had to change planes on the way.",
        "The carrier said it would add frequencies if demand is strong over the winter.",
    ], ["travel", "aviation"]


def en_vegetables(r, v):
    region = pick(r, ["Lankaran", "Guba", "Masalli", "Kakheti", "Jalilabad"])
    p = r.randint(6, 35)
    title = pick(r, [f"Wholesale tomato prices fall {p}% as {region} harvest peaks",
                     f"Vegetable prices ease {p}% on bumper {region} crop"])
    return title, [
        f"Wholesale prices for tomatoes and peppers have fallen by {p} percent over two weeks as the "
        f"harvest in {region} reaches its peak, traders said.",
        "Greenhouse growers said they were sending more of their produce to processing plants and "
        "export markets to avoid selling at a loss.",
        "Shoppers are unlikely to see the full drop in retail prices, because transport costs have risen.",
    ], ["economy", "agriculture"]


def en_water(r, v):
    n, km = r.randint(6, 40), r.randint(20, 140)
    title = pick(r, [f"{v['un']}-backed project brings piped water to {n} villages",
                     f"Piped water reaches {n} villages under {v['un']} programme"])
    return title, [
        f"A water supply project backed by the {v['un_long']} has brought piped drinking water to {n} "
        f"villages, with {km} kilometres of new pipes laid.",
        "Households previously relied on tanker deliveries and wells that often ran dry in late summer.",
        "Local councils will maintain the network, and technicians have been trained to repair leaks.",
    ], ["development"]


EN_TEMPLATES = [en_port, en_rail, en_weather, en_culture, en_football, en_solar, en_schools, en_demining,
                en_startup, en_clinics, en_trade, en_caspian, en_flights, en_vegetables, en_water]


def az_port(r, v):
    kt, p = r.randint(310, 980), r.randint(3, 27)
    return f"Bakı limanında yükdaşıma həcmi {p} faiz artıb", [
        f"Bakı Beynəlxalq Dəniz Ticarət Limanında ötən ay {kt} min ton yük aşırılıb. Bu göstərici ötən ilin "
        f"eyni ayı ilə müqayisədə {p} faiz çoxdur.",
        "Limanın mətbuat xidmətinin məlumatına görə, konteyner daşımaları daha sürətlə artır. Artım Xəzər "
        "üzərindən bərə reyslərinin çoxalması ilə izah olunur.",
        f"{pick(r, PEOPLE['az'])} bildirib ki, yeni terminalın ikinci mərhələsi gələn il istifadəyə veriləcək.",
    ], ["iqtisadiyyat"]


def az_schools(r, v):
    n, m = r.randint(3, 14), r.randint(4, 30) * 100
    return pick(r, [f"Qarabağda {n} məktəb yeni dərs ilinə hazırdır",
                    f"Qarabağda {n} yeni məktəbdə dərslər başlayıb"]), [
        f"Qarabağ bölgəsində yeni dərs ilinə {n} məktəb hazırlanıb. Məktəblərə təxminən {m} şagird qəbul olunub.",
        "Binalarda kompüter sinifləri və idman zalları quraşdırılıb. Yeni yaşayış məhəllələrindən məktəblərə "
        "avtobuslar işləyir.",
        "Valideynlər qış aylarında avtobus cədvəlinin uzadılmasını xahiş ediblər.",
    ], ["təhsil"]


def az_weather(r, v):
    w, t = r.randint(14, 27), r.randint(9, 17)
    return pick(r, [f"Bakıda küləyin sürəti saniyədə {w} metrə çatacaq",
                    f"Abşeronda güclü külək: saniyədə {w} metr"]), [
        f"Proqnoza görə, Bakıda və Abşeron yarımadasında şimal küləyi saniyədə {w} metrə qədər güclənəcək.",
        f"Gündüz havanın temperaturu {t} dərəcə isti olacaq. Sürücülərə yollarda ehtiyatlı olmaq tövsiyə edilir.",
        "Küləyə görə bəzi bərə reysləri təxirə salına bilər.",
    ], ["hava"]


def az_culture(r, v):
    n, k = r.randint(3, 9), r.randint(4, 21)
    city = pick(r, ["Şəkidə", "Gəncədə", "Şuşada", "Qəbələdə", "Lənkəranda"])
    fest = pick(r, ["ipək", "xalça", "muğam", "kino", "kitab"])
    return f"{city} {n} günlük {fest} festivalı başlayıb", [
        f"{city} {n} günlük {fest} festivalı başlayıb. Festivalda {k} ölkədən sənətkarlar və ifaçılar iştirak edir.",
        "Tədbir çərçivəsində ustad dərsləri, sərgilər və uşaqlar üçün emalatxanalar təşkil olunub.",
        "Təşkilatçılar bildirir ki, hava imkan verərsə, bağlanış konserti açıq havada keçiriləcək.",
    ], ["mədəniyyət"]


def az_cotton(r, v):
    region = pick(r, ["Saatlı", "Sabirabad", "Bərdə", "İmişli", "Beyləqan"])
    ha, y = r.randint(4, 19) * 1000, r.randint(28, 41)
    return f"{region} rayonunda pambıq yığımı başlayıb", [
        f"{region} rayonunda pambıq yığımına başlanılıb. Bu il rayonda {ha} hektar sahədə pambıq əkilib.",
        f"Fermerlər hər hektardan orta hesabla {y} sentner məhsul gözləyir.",
        "Yığılan məhsul qəbul məntəqələrinə aparılır, ödənişlər isə bank kartlarına köçürülür.",
    ], ["kənd təsərrüfatı"]


def az_flights(r, v):
    city = pick(r, ["Tbilisi", "Ankara", "İstanbul", "Moskva", "Daşkənd"])
    n, h = r.randint(2, 7), r.randint(2, 4)
    return f"Bakı ilə {city} arasında həftədə {n} birbaşa reys olacaq", [
        f"Bakı ilə {city} arasında birbaşa aviareyslər açılır. Reyslər həftədə {n} dəfə yerinə yetiriləcək.",
        f"Biletlər artıq satışa çıxarılıb. Uçuş təxminən {h} saat çəkəcək.",
        "Aviaşirkət bildirib ki, tələbat artarsa, reyslərin sayı çoxaldılacaq.",
    ], ["nəqliyyat"]


def az_caspian(r, v):
    cm = r.randint(18, 41)
    return f"Xəzərin səviyyəsi daha {cm} santimetr azalıb", [
        f"Xəzər dənizinin səviyyəsi son bir ildə daha {cm} santimetr azalıb.",
        "Alimlər bunu çaylardan gələn suyun azalması və buxarlanmanın artması ilə əlaqələndirirlər.",
        "Ekoloqlar Azərbaycan sahillərində yeni monitorinq məntəqələrinin yaradılmasını təklif edirlər.",
    ], ["ekologiya"]


AZ_TEMPLATES = [az_port, az_schools, az_weather, az_culture, az_cotton, az_flights, az_caspian]

RU_CITIES = [  # nominative, genitive, prepositional
    ("Астрахань", "Астрахани", "Астрахани"), ("Махачкала", "Махачкалы", "Махачкале"),
    ("Волгоград", "Волгограда", "Волгограде"), ("Саратов", "Саратова", "Саратове"),
    ("Казань", "Казани", "Казани"), ("Самара", "Самары", "Самаре"),
]


def ru_terminal(r, v):
    c = pick(r, RU_CITIES[:2])
    kt, p = r.randint(200, 900), r.randint(4, 26)
    return f"В порту {c[1]} открыли терминал на {kt} тысяч тонн", [
        f"В порту {c[1]} ввели в эксплуатацию новый грузовой терминал мощностью {kt} тысяч тонн в год.",
        "По словам представителей порта, терминал будет обслуживать суда, идущие в Баку, Актау и "
        "иранские порты.",
        f"Загрузка причалов за последний месяц выросла на {p}%, сообщила пресс-служба порта.",
    ], ["экономика"]


def ru_weather(r, v):
    c = pick(r, RU_CITIES)
    t, w = r.randint(-3, 2), r.randint(9, 18)
    return f"Синоптики обещают похолодание в {c[2]} до {t} градусов", [
        f"Синоптики прогнозируют похолодание в {c[2]}: ночью температура опустится до {t} градусов.",
        f"Днём ожидается переменная облачность и порывистый ветер до {w} м/с.",
        "Жителям рекомендуют укрыть поздние овощи и проверить готовность отопления.",
    ], ["погода"]


def ru_harvest(r, v):
    region = pick(r, [("Саратовской области", "Саратовской области"), ("Астраханской области", "Астраханской области"),
                      ("Волгоградской области", "Волгоградской области")])
    kt, p, y = r.randint(900, 4800), r.randint(3, 18), r.randint(18, 34)
    return f"Аграрии {region[0]} собрали {kt} тысяч тонн зерна", [
        f"Аграрии {region[0]} собрали {kt} тысяч тонн зерна — на {p}% больше прогноза.",
        f"Урожайность пшеницы составила в среднем {y} центнеров с гектара.",
        "Часть зерна планируется отправить на экспорт через каспийские порты.",
    ], ["сельское хозяйство"]


def ru_rail(r, v):
    c = pick(r, RU_CITIES)
    d = r.randint(5, 12)
    return f"Контейнерный поезд из {c[1]} дошёл до Баку за {d} суток", [
        f"Контейнерный поезд из {c[1]} прибыл в Баку за {d} суток, сообщает оператор перевозок.",
        "Маршрут проходит по западной ветке международного коридора «Север — Юг».",
        "В следующем месяце оператор планирует запустить регулярные отправки.",
    ], ["транспорт"]


def ru_culture(r, v):
    c = pick(r, RU_CITIES)
    n, k = r.randint(3, 9), r.randint(5, 40)
    return f"В {c[2]} завершился {n}-дневный фестиваль уличного театра", [
        f"В {c[2]} завершился {n}-дневный фестиваль уличного театра.",
        f"Спектакли посмотрели около {k} тысяч зрителей, сообщили организаторы.",
        "Следующий фестиваль пройдёт в том же городе, но в другие сроки.",
    ], ["культура"]


def ru_caspian(r, v):
    cm = r.randint(18, 41)
    return f"Уровень Каспийского моря снизился ещё на {cm} см", [
        f"Уровень Каспийского моря за год снизился ещё на {cm} сантиметров, сообщают учёные.",
        "Обмеление особенно заметно в северной части моря, у дельты Волги.",
        "Специалисты Азербайджана и России договорились обмениваться данными наблюдений.",
    ], ["экология"]


def ru_corridor(r, v):
    km = r.randint(40, 180)
    return f"Москва и Баку обсудили строительство {km} км новых путей", [
        "Представители транспортных ведомств России и Азербайджана провели переговоры в Москве.",
        f"Стороны обсудили сроки строительства {km} километров новых железнодорожных путей.",
        "Азербайджан и Россия рассчитывают увеличить грузопоток по коридору. Следующая встреча запланирована "
        "в Баку.",
    ], ["транспорт"]


def ru_flights(r, v):
    c = pick(r, RU_CITIES)
    n, h = r.randint(2, 4), r.randint(2, 4)
    return f"Из {c[1]} запускают прямые рейсы в Тбилиси {n} раза в неделю", [
        f"Авиакомпания открывает прямые рейсы из {c[1]} в Тбилиси.",
        f"Полёты будут выполняться {n} раза в неделю, время в пути составит около {h} часов.",
        "Билеты уже поступили в продажу.",
    ], ["путешествия"]


def ru_demining(r, v):
    ha = r.randint(600, 4800)
    return f"Сапёры очистили от мин {ha} гектаров в Карабахе", [
        f"Сапёры очистили от мин {ha} гектаров земли в Карабахе, сообщает агентство по разминированию "
        "Азербайджана.",
        "Обучение местных команд проходит при поддержке ООН.",
        "По данным агентства, Карабах остаётся приоритетным районом: в первую очередь разминируют "
        "сельскохозяйственные земли и дороги.",
    ], ["общество"]


RU_TEMPLATES = [ru_terminal, ru_weather, ru_harvest, ru_rail, ru_culture, ru_caspian, ru_corridor,
                ru_flights, ru_demining]

# Each outlet spells the entities its own way.
VARIANTS = {
    "caspian-courier": {"baku": "Baku", "karabakh": "Garabagh", "tbilisi": "Tbilisi", "istanbul": "Istanbul",
                        "ankara": "Ankara", "moscow": "Moscow", "un": "UN", "un_long": "United Nations"},
    "steppe-wire": {"baku": "Baku", "karabakh": "Karabakh", "tbilisi": "Tbilisi", "istanbul": "Istanbul",
                    "ankara": "Ankara", "moscow": "Moscow", "un": "UN", "un_long": "UN"},
    "baku-ledger": {"baku": "Baku", "karabakh": "Qarabag", "tbilisi": "Tbilisi", "istanbul": "Istanbul",
                    "ankara": "Ankara", "moscow": "Moscow", "un": "UN", "un_long": "United Nations"},
    "volga-dispatch": {"baku": "Baku", "karabakh": "Nagorno-Karabakh", "tbilisi": "Tbilisi",
                       "istanbul": "Istanbul", "ankara": "Ankara", "moscow": "Moscow", "un": "UN",
                       "un_long": "United Nations"},
    "tbilisi-observer": {"baku": "Baku", "karabakh": "Karabakh", "tbilisi": "Tbilisi", "istanbul": "Istanbul",
                         "ankara": "Ankara", "moscow": "Moscow", "un": "UN", "un_long": "United Nations"},
}


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Item:
    """One item as it appears in one file, with the outcome the pipeline is meant to produce."""

    file: str  # path relative to examples/sample/
    source: str  # outlet key (SOURCES)
    language: str
    title: str  # the clean title the pipeline should end up with
    paragraphs: list[str]  # the clean body text, one string per paragraph
    url: str | None  # the link exactly as written in the file (tracking parameters and all)
    guid: str | None = None
    authors: list[str] = dataclasses.field(default_factory=list)
    tags: list[str] = dataclasses.field(default_factory=list)
    # The "published" field as written: an instant and a style, or a literal string for bad dates.
    pub: dt.datetime | None = None
    pub_style: str | None = None
    pub_offset: int = 0
    pub_literal: str | None = None  # written verbatim instead of rendering ``pub`` (invalid dates)
    # The "updated" field as written (Atom updated, dcterms:modified), if any.
    upd: dt.datetime | None = None
    upd_style: str | None = None
    upd_offset: int = 0
    # Intended outcome.
    published_at: dt.datetime | None = None  # UTC; None: no usable date, falls back to fetched_at
    offset_minutes: int | None = None
    time_source: str = "entry.published"
    flags: list[str] = dataclasses.field(default_factory=list)
    judgment: list[str] = dataclasses.field(default_factory=list)  # expectations that are a judgment call
    dup_tag: str | None = None  # intended duplicate group (checked against the identity rule)
    mess: list[str] = dataclasses.field(default_factory=list)
    line: int | None = None  # JSONL line number (1-based)
    broken: bool = False  # in broken/: counted apart, and only approximately
    special: str | None = None  # name of a hand-made case (seed, no_date, ...)
    sort_at: dt.datetime | None = None  # position in the feed (newest first) for undated items

    @property
    def effective_updated(self) -> dt.datetime | None:
        """What "latest updated wins" compares: the updated instant if present, else published_at."""
        return self.upd if self.upd is not None else self.published_at

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


TRACKING_EXACT = {"fbclid", "gclid"}


def canonical_url(url: str) -> str:
    """The README's canonicalization rule: drop utm_*, fbclid, gclid and the fragment; lowercase the host.

    The scheme (also lowercased, as URL schemes are case-insensitive) and the path, trailing slash
    included, are kept as they are; the remaining query parameters keep their order.
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower().startswith("utm_") or k.lower() in TRACKING_EXACT)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), ""))


def identity(item: Item) -> tuple[str, str]:
    """(key type, key): canonical URL, else GUID, else a hash of title and text."""
    if item.url:
        return "canonical_url", canonical_url(item.url)
    if item.guid:
        return "guid", item.guid
    digest = hashlib.sha256((item.title + "\n" + item.text).encode("utf-8")).hexdigest()[:16]
    return "content", "content:" + digest


# --------------------------------------------------------------------------------------------
# Dates: every item stores the intended instant; the file shows it in one of these styles.
# --------------------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
AZ_MONTHS = ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr",
             "noyabr", "dekabr"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]

# Styles whose zone is fixed by the style itself (named zones, and naive forms read as UTC).
FIXED_OFFSET = {"rfc822_gmt": 0, "rfc822_z": 0, "rfc822_est": -300, "rfc822_msk": 180, "rfc822_azt": 240,
                "iso_z": 0, "iso_frac_z": 0, "iso_naive": 0, "date_only": 0, "az_text": 0, "ru_text": 0,
                "epoch": 0, "dotted": 0}
# Forms without a zone: the sample assumes they are UTC (a judgment call; README, "Time rules").
NAIVE_STYLES = {"iso_naive", "date_only", "az_text", "ru_text", "dotted"}
STYLE_NAMES = {
    "rfc822_num": "RFC 822, numeric offset", "rfc822_gmt": "RFC 822, GMT", "rfc822_z": "RFC 822, military Z",
    "rfc822_est": "RFC 822, EST", "rfc822_msk": "RFC 822, MSK", "rfc822_azt": "RFC 822, AZT",
    "rfc822_2digit": "RFC 822, 2-digit year", "rfc822_noday": "RFC 822 without weekday",
    "iso_z": "ISO 8601, Z", "iso_frac_z": "ISO 8601, fractional seconds, Z", "iso_offset": "ISO 8601, offset",
    "iso_space": "ISO 8601 with a space, offset", "iso_naive": "ISO 8601 without zone",
    "date_only": "ISO 8601 date only", "w3cdtf_min": "W3C-DTF, minutes, offset",
    "az_text": "Azerbaijani words, no zone", "ru_text": "Russian words, no zone",
    "epoch": "Unix epoch seconds (JSON number)", "dotted": "DD.MM.YYYY HH:MM, no zone",
}


def offset_text(minutes: int, colon: bool) -> str:
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def render_date(instant: dt.datetime, style: str, offset: int) -> str | int:
    """``instant`` (UTC) written in ``style`` at ``offset`` minutes east of UTC."""
    offset = FIXED_OFFSET.get(style, offset)
    local = (instant + dt.timedelta(minutes=offset)).replace(tzinfo=None)
    wd, mon = WEEKDAYS[local.weekday()], MONTHS[local.month - 1]
    hms = local.strftime("%H:%M:%S")
    zones = {"rfc822_gmt": "GMT", "rfc822_z": "Z", "rfc822_est": "EST", "rfc822_msk": "MSK", "rfc822_azt": "AZT"}
    if style in zones:
        return f"{wd}, {local.day:02d} {mon} {local.year} {hms} {zones[style]}"
    if style == "rfc822_num":
        return f"{wd}, {local.day:02d} {mon} {local.year} {hms} {offset_text(offset, False)}"
    if style == "rfc822_2digit":
        return f"{wd}, {local.day:02d} {mon} {local.year % 100:02d} {hms} {offset_text(offset, False)}"
    if style == "rfc822_noday":
        return f"{local.day} {mon} {local.year} {hms} {offset_text(offset, False)}"
    if style == "iso_z":
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "iso_frac_z":
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}Z"
    if style == "iso_offset":
        return local.strftime("%Y-%m-%dT%H:%M:%S") + offset_text(offset, True)
    if style == "iso_space":
        return local.strftime("%Y-%m-%d %H:%M:%S") + offset_text(offset, True)
    if style == "iso_naive":
        return local.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "date_only":
        return local.strftime("%Y-%m-%d")
    if style == "w3cdtf_min":
        return local.strftime("%Y-%m-%dT%H:%M") + offset_text(offset, True)
    if style == "az_text":
        return f"{local.day} {AZ_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
    if style == "ru_text":
        return f"{local.day} {RU_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
    if style == "dotted":
        return local.strftime("%d.%m.%Y %H:%M")
    if style == "epoch":
        return int(instant.timestamp())
    raise ValueError(style)


def at(day: dt.date, hh: int, mm: int, offset: int, ss: int = 0, us: int = 0) -> dt.datetime:
    """The UTC instant of local wall time ``day hh:mm:ss`` at ``offset`` minutes east of UTC."""
    local = dt.datetime(day.year, day.month, day.day, hh, mm, ss, us)
    return (local - dt.timedelta(minutes=offset)).replace(tzinfo=UTC)


def d(month_day: int) -> dt.date:
    """A day of September 2023."""
    return dt.date(2023, 9, month_day)


def iso(instant: dt.datetime | None) -> str | None:
    if instant is None:
        return None
    text = instant.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def set_published(item: Item, instant: dt.datetime, style: str, offset: int = 0, source: str = "entry.published"):
    """Write ``instant`` as the item's published field in ``style`` and expect it back as published_at."""
    offset = FIXED_OFFSET.get(style, offset)
    if style == "date_only":
        instant = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    item.pub, item.pub_style, item.pub_offset = instant, style, offset
    item.published_at, item.offset_minutes, item.time_source = instant, offset, source
    if style in NAIVE_STYLES:  # the instant is read as UTC; the original offset is unknown
        item.offset_minutes = None
        item.judgment.append(f"{STYLE_NAMES[style]}: read as UTC, offset unknown (null)")
    return item


# --------------------------------------------------------------------------------------------
# Slugs and URLs
# --------------------------------------------------------------------------------------------

TRANSLIT = {
    "ə": "e", "ğ": "g", "ı": "i", "ş": "sh", "ç": "ch", "ö": "o", "ü": "u", "İ": "i",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}


def slugify(title: str, words: int = 7) -> str:
    text = "".join(TRANSLIT.get(ch, ch) for ch in title.lower())
    parts = re.findall(r"[a-z0-9]+", text)
    return "-".join(parts[:words]) or "item"


# --------------------------------------------------------------------------------------------
# HTML bodies with real-world mess. The clean text is the item's paragraphs; the mess is what a
# cleaner must drop (scripts, iframes, forms, pixels, comments) or decode (entities).
# --------------------------------------------------------------------------------------------

def text_html(paragraph: str, fancy: bool) -> str:
    """A paragraph as HTML text; ``fancy`` writes apostrophes as &#8217; and the first space after a
    sentence as &nbsp;, as many CMSs do (the clean text then has a typographic apostrophe and a space)."""
    out = html.escape(paragraph, quote=False)
    if fancy:
        out = out.replace("'", "&#8217;").replace(". ", ".&nbsp;", 1)
    return out


CLUTTER_WORDS = {
    "en": ("Get the morning briefing", "Subscribe", "Photo: press service", "Share", "Comments"),
    "az": ("Səhər bülletenini alın", "Abunə ol", "Foto: mətbuat xidməti", "Paylaş", "Şərhlər"),
    "ru": ("Утренняя рассылка", "Подписаться", "Фото: пресс-служба", "Поделиться", "Комментарии"),
}


def messy_html(item: Item, rng: random.Random, domain: str, xhtml: bool = False, extras: int = 2) -> str:
    """The item's paragraphs as HTML, with a tracking pixel and ``extras`` other kinds of clutter."""
    briefing, subscribe, photo, share, comments = CLUTTER_WORDS[item.language]
    nbsp = "&#160;" if xhtml else "&nbsp;"
    end = " /" if xhtml else ""
    ident = hashlib.sha1(item.title.encode("utf-8")).hexdigest()[:8]
    clutter = {
        "script": f'<script type="text/javascript">window.dataLayer=window.dataLayer||[];'
                  f'dataLayer.push({{"event":"article_view","id":"{ident}"}});</script>',
        "iframe": f'<iframe src="https://video.{domain}/embed/{ident}" width="640" height="360" '
                  f'frameborder="0" allowfullscreen="allowfullscreen"></iframe>',
        "form": f'<form action="https://{domain}/newsletter" method="post"><label for="nl-{ident}">'
                f'{briefing}</label><input id="nl-{ident}" type="email" name="email" '
                f'placeholder="you@example.com"{end}><button type="submit">{subscribe}</button></form>',
        "comment": f"<!-- ad-slot: in-article-{rng.randint(1, 4)} -->",
        "style_block": "<style>.ad-inline{display:none}.share a{color:#c00}</style>",
        "figure": f'<figure><img src="https://cdn.{domain}/img/{ident}.jpg" alt=""{end}>'
                  f'<figcaption>{photo}</figcaption></figure>',
        "share": f'<div class="share"><a href="https://{domain}/share?u={ident}">{share}</a>{nbsp}|{nbsp}'
                 f'<a href="#comments">{comments}</a></div>',
    }
    kinds = rng.sample(sorted(clutter), k=min(extras, len(clutter)))
    fancy = rng.random() < 0.5 and not xhtml and item.special != "seed"  # the seed stays verbatim
    styled = rng.random() < 0.4
    parts = []
    for i, paragraph in enumerate(item.paragraphs):
        body = text_html(paragraph, fancy)
        if xhtml:
            body = body.replace("&nbsp;", nbsp)
        if styled and i == 0:
            parts.append(f'<p style="margin:0 0 1em;font-family:Georgia,serif">{body}</p>')
        else:
            parts.append(f"<p>{body}</p>")
        if i < len(kinds):
            parts.append(clutter[kinds[i]])
    for kind in kinds[len(item.paragraphs):]:
        parts.append(clutter[kind])
    parts.append(f'<img src="https://stats.{domain}/pixel.gif?a={ident}" width="1" height="1" alt=""{end}>')
    item.mess = sorted(set(item.mess) | set(kinds) | {"tracking_pixel"}
                       | ({"inline_style"} if styled else set())
                       | ({"entities (&nbsp; &#8217;)"} if fancy else set()))
    return "".join(parts)


def double_escaped(title: str) -> str:
    """A title escaped twice, as broken CMS exports do: '&' -> '&amp;amp;' and '’' -> '&amp;#8217;'."""
    once = html.escape(title, quote=False).replace("’", "&#8217;")
    return xml_escape(once)


# --------------------------------------------------------------------------------------------
# Building the items of each file
# --------------------------------------------------------------------------------------------

USED_TITLES: set[str] = set()
SECTIONS = {"экономика": "economy", "погода": "weather", "сельское хозяйство": "economy",
            "транспорт": "transport", "культура": "culture", "экология": "society", "путешествия": "travel",
            "общество": "society"}


def rng_for(name: str) -> random.Random:
    """A generator of its own for each file, so editing one file's plan leaves the others unchanged."""
    return random.Random(int(hashlib.sha256(f"{SEED}:{name}".encode()).hexdigest()[:16], 16))


def unique_story(rng: random.Random, template, variants: dict) -> tuple[str, list[str], list[str]]:
    for _ in range(50):
        title, paragraphs, tags = template(rng, variants)
        if title not in USED_TITLES:
            USED_TITLES.add(title)
            return title, paragraphs, tags
    raise RuntimeError(f"no unique title from {template.__name__}")


def claim(title: str) -> str:
    if title in USED_TITLES:
        raise RuntimeError(f"duplicate title {title!r}")
    USED_TITLES.add(title)
    return title


def filler(rng: random.Random, *, file: str, source: str, count: int, plan: list[tuple], styles: list,
           authors: list[str], url_for, guid_for=None, first_number: int = 1000) -> list[Item]:
    """``count`` generated items spread evenly over the sample's days.

    ``plan`` cycles through (language, templates) pairs; ``styles`` through (style, offset) pairs.
    """
    items = []
    order = {lang: rng.sample(templates, len(templates)) for lang, templates in plan}
    seen = Counter()
    for i in range(count):
        lang, _ = plan[i % len(plan)]
        templates = order[lang]
        template = templates[seen[lang] % len(templates)]
        seen[lang] += 1
        title, paragraphs, tags = unique_story(rng, template, VARIANTS[source])
        day = DAYS[(i * len(DAYS)) // count]
        style, offset = styles[i % len(styles)]
        offset = FIXED_OFFSET.get(style, offset)
        hh = rng.randint(6, 19) if style in NAIVE_STYLES else rng.randint(7, 21)
        instant = at(day, hh, rng.choice(range(0, 60, 5)), offset)
        if style == "iso_frac_z":
            instant = instant.replace(second=rng.randint(0, 59), microsecond=rng.randint(1, 999) * 1000)
        if instant.date() > LAST_DAY or instant.date() < FIRST_DAY:
            instant = at(day, 12, 0, offset)
        number = first_number + i
        item = Item(file=file, source=source, language=lang, title=title, paragraphs=paragraphs, url=None,
                    authors=rng.sample(authors, 1), tags=tags)
        set_published(item, instant, style, offset)
        item.url = url_for(item, number, rng)
        item.guid = guid_for(item, number) if guid_for else None
        items.append(item)
    return items


def dated_path(item: Item) -> str:
    local = (item.pub or item.published_at or dt.datetime(2023, 9, 1, tzinfo=UTC))
    local = local + dt.timedelta(minutes=item.pub_offset)
    return f"{local:%Y/%m/%d}"


def section_of(item: Item) -> str:
    tag = item.tags[0] if item.tags else "news"
    return SECTIONS.get(tag, tag if re.fullmatch(r"[a-z]+", tag) else "news")


# caspian-courier -----------------------------------------------------------------------------

CC = "https://caspian-courier.example"
CC_UTM = "?utm_source=rss&utm_medium=feed&utm_campaign=caspian-daily"
CC_AUTHORS = ["Aysel Guliyeva", "Tural Huseynov", "Leyla Hasanova", "Kamran Rzayev", "Farid Jafarli",
              "Ilaha Safarova"]


def caspian_rss_items() -> list[Item]:
    file = "feeds/caspian-courier-rss20.xml"
    rng = rng_for(file)
    url = lambda it, n, r: f"{CC}/{section_of(it)}/{dated_path(it)}/{slugify(it.title)}{CC_UTM}"  # noqa: E731
    guid = lambda it, n: f"caspian-courier:{n}"  # noqa: E731
    styles = [("rfc822_num", 240)] * 5 + [("rfc822_azt", 240)]
    items = filler(rng, file=file, source="caspian-courier", count=27, plan=[("en", EN_TEMPLATES)],
                   styles=styles, authors=CC_AUTHORS, url_for=url, guid_for=guid, first_number=70101)
    new = lambda **kw: Item(file=file, source="caspian-courier", language="en", **kw)  # noqa: E731

    seed_paragraphs = [p.strip("\n") for p in SEED_TEXT.split("\n\n") if p.strip()]
    seed = new(title=claim("Ombudswoman meets UN human rights adviser for the South Caucasus"),
               paragraphs=seed_paragraphs, authors=["Kamran Rzayev"], tags=["society", "human rights"],
               url=f"{CC}/society/2023/09/21/ombudswoman-meets-un-adviser{CC_UTM}", guid="caspian-courier:70090",
               published_at=at(d(21), 16, 21, 240), offset_minutes=240, time_source="body.dateline",
               special="seed", sort_at=at(d(21), 16, 21, 240))
    seed.flags.append("no pubDate: the dateline in the first line of the body gives the time")

    bad_date = new(title=claim("Correction: museum night ticket prices"),
                   paragraphs=["An earlier version of our listing gave the wrong price for museum night tickets "
                               "in Baku. Entry costs five manat for adults and is free for children under twelve.",
                               "We apologise for the error."],
                   authors=["Farid Jafarli"], tags=["culture"],
                   url=f"{CC}/culture/corrections/museum-night-ticket-prices{CC_UTM}", guid="caspian-courier:70091",
                   pub_literal="Mon, 32 Sep 2023 09:00:00 +0400", published_at=None, offset_minutes=None,
                   time_source="fetched_at", special="impossible_date", sort_at=at(d(25), 9, 0, 240))
    bad_date.flags += ["invalid_date", "fallback"]

    p1 = new(title=claim("Alat free zone signs its first tenants"),
             paragraphs=["The free economic zone at Alat has signed lease agreements with its first three "
                         "tenants, a packaging plant, a cold store and a vehicle assembly workshop.",
                         "The zone's administration said the companies would start building in the coming "
                         "months and employ about 600 people once they are running.",
                         "Tenants get customs and tax relief for goods that are processed in the zone and "
                         "then exported."],
             authors=["Tural Huseynov"], tags=["business"],
             url=f"{CC}/business/2023/09/16/alat-free-zone-first-tenants{CC_UTM}", guid="caspian-courier:70092",
             dup_tag="P1")
    set_published(p1, at(d(16), 9, 10, 240), "rfc822_num", 240)

    p2 = new(title=claim("Ferry operator orders two new ro-pax vessels for Caspian route"),
             paragraphs=["The state shipping company has ordered two new roll-on/roll-off passenger ferries "
                         "for the route across the Caspian, each able to carry 56 rail wagons or 100 trucks.",
                         "The vessels will be built at the shipyard near Baku, and the first is expected to "
                         "enter service within two years.",
                         "Updated with the capacity of the vessels and the yard that will build them."],
             authors=["Aysel Guliyeva"], tags=["business", "shipping"],
             url=f"{CC}/business/2023/09/19/ferry-operator-new-vessels{CC_UTM}", guid="caspian-courier:70093",
             dup_tag="P2")
    set_published(p2, at(d(19), 10, 0, 240), "rfc822_num", 240)
    p2.upd, p2.upd_style = at(d(20), 7, 30, 0), "iso_z"  # dcterms:modified: this copy is the newer one

    p5 = new(title=claim("Morning briefing: what to watch today"),
             paragraphs=["Good morning. Parliament's economic committee meets to discuss the draft budget, "
                         "and the statistics office publishes industrial output figures.",
                         "In sport, the national volleyball team plays its second group match, and in the "
                         "evening the philharmonic opens its season."],
             authors=["Leyla Hasanova"], tags=["briefing"], url=None,
             guid="tag:caspian-courier.example,2023:briefing-0917", dup_tag="P5")
    set_published(p5, at(d(17), 7, 0, 240), "rfc822_num", 240)

    boundary = new(title=claim("Night shift: how Baku's bakeries keep up with demand"),
                   paragraphs=["Most of the bread sold in Baku's corner shops is baked between midnight and "
                               "dawn, by teams who start when the rest of the city is going to bed.",
                               "Bakers say the price of flour has stabilised, but energy bills and wages have "
                               "risen, and several small bakeries have merged to share ovens."],
                   authors=["Ilaha Safarova"], tags=["society"],
                   url=f"{CC}/society/2023/09/22/night-shift-bakeries{CC_UTM}", guid="caspian-courier:70094")
    set_published(boundary, at(d(22), 2, 30, 240), "rfc822_num", 240)
    boundary.flags.append("local day 2023-09-22, UTC day 2023-09-21")

    est = new(title=claim("Diaspora business forum in New York discusses Caspian investment"),
              paragraphs=["Entrepreneurs and investors met in New York for a forum on business opportunities "
                          "around the Caspian, with sessions on logistics, tourism and renewable energy.",
                          "Speakers from Azerbaijan and Kazakhstan presented projects looking for partners."],
              authors=["Kamran Rzayev"], tags=["business"],
              url=f"{CC}/business/2023/09/21/diaspora-forum-new-york{CC_UTM}", guid="caspian-courier:70095")
    set_published(est, at(d(21), 21, 30, -300), "rfc822_est", -300)
    est.flags.append("EST evening: UTC day is the next day")

    minus5 = new(title=claim("Chess: national team wins the opening round in Toronto"),
                 paragraphs=["The national chess team won its opening match in Toronto, taking three and a "
                             "half points out of four against a strong opponent.",
                             "The captain said the team had prepared for long games and was pleased with the "
                             "endgame technique of its younger players."],
                 authors=["Farid Jafarli"], tags=["sport"],
                 url=f"{CC}/sport/2023/09/25/chess-team-wins-opening-round{CC_UTM}", guid="caspian-courier:70096")
    set_published(minus5, at(d(25), 20, 15, -300), "rfc822_num", -300)

    amp = new(title=claim("Trade & transit: what the new customs rules mean for truckers"),
              paragraphs=["New customs rules that take effect next month will let trucks with electronic "
                          "declarations skip the paper queue at the border posts.",
                          "Hauliers' associations welcomed the change but asked for longer opening hours at "
                          "the smaller crossings."],
              authors=["Tural Huseynov"], tags=["business", "transport"],
              url=f"{CC}/business/2023/09/18/customs-rules-truckers{CC_UTM}", guid="caspian-courier:70097",
              special="double_escaped_title")
    set_published(amp, at(d(18), 13, 45, 240), "rfc822_azt", 240)
    amp.mess.append("double-escaped title (&amp;amp;)")

    apos = new(title=claim("Baku’s old city walls get a lighting upgrade"),
               paragraphs=["Engineers have replaced the floodlights along the old city walls with low-energy "
                           "lamps that can change colour for holidays and events.",
                           "The new system uses less than half the electricity of the old one, the heritage "
                           "reserve said."],
               authors=["Leyla Hasanova"], tags=["culture"],
               url=f"{CC}/culture/2023/09/24/old-city-walls-lighting{CC_UTM}", guid="caspian-courier:70098",
               special="double_escaped_apostrophe")
    set_published(apos, at(d(24), 19, 5, 240), "rfc822_num", 240)
    apos.mess.append("double-escaped title (&amp;#8217;)")

    ombudsman = new(title=claim("Ombudsman's office to hold weekly reception days in Ganja"),
                    paragraphs=["The Ombudsman's office will hold weekly reception days in Ganja, where "
                                "residents of the western districts of Azerbaijan can bring complaints in person "
                                "rather than travelling to the capital.",
                                "Staff will also visit schools and care homes in the region, the office said."],
                    authors=["Kamran Rzayev"], tags=["society"],
                    url=f"{CC}/society/2023/09/26/ombudsman-reception-days-ganja{CC_UTM}",
                    guid="caspian-courier:70099")
    set_published(ombudsman, at(d(26), 11, 0, 240), "rfc822_num", 240)
    return items + [seed, bad_date, p1, p2, p5, boundary, est, minus5, amp, apos, ombudsman]


def caspian_atom_items() -> list[Item]:
    file = "feeds/caspian-courier-atom.txt"
    rng = rng_for(file)

    def url(it, n, r):
        host = "Caspian-Courier.EXAMPLE" if n % 5 == 0 else "caspian-courier.example"
        fragment = "#comments" if n % 3 == 0 else ""
        return f"https://{host}/{section_of(it)}/{dated_path(it)}/{slugify(it.title)}{fragment}"

    styles = [("iso_z", 0), ("iso_offset", 240), ("iso_z", 0), ("iso_offset", 240), ("iso_frac_z", 0)]
    items = filler(rng, file=file, source="caspian-courier", count=20, plan=[("en", EN_TEMPLATES)],
                   styles=styles, authors=CC_AUTHORS, url_for=url,
                   guid_for=lambda it, n: f"tag:caspian-courier.example,2023:article-{n}", first_number=71201)
    for n, item in enumerate(items):
        if n % 3 == 1:  # several authors on some entries
            item.authors = rng.sample(CC_AUTHORS, 2 + n % 2)
        if n % 2 == 0:  # updated later than published on half of them
            item.upd = item.pub + dt.timedelta(minutes=rng.randint(20, 300))
            item.upd_style = item.pub_style if item.pub_style != "iso_frac_z" else "iso_z"
            item.upd_offset = item.pub_offset
    new = lambda **kw: Item(file=file, source="caspian-courier", language="en", **kw)  # noqa: E731

    p1 = new(title="Alat free zone signs its first tenants (updated)",
             paragraphs=["The free economic zone at Alat has signed lease agreements with its first three "
                         "tenants, a packaging plant, a cold store and a vehicle assembly workshop.",
                         "The zone's administration said the companies would start building in the coming "
                         "months and employ about 600 people once they are running.",
                         "Tenants get customs and tax relief for goods that are processed in the zone and "
                         "then exported. This story was updated with the number of jobs."],
             authors=["Tural Huseynov", "Aysel Guliyeva"], tags=["business"],
             url="https://Caspian-Courier.EXAMPLE/business/2023/09/16/alat-free-zone-first-tenants#comments",
             guid="tag:caspian-courier.example,2023:article-70092", dup_tag="P1")
    set_published(p1, at(d(16), 5, 10, 0), "iso_z")
    p1.upd, p1.upd_style = at(d(16), 11, 45, 0), "iso_z"

    p2 = new(title="Ferry operator to order new vessels for Caspian route",
             paragraphs=["The state shipping company plans to order new roll-on/roll-off passenger ferries for "
                         "the route across the Caspian.",
                         "Details of the order are expected later this week."],
             authors=["Aysel Guliyeva"], tags=["business", "shipping"],
             url=f"{CC}/business/2023/09/19/ferry-operator-new-vessels#top",
             guid="tag:caspian-courier.example,2023:article-70093", dup_tag="P2")
    set_published(p2, at(d(19), 6, 0, 0), "iso_z")
    p2.upd, p2.upd_style = at(d(19), 6, 0, 0), "iso_z"

    p5 = new(title="Morning briefing: what to watch today (updated)",
             paragraphs=["Good morning. Parliament's economic committee meets to discuss the draft budget, "
                         "and the statistics office publishes industrial output figures.",
                         "In sport, the national volleyball team plays its second group match, and in the "
                         "evening the philharmonic opens its season. The concert starts an hour later than "
                         "first announced."],
             authors=["Leyla Hasanova"], tags=["briefing"], url=None,
             guid="tag:caspian-courier.example,2023:briefing-0917", dup_tag="P5")
    set_published(p5, at(d(17), 3, 0, 0), "iso_z")
    p5.upd, p5.upd_style = at(d(17), 9, 30, 0), "iso_z"

    marathon = new(title=claim("Baku marathon route announced, with a finish on the seafront"),
                   paragraphs=["Organisers have published the route of the city marathon, which starts near "
                               "the stadium and finishes on the seafront boulevard.",
                               "Several central streets will be closed to traffic from early morning, and "
                               "metro trains will run more often on race day."],
                   authors=["Farid Jafarli", "Ilaha Safarova"], tags=["sport"],
                   url=f"{CC}/sport/2023/09/23/marathon-route-announced",
                   guid="tag:caspian-courier.example,2023:article-71290", special="invalid_published_valid_updated",
                   pub_literal="2023-02-30T10:00:00Z")
    marathon.upd, marathon.upd_style, marathon.upd_offset = at(d(23), 10, 0, 240), "iso_offset", 240
    marathon.published_at, marathon.offset_minutes, marathon.time_source = marathon.upd, 240, "entry.updated"
    marathon.flags.append("invalid_published")
    return items + [p1, p2, p5, marathon]


# steppe-wire ------------------------------------------------------------------------------------

SW = "https://steppe-wire.example"
SW_AUTHORS = ["Marat Seitkali", "Dana Abenova", "Timur Nurlanov"]
NEAR_DUP_PARAGRAPHS = [
    "The desalination plant in Aktau has finished its expansion and can now supply 50,000 cubic metres "
    "of drinking water a day, enough for the city's new residential districts.",
    "The plant takes water from the Caspian and uses reverse osmosis filters. Engineers said the new "
    "line uses less energy per cubic metre than the old one.",
    "Residents of the outer districts, who had water only a few hours a day last summer, should now "
    "have a steady supply.",
]


def steppe_items() -> list[Item]:
    file = "feeds/steppe-wire-rss091.xml"
    rng = rng_for(file)

    def url(it, n, r):
        host = "STEPPE-WIRE.example" if n % 6 == 0 else "steppe-wire.example"
        return f"https://{host}/news/{n}-{slugify(it.title, 6)}"

    styles = [("rfc822_gmt", 0), ("rfc822_gmt", 0), ("rfc822_z", 0), ("rfc822_gmt", 0), ("rfc822_2digit", 240)]
    items = filler(rng, file=file, source="steppe-wire", count=15, plan=[("en", EN_TEMPLATES)], styles=styles,
                   authors=SW_AUTHORS, url_for=url, first_number=40101)
    # The 2-digit year once is enough: the rest of that style become GMT.
    two_digit = [it for it in items if it.pub_style == "rfc822_2digit"]
    for it in two_digit[1:]:
        it.pub_style, it.pub_offset, it.offset_minutes = "rfc822_gmt", 0, 0
    new = lambda **kw: Item(file=file, source="steppe-wire", language="en", **kw)  # noqa: E731

    no_date = new(title=claim("Ferry timetable: passenger sailings from Aktau resume"),
                  paragraphs=["Passenger sailings between Aktau and Alat have resumed after a pause for "
                              "engine repairs, the ferry operator said.",
                              "Tickets are sold at the port office only, and vehicles must arrive three hours "
                              "before departure. Strong winds can still cause delays."],
                  url=f"{SW}/news/40090-ferry-timetable-sailings-resume", published_at=None,
                  offset_minutes=None, time_source="fetched_at", special="no_date", sort_at=at(d(20), 12, 0, 0))
    no_date.flags += ["no_date", "fallback"]

    p3 = new(title=claim("Freight rates fall as the Caspian ferry queue clears"),
             paragraphs=["Rates for sending a truck across the Caspian have fallen by about a fifth since the "
                         "summer peak, forwarders said, as the queue of trucks waiting at the ports cleared.",
                         "Shorter waits mean drivers spend less on food and fuel at the coast, and some "
                         "forwarders have started to offer fixed prices again.",
                         "The lower rates may not last: demand usually rises again before the winter."],
             url=f"{SW}/news/40187-freight-rates-fall-ferry-queue", dup_tag="P3")
    set_published(p3, at(d(17), 8, 0, 0), "rfc822_gmt")

    near = new(title=claim("Aktau desalination plant completes its expansion"), paragraphs=NEAR_DUP_PARAGRAPHS,
               url=f"{SW}/news/40211-aktau-desalination-expansion", special="near_duplicate")
    set_published(near, at(d(22), 9, 40, 0), "rfc822_z")
    return items + [no_date, p3, near]


# volga-dispatch ---------------------------------------------------------------------------------

VD = "https://volga-dispatch.example"
VD_AUTHORS = ["Анна Сизова", "Игорь Белов", "Марина Горская", "Олег Ветров", "Ольга Климова"]


def volga092_items() -> list[Item]:
    file = "feeds/volga-dispatch-rss092.xml"
    rng = rng_for(file)
    url = lambda it, n, r: f"{VD}/ru/{section_of(it)}/{dated_path(it)}/{slugify(it.title, 5)}-{n}"  # noqa: E731
    styles = [("rfc822_msk", 180), ("rfc822_num", 180), ("rfc822_noday", 180)]
    items = filler(rng, file=file, source="volga-dispatch", count=17, plan=[("ru", RU_TEMPLATES)], styles=styles,
                   authors=VD_AUTHORS, url_for=url, first_number=52001)
    new = lambda **kw: Item(file=file, source="volga-dispatch", **kw)  # noqa: E731

    p3 = new(language="en", title="Freight rates fall as the Caspian ferry queue clears",
             paragraphs=["Rates for sending a truck across the Caspian have fallen by about a fifth since the "
                         "summer peak, forwarders said, as the queue of trucks waiting at the ports cleared.",
                         "Shorter waits mean drivers spend less on food and fuel at the coast, and some "
                         "forwarders have started to offer fixed prices again.",
                         "The lower rates may not last: demand usually rises again before the winter."],
             tags=["Партнёрский материал"], dup_tag="P3",
             url=f"{SW}/news/40187-freight-rates-fall-ferry-queue?utm_source=partner&utm_medium=referral"
                 f"&fbclid=IwAR0x7QdSampleClickId")
    set_published(p3, at(d(18), 11, 30, 180), "rfc822_num", 180)

    p4 = new(language="ru", title=claim("Экспорт зерна через Астрахань вырос"),
             paragraphs=["Экспорт зерна через порты Астрахани с начала сезона вырос, сообщили в порту.",
                         "Основные направления — Баку и иранские порты Каспия."],
             tags=["экономика"], url=f"{VD}/ru/economy/2023/09/20/eksport-zerna", dup_tag="P4")
    set_published(p4, at(d(20), 9, 0, 180), "rfc822_msk")

    future = new(language="ru", title=claim("Волгоградский зоопарк получил пару амурских тигров"),
                 paragraphs=["В Волгоградский зоопарк привезли пару амурских тигров из другого зоопарка страны.",
                             "Посетители смогут увидеть животных после карантина, когда для них закончат "
                             "строить новый вольер."],
                 tags=["общество"], url=f"{VD}/ru/society/2023/09/25/zoopark-tigry", special="far_future")
    future.pub, future.pub_style, future.pub_offset = at(dt.date(2099, 9, 25), 10, 0, 180), "rfc822_num", 180
    future.published_at, future.offset_minutes = future.pub, 180
    future.flags.append("implausible_future")
    future.judgment.append("2099 date: flagged implausible_future; whether published_at keeps it (partition "
                           "date=2099-09-25) or falls back to fetched_at is the pipeline's choice")
    future.sort_at = at(d(25), 10, 0, 180)

    amp = new(language="ru", title=claim("Нефть & газ: итоги недели на каспийском рынке"),
              paragraphs=["Цены на нефть за неделю выросли, а объёмы перевалки газа в портах остались на "
                          "прежнем уровне.",
                          "Аналитики ожидают, что спрос на морские перевозки сохранится до конца навигации."],
              tags=["экономика"], url=f"{VD}/ru/economy/2023/09/22/neft-gaz-itogi-nedeli",
              special="double_escaped_title")
    set_published(amp, at(d(22), 18, 0, 180), "rfc822_msk")
    amp.mess.append("double-escaped title (&amp;amp;)")
    return items + [p3, p4, future, amp]


def volga_gz_items() -> list[Item]:
    file = "feeds/volga-dispatch-rss20.xml.gz"
    rng = rng_for(file)

    def url(it, n, r):
        utm = "?utm_source=yandex.news&utm_medium=rss" if n % 2 else ""
        lang = "en" if it.language == "en" else "ru"
        return f"{VD}/{lang}/{section_of(it)}/{dated_path(it)}/{slugify(it.title, 5)}-{n}{utm}"

    styles = [("rfc822_num", 180), ("rfc822_gmt", 0), ("rfc822_msk", 180), ("rfc822_num", 180)]
    plan = [("ru", RU_TEMPLATES), ("ru", RU_TEMPLATES), ("en", [en_demining, en_schools, en_trade, en_rail,
                                                                en_caspian, en_flights]), ("ru", RU_TEMPLATES)]
    items = filler(rng, file=file, source="volga-dispatch", count=23, plan=plan, styles=styles,
                   authors=VD_AUTHORS, url_for=url, guid_for=lambda it, n: f"{VD}/news/{n}", first_number=53001)
    for item in items:  # guid isPermaLink defaults to true in RSS 2.0, and this feed's guids are URLs
        if item.language == "en":
            item.authors = ["Olga Klimova"]
    new = lambda **kw: Item(file=file, source="volga-dispatch", language="ru", **kw)  # noqa: E731

    p4 = new(title="Экспорт зерна через Астрахань вырос на 12% (обновлено)",
             paragraphs=["Экспорт зерна через порты Астрахани с начала сезона вырос на 12%, сообщили в порту.",
                         "Основные направления — Баку и иранские порты Каспия. Материал дополнен данными "
                         "о росте экспорта."],
             tags=["экономика"], guid=f"{VD}/news/53090", dup_tag="P4",
             url="https://VOLGA-DISPATCH.example/ru/economy/2023/09/20/eksport-zerna"
                 "?utm_source=yandex.news&utm_medium=rss")
    set_published(p4, at(d(20), 14, 20, 180), "rfc822_num", 180)

    body = ["В Волгограде продолжается реконструкция центральной набережной.",
            "Работы планируют завершить до наступления холодов, сообщили в мэрии."]
    p7a = new(title=claim("Реконструкция набережной в Волгограде: что изменится"), paragraphs=body,
              tags=["общество"], guid=f"{VD}/news/53091", dup_tag="P7",
              url=f"{VD}/ru/society/2023/09/23/naberezhnaya-rekonstrukciya#comments")
    set_published(p7a, at(d(23), 12, 0, 180), "rfc822_num", 180)
    p7b = new(title="Реконструкция набережной в Волгограде: что изменится (дополнено)",
              paragraphs=body + ["Мэрия также опубликовала схему объезда на время работ."],
              tags=["общество"], guid=f"{VD}/news/53092", dup_tag="P7",
              url=f"{VD}/ru/society/2023/09/23/naberezhnaya-rekonstrukciya?utm_campaign=push")
    set_published(p7b, at(d(24), 1, 30, 180), "rfc822_num", 180)
    p7b.flags.append("local day 2023-09-24, UTC day 2023-09-23")
    return items + [p4, p7a, p7b]


# baku-ledger ------------------------------------------------------------------------------------

BL = "https://baku-ledger.example"
BL_AUTHORS = ["Günel Məmmədli", "Orxan Şirinov", "Səbinə Abbasova", "Rauf Kərimov"]


def baku_rdf_items() -> list[Item]:
    file = "feeds/baku-ledger-rss10.rdf"
    rng = rng_for(file)
    url = lambda it, n, r: f"{BL}/article.php?id={n}" + ("&utm_source=rss" if n % 2 else "")  # noqa: E731
    styles = [("w3cdtf_min", 240), ("iso_offset", 240), ("w3cdtf_min", 240), ("iso_z", 0)]
    plan = [("az", AZ_TEMPLATES), ("az", AZ_TEMPLATES), ("en", EN_TEMPLATES)]
    items = filler(rng, file=file, source="baku-ledger", count=24, plan=plan, styles=styles, authors=BL_AUTHORS,
                   url_for=url, first_number=4701)
    for item in items:
        item.time_source = "entry.updated"
    # One date-only and one zone-less timestamp.
    for item, style in ((items[5], "date_only"), (items[10], "iso_naive")):
        local = item.pub + dt.timedelta(minutes=item.pub_offset)
        instant = dt.datetime(local.year, local.month, local.day, 12, 0, tzinfo=UTC)
        set_published(item, instant, style, source="entry.updated")
    new = lambda **kw: Item(file=file, source="baku-ledger", **kw)  # noqa: E731

    p6 = new(language="az", title=claim("Bakıda yeni velosiped yolları açılıb"),
             paragraphs=["Bakının mərkəzində yeni velosiped yolları istifadəyə verilib.",
                         "Yolların ümumi uzunluğu on iki kilometrdir."],
             authors=["Orxan Şirinov"], tags=["şəhər"], url=f"{BL}/article.php?id=4821&utm_source=rss",
             dup_tag="P6")
    set_published(p6, at(d(22), 10, 15, 240), "iso_offset", 240, source="entry.updated")

    near = new(language="en", title=claim("Aktau desalination plant finishes expansion (Steppe Wire)"),
               paragraphs=NEAR_DUP_PARAGRAPHS, authors=["Steppe Wire"], tags=["region"],
               url=f"{BL}/article.php?id=4835", special="near_duplicate")
    set_published(near, at(d(22), 16, 5, 240), "w3cdtf_min", 240, source="entry.updated")

    amp = new(language="en", title=claim("Budget hearings: health & education get the largest increases"),
              paragraphs=["Parliament's budget committee began hearings on next year's spending plan, in "
                          "which health and education get the largest increases.",
                          "Members asked for more detail on spending in the regions."],
              authors=["Rauf Kərimov"], tags=["economy"], url=f"{BL}/article.php?id=4840",
              special="double_escaped_title")
    set_published(amp, at(d(26), 15, 30, 240), "w3cdtf_min", 240, source="entry.updated")
    amp.mess.append("double-escaped title (&amp;amp;)")
    return items + [p6, near, amp]


# tbilisi-observer and the JSON Lines export ------------------------------------------------------

def en_wine(r, v):
    t, p = r.randint(40, 95), r.randint(4, 22)
    return pick(r, [f"Kakheti grape harvest reaches {t},000 tonnes", f"Rtveli: grape prices up {p}% in Kakheti"]), [
        f"Farmers in Kakheti have delivered about {t},000 tonnes of grapes to wineries so far this season, "
        f"and prices are {p} percent higher than last year.",
        "Small family cellars are buying more grapes than before, as demand for qvevri wine grows among "
        "visitors from abroad.",
        "Winemakers said the dry weather had produced smaller berries with more sugar.",
    ], ["economy", "wine"]


def en_batumi(r, v):
    n = r.randint(3, 12)
    return f"Batumi boulevard extension adds {n} km of seafront path", [
        f"The seafront boulevard in Batumi has been extended by {n} kilometres towards the south, with a "
        "cycle lane, benches and new lighting.",
        "The city plans to plant trees along the new section during the autumn.",
        "Cafés along the extension will be allowed to open until midnight in summer.",
    ], ["city"]


def en_metro(r, v):
    n, m = r.randint(2, 9), r.randint(20, 90)
    return f"{v['tbilisi']} metro to buy {n * 10} new carriages", [
        f"The metro in {v['tbilisi']} will buy {n * 10} new carriages to replace trains that have been in "
        f"service for more than {m} years.",
        "The first trains are expected to arrive for testing next year, the city transport company said.",
        "The new carriages will have air conditioning and space for wheelchairs and bicycles.",
    ], ["city", "transport"]


TO = "https://tbilisi-observer.example"
TO_AUTHORS = ["Nino Kapanadze", "Giorgi Beridze", "Mariam Lomidze"]
JSONL_FILE = "articles.jsonl"
JSONL_INVALID_LINE = 13
JSONL_INVALID_TEXT = ('{"url": "https://tbilisi-observer.example/en/city/night-buses-extended-2290/", '
                      '"title": "Night buses extended to the airport", "html": "<p>Night buses will run to the '
                      'airport every thirty minutes')  # cut off mid-string: not valid JSON


def jsonl_items() -> list[Item]:
    file = JSONL_FILE
    rng = rng_for(file)
    styles = [("iso_z", 0), ("iso_offset", 240), ("iso_space", 240), ("rfc822_num", 240), ("epoch", 0),
              ("iso_offset", 240), ("dotted", 0), ("iso_z", 0), ("date_only", 0), ("iso_offset", 240),
              ("rfc822_num", 240)]

    def to_url(it, n, r):
        tracking = ["", "", "?fbclid=IwAR2sampleTbilisiClick", "?utm_source=facebook&utm_medium=social"][n % 4]
        return f"{TO}/en/{section_of(it)}/{slugify(it.title, 6)}-{n}/{tracking}"

    items = filler(rng, file=file, source="tbilisi-observer", count=11,
                   plan=[("en", [en_wine, en_batumi, en_metro, en_trade, en_startup, en_flights, en_culture,
                                 en_weather, en_water])],
                   styles=styles, authors=TO_AUTHORS, url_for=to_url, first_number=2201)
    items += filler(rng, file=file, source="steppe-wire", count=3, plan=[("en", EN_TEMPLATES)],
                    styles=[("iso_z", 0), ("rfc822_gmt", 0), ("iso_space", 300)], authors=SW_AUTHORS,
                    url_for=lambda it, n, r: f"{SW}/news/{n}-{slugify(it.title, 6)}?gclid=Cj0KCQjwSampleAd",
                    first_number=40301)
    items += filler(rng, file=file, source="baku-ledger", count=3, plan=[("az", AZ_TEMPLATES)],
                    styles=[("iso_offset", 240), ("az_text", 0), ("w3cdtf_min", 240)], authors=BL_AUTHORS,
                    url_for=lambda it, n, r: f"{BL}/article.php?id={n}", first_number=4901)
    items += filler(rng, file=file, source="volga-dispatch", count=4, plan=[("ru", RU_TEMPLATES)],
                    styles=[("ru_text", 0), ("rfc822_msk", 180), ("dotted", 0), ("iso_offset", 180)],
                    authors=VD_AUTHORS, url_for=lambda it, n, r: f"{VD}/ru/{section_of(it)}/{dated_path(it)}/"
                                                              f"{slugify(it.title, 5)}#main", first_number=54001)
    # The two dates in words that the brief asks for, on fixed days.
    for item, instant in (([i for i in items if i.pub_style == "az_text"][0], at(d(21), 16, 21, 0)),
                          ([i for i in items if i.pub_style == "ru_text"][0], at(d(21), 16, 21, 0))):
        set_published(item, instant, item.pub_style)
        item.judgment[:] = [f"{STYLE_NAMES[item.pub_style]}: read as UTC, offset unknown (null); with the outlet's own "
                            "zone it would be 4 (az) or 3 (ru) hours earlier, the same UTC day"]
    new = lambda **kw: Item(file=file, **kw)  # noqa: E731

    p6 = new(source="baku-ledger", language="az", title="Bakıda yeni velosiped yolları açılıb (yenilənib)",
             paragraphs=["Bakının mərkəzində yeni velosiped yolları istifadəyə verilib.",
                         "Yolların ümumi uzunluğu on iki kilometrdir. Gələn il daha səkkiz kilometr yol "
                         "çəkiləcək."],
             authors=["Orxan Şirinov"], tags=["şəhər"], dup_tag="P6",
             url=f"{BL}/article.php?id=4821&gclid=Cj0KCQjwSampleAd#top")
    set_published(p6, at(d(22), 15, 40, 240), "iso_offset", 240)

    apostrophe = new(source="tbilisi-observer", language="en",
                     title=claim("Tbilisi’s sulphur baths district gets new street lighting"),
                     paragraphs=["The old bath district in Tbilisi’s historic centre has new street lamps, "
                                 "installed along the lanes between the domed bathhouses.",
                                 "The lamps are dimmed after midnight to reduce light pollution, the city said."],
                     authors=["Mariam Lomidze"], tags=["city"], special="double_escaped_html",
                     url=f"{TO}/en/city/bath-district-street-lighting-2290/")
    set_published(apostrophe, at(d(19), 17, 45, 240), "iso_offset", 240)
    apostrophe.mess.append("double-escaped apostrophe in title and html (&amp;#8217;)")

    no_url = new(source="tbilisi-observer", language="en",
                 title=claim("Kutaisi airport terminal to double its check-in desks"),
                 paragraphs=["The terminal at Kutaisi airport will double its number of check-in desks "
                             "before the winter season, the airport operator said.",
                             "Passenger numbers have grown quickly since low-cost airlines added routes."],
                 authors=["Giorgi Beridze"], tags=["travel"], url=None, special="missing_url")
    set_published(no_url, at(d(26), 9, 0, 0), "iso_z")
    no_url.judgment.append("no url: kept as an article identified by a content hash (DESIGN: canonical URL, "
                           "else GUID, else content); a pipeline may instead dead-letter it")
    items += [p6, apostrophe, no_url]
    order = rng.sample(items, len(items))
    line = 1
    for item in order:
        if line == JSONL_INVALID_LINE:
            line += 1
        item.line = line
        line += 1
    return sorted(order, key=lambda it: it.line)


# Full article pages ----------------------------------------------------------------------------

PAGES = [
    {
        "file": "pages/caspian-courier-alat-second-berth.html", "source": "caspian-courier", "language": "en",
        "url": f"{CC}/business/2023/09/15/alat-second-container-berth", "section": "Business",
        "title": "Alat’s second container berth opens, and ferry queues shrink",
        "authors": ["Aysel Guliyeva"], "published": (15, 11, 40, 240), "modified": (15, 14, 5, 240),
        "paragraphs": [
            "The second container berth at the port of Alat, south of Baku, received its first ship this "
            "morning, a ferry from Turkmenbashi carrying forty-two trailers and sixty containers. Port staff "
            "said the vessel was unloaded in a little under five hours, roughly half the time the same "
            "operation took on the old quay.",
            "For months, truck drivers waiting to cross the Caspian have described queues of several days on "
            "both shores. The new berth does not end those queues on its own, but it allows two ferries to be "
            "handled at the same time, which the port authority says should cut the average wait by about a "
            "third before winter.",
            "The berth is 340 metres long and has been dredged to a depth that allows the newer generation of "
            "ro-pax ferries to dock fully loaded. Two mobile harbour cranes, delivered in the spring, were moved "
            "from the general cargo area, and a third is expected later in the year.",
            "Freight forwarders welcomed the change but warned that the bottleneck may simply move inland. "
            "\"The port was the slowest link, now it might be the rail yard,\" said Rauf Karimov, who runs a "
            "forwarding company with offices in Baku and Tbilisi. \"If the trains are not ready when the boxes "
            "are on the quay, the containers will just sit in a different place.\"",
            "Rail planners say they are aware of the risk. Additional sidings at the port station are being "
            "built, and the railway has promised to run shuttle trains to the inland terminal when the yard is "
            "full. Some of the cargo arriving by sea is bound for the Black Sea ports and for Istanbul, and a "
            "delay at any point on the route is felt all the way along it.",
            "The port authority also plans to publish daily figures on ferry arrivals and waiting trucks, a step "
            "that drivers' associations have requested for years. Officials said the figures would be updated "
            "every morning and would cover both shores of the crossing, so that companies can choose when to "
            "send their vehicles to the coast.",
            "The first phase of the port opened several years ago with a capacity of around fifteen million "
            "tonnes a year. Further expansion depends on traffic growth, and the authority says it will decide "
            "on the next step once it has a full year of figures from the new berth.",
        ],
    },
    {
        "file": "pages/steppe-wire-junction-town.html.gz", "source": "steppe-wire", "language": "en",
        "url": f"{SW}/features/40150-junction-town-longer-trains", "section": "Features",
        "title": "On the Middle Corridor, a junction town learns to live with longer trains",
        "authors": ["Marat Seitkali", "Dana Abenova"], "published": (19, 6, 30, 0), "modified": None,
        "paragraphs": [
            "Sarybel was built around a water tower and a set of points. For most of its history the junction, "
            "a few hours by rail from the Caspian coast, saw a handful of freight trains a day and one slow "
            "passenger service that stopped long enough for travellers to buy bread on the platform.",
            "That has changed. Dispatchers now handle more than twenty freight trains on a busy day, most of "
            "them carrying containers towards the port of Aktau and the ferries to Baku. The trains have become "
            "longer too, and the old passing loops were too short for them, so two new ones were laid this "
            "summer.",
            "The work has brought jobs. The depot has hired forty new staff since the spring, including welders "
            "and signalling technicians, and a canteen that used to open only at lunchtime now serves three "
            "meals a day. A second shop has opened on the main street, and the school has added a class.",
            "It has also brought noise. Families who live along the line say the wagons now pass every hour "
            "through the night. \"We moved the children's beds to the back room,\" said one resident, a teacher "
            "who asked not to be named. The railway says it will build a noise barrier along the most exposed "
            "stretch of houses.",
            "For shippers the junction is a small point on a long map. A container leaving western China can "
            "now reach Tbilisi in under three weeks if the ferry connection works, and some logistics firms are "
            "quoting through rates to Istanbul and Ankara. Every hour saved at places like Sarybel makes those "
            "rates easier to promise.",
            "Not everyone in the town expects the boom to last. Older railway workers remember earlier plans "
            "for the route that came to little. But for now the platform is busy, and the bread seller has been "
            "joined by a man who sells phone cards and coffee to train crews waiting for a green signal.",
        ],
    },
    {
        "file": "pages/baku-ledger-bulvar-korpu.htm", "source": "baku-ledger", "language": "az",
        "url": f"{BL}/article.php?id=4860", "section": "Şəhər",
        "title": "Bakı bulvarında yeni piyada körpüsü istifadəyə verilib",
        "authors": ["Günel Məmmədli"], "published": (24, 11, 5, 240), "modified": (24, 13, 30, 240),
        "dateline": "Bakı, 24 sentyabr 2023 11:05",
        "paragraphs": [
            "Bakı bulvarını Neftçilər prospektinin o biri tərəfindəki məhəllələrlə birləşdirən yeni piyada "
            "körpüsü bu gün sakinlərin istifadəsinə verilib. Körpünün uzunluğu təxminən səksən metrdir, hər "
            "iki tərəfində lift və pilləkənlər quraşdırılıb.",
            "Layihənin müəllifləri bildirirlər ki, körpü əlilliyi olan şəxslər, uşaq arabası ilə gəzən "
            "valideynlər və velosipedçilər üçün də rahat olacaq. Liftlər gecə saat on ikiyədək işləyəcək, "
            "körpünün özü isə bütün gün açıq qalacaq.",
            "Əvvəllər bu hissədə piyadalar yolu yeraltı keçiddən və ya svetoforlu keçiddən keçirdilər. "
            "Sakinlərin sözlərinə görə, axşam saatlarında keçiddə növbə yaranırdı, yay aylarında isə bulvara "
            "gedənlərin sayı xeyli artırdı.",
            "Açılış mərasimində çıxış edən memar Orxan Şirinov qeyd edib ki, körpünün dizaynında Xəzər "
            "dənizinin dalğalarından ilham alınıb. Axşamlar körpü mavi və ağ işıqlarla işıqlandırılacaq. "
            "Onun sözlərinə görə, tikintidə yerli istehsal olan polad konstruksiyalardan istifadə edilib.",
            "Şəhər sakinləri yeni körpünü müsbət qarşılayıblar. Yaxınlıqdakı məktəbdə müəllim işləyən bir "
            "qadın bildirib ki, uşaqlar indi bulvara daha təhlükəsiz yolla gedə biləcəklər. Bəzi sakinlər isə "
            "körpünün yanında əlavə skamyalar və kölgəliklər qurulmasını təklif ediblər.",
            "Nəqliyyat mütəxəssisləri hesab edirlər ki, yeni körpü prospektdə avtomobil hərəkətini də "
            "rahatlaşdıracaq, çünki svetoforlu keçiddə piyadaları gözləyən maşınların sayı azalacaq. Onlar "
            "həmçinin körpünün ətrafında velosiped dayanacağının yaradılmasını və ictimai nəqliyyat "
            "dayanacaqlarının körpüyə yaxınlaşdırılmasını təklif edirlər.",
            "Körpünün tikintisi təxminən on dörd ay çəkib. İşlər əsasən gecə saatlarında aparılıb ki, prospektdə "
            "hərəkət məhdudlaşdırılmasın. Podratçı şirkətin nümayəndəsi bildirib ki, polad hissələr əvvəlcədən "
            "emalatxanada yığılıb, sonra isə kranlarla yerinə qoyulub. Bu üsul tikinti müddətini bir neçə ay "
            "qısaldıb.",
            "Körpünün üzərində kiçik seyr meydançaları da var. Oradan dənizə və bulvarın yaşıl zolağına gözəl "
            "mənzərə açılır. Meydançalarda skamyalar, içməli su kranları və velosipedlər üçün dayaqlar "
            "quraşdırılıb. Gələcəkdə burada fotosərgilərin keçirilməsi də nəzərdə tutulur.",
            "Layihə Bakının mərkəzində piyadalar üçün əlverişli mühit yaratmaq proqramının bir hissəsidir. "
            "Gələn il şəhərin digər hissələrində daha iki belə körpünün tikilməsi planlaşdırılır. Azərbaycanın "
            "digər şəhərlərində də oxşar layihələrin həyata keçirilməsi nəzərdə tutulur.",
        ],
    },
    {
        "file": "pages/volga-dispatch-astrakhan-port.html", "source": "volga-dispatch", "language": "ru",
        "url": f"{VD}/ru/economy/2023/09/22/astrakhanskiy-port-marshrut", "section": "Экономика",
        "title": "Астраханский порт: как меняется маршрут каспийских грузов",
        "authors": ["Ольга Климова"], "published": (22, 10, 40, 180), "modified": None,
        "dateline": "Астрахань, 22 сентября 2023 10:40",
        "paragraphs": [
            "Ещё несколько лет назад причалы в дельте Волги работали в основном на внутренний рынок: сюда "
            "приходили баржи с зерном и строительными материалами, а морские суда появлялись нечасто. Сейчас "
            "картина другая. По словам диспетчеров, в иные дни у входа в канал стоят на рейде до десяти судов, "
            "идущих в Баку, Актау и порты Ирана.",
            "Главная проблема — глубина. Каспийское море мелеет, и судам приходится уходить из порта "
            "недогруженными. Капитаны рассказывают, что ещё недавно на борт брали на несколько сотен тонн "
            "больше. Дноуглубительные работы в канале ведутся каждый год, но, как признают в порту, они едва "
            "успевают за падением уровня воды.",
            "Вторая проблема — железная дорога. Составы с контейнерами приходят неравномерно, и склады то "
            "пустуют, то оказываются переполнены. Логисты предлагают ввести единое расписание для поездов и "
            "судов, чтобы груз не простаивал на берегу по несколько суток.",
            "«Мы видим интерес со стороны грузоотправителей из Москвы и Казани, но им нужны понятные сроки "
            "доставки», — говорит руководитель экспедиторской компании Игорь Белов. По его словам, клиенты "
            "готовы платить больше за надёжность, но не за ожидание.",
            "Порт рассчитывает на новый зерновой терминал, строительство которого должно завершиться в "
            "следующем году. Он позволит грузить суда быстрее и хранить больше зерна в период уборки. Кроме "
            "того, обсуждается создание сухого порта в нескольких десятках километров от берега, куда можно "
            "будет отправлять контейнеры в ожидании судна.",
            "Для небольших экспедиторов ситуация осложняется тем, что тарифы на перевалку пересматриваются "
            "несколько раз за сезон. Многие компании заключают договоры только на месяц вперёд и не могут "
            "планировать отправки заранее. По мнению участников рынка, долгосрочные контракты с "
            "фиксированными ставками помогли бы снизить риски для всех сторон.",
            "В самом порту признают, что спрос опережает возможности инфраструктуры. Новые краны и склады "
            "закупаются, но на их установку уходит время, а квалифицированных рабочих не хватает. Порт уже "
            "договорился с местным колледжем о подготовке крановщиков и механиков.",
            "Эксперты напоминают, что маршрут через Каспий зависит и от погоды. Осенью штормы нередко "
            "закрывают порты на несколько дней, и тогда очереди растут по обе стороны моря. Поэтому участники "
            "рынка всё чаще говорят о необходимости обмена данными между портами Астрахани, Баку и Актау в "
            "режиме реального времени.",
        ],
    },
    {
        "file": "pages/tbilisi-observer-tram-depot-market.html", "source": "tbilisi-observer", "language": "en",
        "url": f"{TO}/en/city/tram-depot-becomes-market-hall-2231/", "section": "City",
        "title": "Restored tram depot in Tbilisi becomes a market hall",
        "authors": ["Nino Kapanadze"], "published": (17, 18, 20, 240), "modified": (18, 9, 0, 240),
        "paragraphs": [
            "A brick tram depot that stood empty for more than two decades in Tbilisi has reopened as a covered "
            "market hall, with stalls for farmers, bakers and small food producers under its restored iron roof.",
            "The depot was built for the city's trams, which stopped running long ago. Since then the building "
            "had been used as a car park and, for a while, as a warehouse for a furniture shop. Its windows were "
            "bricked up and part of the roof had collapsed after a storm.",
            "The restoration took two years. Architects kept the original rails in the floor and covered them "
            "with glass, so visitors can see where the trams once stood. The roof trusses were taken down, "
            "repaired and put back, and new skylights let daylight into the hall.",
            "About sixty traders have taken stalls, most of them from villages within a couple of hours' drive "
            "of the capital. Rents are lower for producers who sell their own goods, a rule the operators say is "
            "meant to keep resellers from taking over. Cheese makers from the mountains share an aisle with a "
            "family that sells churchkhela and dried fruit.",
            "\"We wanted a place where people from the neighbourhood come every day, not only tourists,\" said "
            "Giorgi Beridze, one of the project's managers. He said the hall would stay open until ten in the "
            "evening and would host cooking classes at weekends.",
            "Some residents have raised concerns about traffic and parking in the narrow streets around the "
            "depot. The city has promised to add a bus stop outside the main entrance and to restrict deliveries "
            "to the early morning hours.",
            "Similar conversions have been proposed for other industrial buildings in the district, including a "
            "former printing works and a bread factory. Planners say the market hall will show whether such "
            "projects can pay for themselves without public subsidies.",
        ],
    },
    {
        "file": "pages/caspian-courier-seal-survey.html", "source": "caspian-courier", "language": "en",
        "url": f"{CC}/environment/2023/09/26/caspian-seal-pup-survey", "section": "Environment",
        "title": "Aerial survey counts fewer Caspian seal pups on the northern ice",
        "authors": ["Leyla Hasanova", "Emre Yildiz"], "published": (26, 9, 15, 240), "modified": None,
        "paragraphs": [
            "Researchers who flew over the northern Caspian at the end of last winter counted fewer seal pups "
            "on the ice than in any survey of the past decade, according to a report presented to the "
            "environmental agencies of the countries around the sea.",
            "The Caspian seal is the only marine mammal in the sea and gives birth on winter ice, mostly in the "
            "shallow north. The survey team used small aircraft fitted with cameras to photograph the ice along "
            "fixed lines, and then counted the animals on the images.",
            "The report links the low count to a mild winter with thin ice that broke up early, leaving many "
            "pups in the water before they could swim well. The researchers also point to by-catch in illegal "
            "fishing nets and to disturbance from ships that cut through the ice.",
            "\"One bad year does not make a trend, but the direction has been the same for a long time,\" said "
            "Ilaha Safarova, a marine biologist who took part in the study. She said the next survey would try "
            "to count adult animals on the islands in autumn, when they gather to rest.",
            "The authors recommend closing some shipping lanes in the breeding area during the weeks when pups "
            "are on the ice, and stricter checks on nets in coastal villages. They also call for a shared "
            "database of stranded animals found on beaches in Azerbaijan, Kazakhstan, Russia, Turkmenistan and "
            "Iran.",
            "Conservation groups said the findings added urgency to talks on a regional plan for the species. "
            "The United Nations Environment Programme has supported earlier meetings on the sea's environment, "
            "and the authors hope the report will be discussed at the next of them.",
            "Fishermen interviewed for the report said they saw seals near the shore less often than twenty "
            "years ago. Several said they would support seasonal limits if compensation were offered for the "
            "lost catch.",
        ],
    },
]


def page_items() -> list[Item]:
    items = []
    for page in PAGES:
        day, hh, mm, offset = page["published"]
        paragraphs = ([page["dateline"]] if page.get("dateline") else []) + page["paragraphs"]
        item = Item(file=page["file"], source=page["source"], language=page["language"],
                    title=claim(page["title"]), paragraphs=paragraphs, url=page["url"], authors=page["authors"])
        set_published(item, at(d(day), hh, mm, offset), "iso_offset" if offset else "iso_z", offset,
                      source="page.json_ld")
        if page["modified"]:
            mday, mhh, mmm, moff = page["modified"]
            item.upd, item.upd_style, item.upd_offset = at(d(mday), mhh, mmm, moff), "iso_offset", moff
        item.judgment.append("the article URL is the page's <link rel=\"canonical\"> (the file has no URL)")
        item.mess = ["navigation", "header", "footer", "sidebar (related links)", "comments", "cookie banner",
                     "ads", "scripts", "JSON-LD"]
        items.append(item)
    return items


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

def pub_text(item: Item) -> str | int | None:
    if item.pub_literal:
        return item.pub_literal
    return render_date(item.pub, item.pub_style, item.pub_offset) if item.pub else None


def upd_text(item: Item) -> str | None:
    return render_date(item.upd, item.upd_style, item.upd_offset) if item.upd else None


def newest_first(items: list[Item]) -> list[Item]:
    def key(item):
        return item.sort_at or item.published_at or item.pub or item.upd
    return sorted(items, key=key, reverse=True)


def title_xml(item: Item) -> str:
    if item.special in ("double_escaped_title", "double_escaped_apostrophe"):
        return double_escaped(item.title)
    return xml_escape(item.title)


def element(name: str, text: str | None, indent: str = "      ") -> str:
    return "" if text is None else f"{indent}<{name}>{xml_escape(str(text))}</{name}>\n"


def cdata(text: str) -> str:
    assert "]]>" not in text
    return f"<![CDATA[{text}]]>"


def render_rss091(items: list[Item]) -> bytes:
    rng = rng_for("render:rss091")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
           '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n',
           '<rss version="0.91">\n  <channel>\n',
           "    <title>Steppe Wire: Top Stories</title>\n",
           f"    <link>{SW}/</link>\n",
           "    <description>Wire copy from the Caspian, the Caucasus and Central Asia.</description>\n",
           "    <language>en-us</language>\n",
           f"    <image>\n      <title>Steppe Wire</title>\n      <url>{SW}/static/logo-88x31.gif</url>\n"
           f"      <link>{SW}/</link>\n      <width>88</width>\n      <height>31</height>\n    </image>\n",
           "    <copyright>Copyright Steppe Wire</copyright>\n",
           "    <webMaster>desk@steppe-wire.example</webMaster>\n"]
    for item in newest_first(items):
        out.append("    <item>\n")
        out.append(f"      <title>{title_xml(item)}</title>\n")
        out.append(element("link", item.url))
        out.append(element("description", messy_html(item, rng, SOURCES[item.source]["domain"], extras=1)))
        out.append(element("pubDate", pub_text(item)))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def render_rss092(items: list[Item]) -> bytes:
    rng = rng_for("render:rss092")
    out = ['<?xml version="1.0" encoding="windows-1251"?>\n',
           '<rss version="0.92">\n  <channel>\n',
           "    <title>Волжский вестник — Новости</title>\n",
           f"    <link>{VD}/ru/</link>\n",
           "    <description>Новости Поволжья и Каспия</description>\n",
           "    <language>ru</language>\n",
           "    <docs>http://backend.userland.com/rss092</docs>\n"]
    for item in newest_first(items):
        domain = SOURCES[item.source]["domain"]
        ident = hashlib.sha1(item.title.encode("utf-8")).hexdigest()[:10]
        out.append("    <item>\n")
        out.append(f"      <title>{title_xml(item)}</title>\n")
        out.append(element("link", item.url))
        out.append(element("description", messy_html(item, rng, domain, extras=1)))
        for tag in item.tags[:1]:
            out.append(element("category", tag))
        out.append(f'      <enclosure url="https://cdn.volga-dispatch.example/img/{ident}.jpg" '
                   f'length="{40000 + int(ident[:4], 16)}" type="image/jpeg"/>\n')
        if item.source != "volga-dispatch":
            out.append(f'      <source url="{SW}/rss.xml">Steppe Wire</source>\n')
        out.append(element("pubDate", pub_text(item)))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode("windows-1251", errors="xmlcharrefreplace")


def render_rss20_caspian(items: list[Item]) -> bytes:
    rng = rng_for("render:caspian-rss20")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
           'xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">\n',
           "  <channel>\n    <title>Caspian Courier</title>\n",
           f"    <link>{CC}/</link>\n",
           f'    <atom:link href="{CC}/feed/" rel="self" type="application/rss+xml"/>\n',
           "    <description>News from Baku and around the Caspian</description>\n",
           "    <language>en</language>\n",
           "    <lastBuildDate>Wed, 27 Sep 2023 22:00:00 +0400</lastBuildDate>\n",
           "    <generator>Courier CMS 4.2</generator>\n    <ttl>15</ttl>\n"]
    for item in newest_first(items):
        domain = SOURCES[item.source]["domain"]
        body = messy_html(item, rng, domain, extras=rng.randint(2, 4))
        summary = f"<p>{text_html(item.paragraphs[0], False)}</p>"
        if item.special == "seed":  # the dateline is the first line of the summary as well as the body
            summary = f"<p>{html.escape(item.paragraphs[0], quote=False)}</p>" \
                      f"<p>{html.escape(item.paragraphs[1], quote=False)}</p>"
        ident = hashlib.sha1(item.title.encode("utf-8")).hexdigest()[:10]
        out.append("    <item>\n")
        out.append(f"      <title>{title_xml(item)}</title>\n")
        out.append(element("link", item.url))
        out.append(f'      <guid isPermaLink="false">{xml_escape(item.guid)}</guid>\n')
        for author in item.authors:
            out.append(element("dc:creator", author))
        out.append(element("pubDate", pub_text(item)))
        out.append(element("dcterms:modified", upd_text(item)))
        for tag in item.tags:
            out.append(element("category", tag))
        out.append(f"      <description>{cdata(summary)}</description>\n")
        out.append(f"      <content:encoded>{cdata(body)}</content:encoded>\n")
        out.append(f'      <media:content url="https://cdn.caspian-courier.example/img/2023/09/{ident}.jpg" '
                   f'medium="image" type="image/jpeg" width="1200" height="675">\n'
                   f"        <media:credit>Caspian Courier</media:credit>\n      </media:content>\n")
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def render_rss20_volga(items: list[Item]) -> bytes:
    rng = rng_for("render:volga-rss20")
    out = ['\ufeff<?xml version="1.0" encoding="UTF-8"?>\n',
           '<rss version="2.0" xmlns:yandex="http://news.yandex.ru" xmlns:atom="http://www.w3.org/2005/Atom">\n',
           "  <channel>\n    <title>Волжский вестник</title>\n",
           f"    <link>{VD}/</link>\n",
           "    <description>Главные новости Поволжья и Каспийского региона</description>\n",
           "    <language>ru</language>\n",
           "    <pubDate>Wed, 27 Sep 2023 21:00:00 +0300</pubDate>\n"]
    for item in newest_first(items):
        domain = SOURCES[item.source]["domain"]
        ident = hashlib.sha1(item.title.encode("utf-8")).hexdigest()[:10]
        out.append("    <item>\n")
        out.append(f"      <title>{title_xml(item)}</title>\n")
        out.append(element("link", item.url))
        out.append(element("guid", item.guid))
        for author in item.authors:
            out.append(element("author", f"newsroom@volga-dispatch.example ({author})"))
        for tag in item.tags[:1]:
            out.append(element("category", tag))
        out.append(element("pubDate", pub_text(item)))
        out.append(f"      <description>{cdata(messy_html(item, rng, domain, extras=2))}</description>\n")
        out.append(f'      <enclosure url="https://cdn.volga-dispatch.example/img/{ident}.jpg" '
                   f'length="{51200 + int(ident[:3], 16)}" type="image/jpeg"/>\n')
        out.append(element("yandex:full-text", item.text))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def render_rdf(items: list[Item]) -> bytes:
    rng = rng_for("render:rdf")
    ordered = newest_first(items)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:syn="http://purl.org/rss/1.0/modules/syndication/">\n',
           f'  <channel rdf:about="{BL}/rss.rdf">\n',
           "    <title>Baku Ledger — Son xəbərlər</title>\n",
           f"    <link>{BL}/</link>\n",
           "    <description>Bakı və Azərbaycan xəbərləri / News from Baku</description>\n",
           "    <dc:language>az</dc:language>\n",
           "    <dc:publisher>Baku Ledger</dc:publisher>\n",
           "    <syn:updatePeriod>hourly</syn:updatePeriod>\n    <syn:updateFrequency>1</syn:updateFrequency>\n",
           "    <items>\n      <rdf:Seq>\n"]
    for item in ordered:
        out.append(f"        <rdf:li rdf:resource={quoteattr(item.url)}/>\n")
    out.append("      </rdf:Seq>\n    </items>\n  </channel>\n")
    for item in ordered:
        out.append(f"  <item rdf:about={quoteattr(item.url)}>\n")
        out.append(f"    <title>{title_xml(item)}</title>\n")
        out.append(element("link", item.url, "    "))
        out.append(element("description", messy_html(item, rng, SOURCES[item.source]["domain"], extras=1), "    "))
        out.append(element("dc:date", pub_text(item), "    "))
        for author in item.authors:
            out.append(element("dc:creator", author, "    "))
        for tag in item.tags[:1]:
            out.append(element("dc:subject", tag, "    "))
        out.append(element("dc:language", item.language, "    "))
        out.append("  </item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out).replace("\n", "\r\n").encode("utf-8")


def render_atom(items: list[Item]) -> bytes:
    rng = rng_for("render:atom")
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n',
           "  <title>Caspian Courier — Latest</title>\n",
           "  <subtitle>Every story as it is published and updated</subtitle>\n",
           f'  <link rel="alternate" type="text/html" href="{CC}/"/>\n',
           f'  <link rel="self" type="application/atom+xml" href="{CC}/feeds/latest.atom"/>\n',
           "  <id>tag:caspian-courier.example,2023:feeds/latest</id>\n",
           "  <updated>2023-09-27T18:00:00Z</updated>\n",
           "  <author><name>Caspian Courier newsroom</name><email>desk@caspian-courier.example</email></author>\n",
           '  <generator uri="https://caspian-courier.example/cms" version="4.2">Courier CMS</generator>\n']
    for n, item in enumerate(newest_first(items)):
        domain = SOURCES[item.source]["domain"]
        out.append("  <entry>\n")
        out.append(f'    <title type="text">{xml_escape(item.title)}</title>\n')
        if item.url:
            out.append(f'    <link rel="alternate" type="text/html" href={quoteattr(item.url)}/>\n')
        out.append(element("id", item.guid, "    "))
        out.append(element("published", pub_text(item), "    "))
        out.append(element("updated", upd_text(item) or pub_text(item), "    "))
        for author in item.authors:
            slug = slugify(author)
            out.append(f"    <author><name>{xml_escape(author)}</name><uri>{CC}/authors/{slug}</uri></author>\n")
        for tag in item.tags:
            out.append(f'    <category term={quoteattr(tag)}/>\n')
        summary = f"<p>{html.escape(item.paragraphs[0], quote=False)}</p>"
        out.append(f'    <summary type="html">{xml_escape(summary)}</summary>\n')
        if n % 7 == 3:  # some entries carry escaped HTML content instead of inline XHTML
            out.append(f'    <content type="html">{xml_escape(messy_html(item, rng, domain))}</content>\n')
        else:
            body = messy_html(item, rng, domain, xhtml=True)
            out.append(f'    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{body}</div></content>\n')
        out.append("  </entry>\n")
    out.append("</feed>\n")
    return "".join(out).encode("utf-8")


def render_jsonl(items: list[Item]) -> bytes:
    rng = rng_for("render:jsonl")
    lines = {JSONL_INVALID_LINE: JSONL_INVALID_TEXT}
    for item in items:
        body = messy_html(item, rng, SOURCES[item.source]["domain"], extras=rng.randint(1, 3))
        title = item.title
        if item.special == "double_escaped_html":
            title = title.replace("’", "&amp;#8217;")
            body = body.replace("’", "&amp;#8217;").replace("bath district", "bath&amp;nbsp;district", 1)
        record = {"url": item.url, "title": title, "html": body, "published": pub_text(item),
                  "source": SOURCES[item.source]["name"], "author": ", ".join(item.authors),
                  "language": "ru-RU" if item.language == "ru" and item.line % 2 else item.language}
        if item.url is None:
            del record["url"]
        lines[item.line] = json.dumps(record, ensure_ascii=item.source == "volga-dispatch" and item.line % 2 == 0)
    assert sorted(lines) == list(range(1, len(lines) + 1))
    return ("\n".join(lines[n] for n in sorted(lines)) + "\n").encode("utf-8")


SITE_UI = {
    "en": {"nav": ["Home", "News", "Business", "Society", "Culture", "Sport", "Opinion"], "most_read": "Most read",
           "related": ["Weekend weather outlook", "Markets close mixed", "Five new cafés worth a visit",
                       "Letters to the editor", "Photo of the day"],
           "comments": "Comments", "cookie": "We use cookies to improve your experience and to show you "
           "relevant advertising.", "accept": "Accept all", "settings": "Cookie settings",
           "newsletter": "Get our morning newsletter", "subscribe": "Subscribe", "by": "By",
           "share": "Share", "ad": "Advertisement", "rights": "All rights reserved.",
           "footer_links": ["About us", "Contact", "Advertise", "Privacy policy", "Terms of use"],
           "replies": [("Mark T.", "Finally some good news. Hope they keep it maintained."),
                       ("guest_481", "What about parking? Nobody ever thinks about parking."),
                       ("Lena", "Great photos, thank you for the report.")],
           "login": "Log in to comment", "read_also": "Read also", "read_also_link": "Markets close mixed"},
    "az": {"nav": ["Əsas səhifə", "Xəbərlər", "İqtisadiyyat", "Cəmiyyət", "Mədəniyyət", "İdman"],
           "most_read": "Ən çox oxunanlar",
           "related": ["Həftəsonu hava proqnozu", "Birjada gün necə keçdi", "Redaksiyaya məktublar", "Günün fotosu"],
           "comments": "Şərhlər", "cookie": "Saytımız daha yaxşı işləməsi üçün kukilərdən istifadə edir.",
           "accept": "Razıyam", "settings": "Parametrlər", "newsletter": "Gündəlik bülletenimizə abunə olun",
           "subscribe": "Abunə ol", "by": "Müəllif:", "share": "Paylaş", "ad": "Reklam",
           "rights": "Bütün hüquqlar qorunur.",
           "footer_links": ["Haqqımızda", "Əlaqə", "Reklam", "Məxfilik siyasəti"],
           "replies": [("Nərmin", "Çox gözəl xəbərdir, təşəkkürlər!"),
                       ("qonaq", "Bəs avtomobil dayanacağı necə olacaq?")],
           "login": "Şərh yazmaq üçün daxil olun", "read_also": "Oxuyun", "read_also_link": "Günün fotosu"},
    "ru": {"nav": ["Главная", "Новости", "Экономика", "Общество", "Культура", "Спорт"],
           "most_read": "Самое читаемое",
           "related": ["Прогноз погоды на выходные", "Итоги торгов на бирже", "Письма читателей", "Фото дня"],
           "comments": "Комментарии", "cookie": "Мы используем файлы cookie, чтобы сайт работал лучше.",
           "accept": "Принять", "settings": "Настройки", "newsletter": "Подпишитесь на утреннюю рассылку",
           "subscribe": "Подписаться", "by": "Автор:", "share": "Поделиться", "ad": "Реклама",
           "rights": "Все права защищены.",
           "footer_links": ["О редакции", "Контакты", "Реклама", "Политика конфиденциальности"],
           "replies": [("Алексей", "Хорошая новость, лишь бы сделали вовремя."), ("гость", "А что с парковкой?")],
           "login": "Войдите, чтобы оставить комментарий", "read_also": "Читайте также",
           "read_also_link": "Фото дня"},
}


def render_page(page: dict, item: Item) -> bytes:
    ui = SITE_UI[item.language]
    site = SOURCES[item.source]
    domain, name = site["domain"], site["name"]
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    published = render_date(item.pub, item.pub_style, item.pub_offset)
    modified = upd_text(item)
    local = (item.pub + dt.timedelta(minutes=item.pub_offset)).replace(tzinfo=None)
    shown = f"{local.day} {EN_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"
    if item.language == "az":
        shown = f"{local.day} {AZ_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"
    if item.language == "ru":
        shown = f"{local.day} {RU_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"
    json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
               "datePublished": published, "inLanguage": item.language,
               "author": [{"@type": "Person", "name": a} for a in item.authors],
               "publisher": {"@type": "Organization", "name": name,
                             "logo": {"@type": "ImageObject", "url": f"https://{domain}/static/logo.png"}},
               "mainEntityOfPage": {"@type": "WebPage", "@id": item.url},
               "image": [f"https://cdn.{domain}/img/{slugify(item.title, 4)}-1200.jpg"],
               "articleSection": page["section"]}
    if modified:
        json_ld["dateModified"] = modified
    nav = "".join(f'<li><a href="https://{domain}/{slugify(n, 2)}/">{esc(n)}</a></li>' for n in ui["nav"])
    related = "".join(f'<li><a href="https://{domain}/news/{slugify(r, 5)}?utm_source=sidebar&amp;utm_medium=web">'
                      f"{esc(r)}</a></li>" for r in ui["related"])
    authors = ", ".join(f'<a rel="author" href="https://{domain}/authors/{slugify(a)}">{esc(a)}</a>'
                        for a in item.authors)
    paragraphs = []
    for i, paragraph in enumerate(item.paragraphs):
        cls = ' class="dateline"' if i == 0 and page.get("dateline") else ""
        paragraphs.append(f"<p{cls}>{html.escape(paragraph, quote=False)}</p>")
        if i == 2:
            paragraphs.append(f'<div class="ad ad-inarticle" data-slot="inarticle-1"><span class="ad-label">'
                              f'{esc(ui["ad"])}</span><script>(window.adq=window.adq||[]).push("inarticle-1");'
                              f"</script></div>")
        if i == 4:
            paragraphs.append(f'<aside class="read-also"><strong>{esc(ui["read_also"])}:</strong> '
                              f'<a href="https://{domain}/news/{slugify(ui["read_also_link"], 5)}">'
                              f'{esc(ui["read_also_link"])}</a></aside>')
    comments = "".join(f'<li class="comment"><span class="comment-author">{esc(who)}</span>'
                       f'<p class="comment-text">{esc(text)}</p></li>' for who, text in ui["replies"])
    footer_links = " | ".join(f'<a href="https://{domain}/{slugify(f, 3)}">{esc(f)}</a>' for f in ui["footer_links"])
    og_url = item.url + ("&" if "?" in item.url else "?") + "utm_source=og&utm_medium=social"
    doc = f"""<!DOCTYPE html>
<html lang="{item.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(item.title)} | {esc(name)}</title>
<meta name="description" content="{esc(item.paragraphs[-1][:150])}">
<link rel="canonical" href="{esc(item.url)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(item.title)}">
<meta property="og:url" content="{esc(og_url)}">
<meta property="og:site_name" content="{esc(name)}">
<meta property="article:published_time" content="{published}">
{f'<meta property="article:modified_time" content="{modified}">' if modified else ''}
<meta property="article:section" content="{esc(page["section"])}">
<meta name="author" content="{esc(', '.join(item.authors))}">
<link rel="stylesheet" href="https://{domain}/static/site.css">
<style>.cookie-banner{{position:fixed;bottom:0}}.ad{{min-height:90px}}</style>
<script async src="https://analytics.{domain}/tag.js"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag("config","XX-0000");</script>
<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False, indent=1)}</script>
</head>
<body class="article-page">
<div class="cookie-banner" id="cookie-consent" role="dialog">
  <p>{esc(ui["cookie"])}</p>
  <button type="button" onclick="acceptCookies()">{esc(ui["accept"])}</button>
  <a href="https://{domain}/privacy#cookies">{esc(ui["settings"])}</a>
</div>
<header class="site-header">
  <a class="logo" href="https://{domain}/"><img src="https://{domain}/static/logo.svg" alt="{esc(name)}"></a>
  <nav class="main-nav"><ul>{nav}</ul></nav>
  <form class="search" action="https://{domain}/search"><input type="search" name="q"><button>Search</button></form>
</header>
<div class="ad ad-leaderboard" id="ad-top"><span class="ad-label">{esc(ui["ad"])}</span>
  <a href="https://ads.adnetwork.example/click?c=7731&amp;p={domain}"><img src="https://ads.adnetwork.example/banner-728x90.png" width="728" height="90" alt=""></a>
</div>
<div class="layout">
<main id="content">
  <article class="story">
    <p class="breadcrumbs"><a href="https://{domain}/">{esc(ui["nav"][0])}</a> › {esc(page["section"])}</p>
    <h1 class="headline">{esc(item.title)}</h1>
    <p class="byline">{esc(ui["by"])} {authors} · <time datetime="{published}">{shown}</time></p>
    <figure class="lead-image"><img src="https://cdn.{domain}/img/{slugify(item.title, 4)}-1200.jpg" alt="" width="1200" height="675"><figcaption>{esc(name)}</figcaption></figure>
    <div class="story-body">
{chr(10).join(paragraphs)}
    </div>
    <div class="share-bar">{esc(ui["share"])}: <a href="https://facebook.example/share?u={esc(item.url)}">f</a> <a href="https://x.example/intent?u={esc(item.url)}">x</a></div>
    <!-- story-body end; comments widget loads below -->
  </article>
  <section class="comments" id="comments">
    <h2>{esc(ui["comments"])} ({len(ui["replies"])})</h2>
    <ol>{comments}</ol>
    <p><a href="https://{domain}/login">{esc(ui["login"])}</a></p>
  </section>
</main>
<aside class="sidebar">
  <section class="most-read"><h3>{esc(ui["most_read"])}</h3><ol>{related}</ol></section>
  <div class="ad ad-mpu"><span class="ad-label">{esc(ui["ad"])}</span><iframe src="https://ads.adnetwork.example/mpu?site={domain}" width="300" height="250"></iframe></div>
  <section class="newsletter"><h3>{esc(ui["newsletter"])}</h3>
    <form action="https://{domain}/newsletter" method="post"><input type="email" name="email"><button type="submit">{esc(ui["subscribe"])}</button></form>
  </section>
</aside>
</div>
<footer class="site-footer">
  <p>{footer_links}</p>
  <p>© {esc(name)}. {esc(ui["rights"])}</p>
</footer>
<img src="https://stats.{domain}/pixel.gif?page={slugify(item.title, 3)}" width="1" height="1" alt="">
<script>function acceptCookies(){{document.getElementById("cookie-consent").remove();}}</script>
<script src="https://{domain}/static/comments.js" defer></script>
</body>
</html>
"""
    return doc.encode("utf-8")


def gz(data: bytes) -> bytes:
    """Gzip with a zero timestamp and no file name, so the bytes are the same on every run."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def tiny_png() -> bytes:
    """A valid 1x1 transparent PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00", 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# --------------------------------------------------------------------------------------------
# Broken inputs
# --------------------------------------------------------------------------------------------

TRUNCATED_FILE = "broken/steppe-wire-truncated.xml"
LATIN1_FILE = "broken/baku-ledger-declared-latin1.xml"
CP1251_FILE = "broken/volga-dispatch-declared-utf8.xml"
# What feedparser 6.0.14 makes of the broken feeds (checked by --verify): entries recovered and bozo.
BROKEN_MEASURED = {
    TRUNCATED_FILE: {"entries": 7, "bozo": True},
    "broken/hopeless.xml": {"entries": 0, "bozo": True},
    LATIN1_FILE: {"entries": 5, "bozo": False},
    CP1251_FILE: {"entries": 5, "bozo": True},
}
TRUNCATED_UNCLOSED_INDEX = 3  # 0-based position (newest first) of the item whose <description> is never closed
# Measured with feedparser 6.0.14: the strict parser fails, the loose parser returns 7 of the 8 items. The
# item after the unclosed <description> is swallowed by it; the unclosed item itself and the last item (cut
# before its pubDate) come back without a date.
TRUNCATED_LOST = {TRUNCATED_UNCLOSED_INDEX + 1}
TRUNCATED_UNDATED = {TRUNCATED_UNCLOSED_INDEX, 7}
TRUNCATED_RECOVERED = BROKEN_MEASURED[TRUNCATED_FILE]["entries"]


def broken_items() -> dict[str, list[Item]]:
    out = {}
    rng = rng_for(TRUNCATED_FILE)
    items = filler(rng, file=TRUNCATED_FILE, source="steppe-wire", count=8, plan=[("en", EN_TEMPLATES)],
                   styles=[("rfc822_gmt", 0)], authors=SW_AUTHORS, first_number=40501,
                   url_for=lambda it, n, r: f"{SW}/news/{n}-{slugify(it.title, 6)}")
    out[TRUNCATED_FILE] = items
    rng = rng_for(LATIN1_FILE)
    out[LATIN1_FILE] = filler(rng, file=LATIN1_FILE, source="baku-ledger", count=5, plan=[("az", AZ_TEMPLATES)],
                              styles=[("rfc822_num", 240)], authors=BL_AUTHORS, first_number=4971,
                              url_for=lambda it, n, r: f"{BL}/article.php?id={n}")
    rng = rng_for(CP1251_FILE)
    out[CP1251_FILE] = filler(rng, file=CP1251_FILE, source="volga-dispatch", count=5,
                              plan=[("ru", RU_TEMPLATES)], styles=[("rfc822_num", 180)], authors=VD_AUTHORS,
                              first_number=55001,
                              url_for=lambda it, n, r: f"{VD}/ru/{section_of(it)}/{dated_path(it)}/"
                                                       f"{slugify(it.title, 5)}-{n}")
    for path, group in out.items():
        for item in group:
            item.broken = True
    for item in out[LATIN1_FILE]:
        item.judgment.append("declared ISO-8859-1 but the bytes are UTF-8: feedparser 6.0.14 happens to return "
                             "the right text, but a reader that trusts the declaration (lxml, codecs) gets "
                             "mojibake (BakÄ±) that must be repaired (ftfy repairs it)")
    for item in out[CP1251_FILE]:
        item.judgment.append("declared UTF-8 but the bytes are windows-1251: feedparser falls back to another "
                             "codec (bozo) and the text is garbled unless the pipeline re-detects cp1251")
    return out


def simple_rss(items: list[Item], title: str, link: str, encoding_decl: str) -> str:
    out = [f'<?xml version="1.0" encoding="{encoding_decl}"?>\n<rss version="2.0">\n  <channel>\n',
           f"    <title>{xml_escape(title)}</title>\n    <link>{link}</link>\n",
           f"    <description>{xml_escape(title)}</description>\n"]
    for item in newest_first(items):
        out.append("    <item>\n")
        out.append(f"      <title>{xml_escape(item.title)}</title>\n")
        out.append(element("link", item.url))
        out.append(element("description", " ".join(item.paragraphs)))
        out.append(element("pubDate", pub_text(item)))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out)


def render_truncated(items: list[Item]) -> bytes:
    """Well-formed up to one item whose <description> is never closed; the download stops mid-item."""
    text = simple_rss(items, "Steppe Wire: Regions", f"{SW}/regions/", "utf-8")
    blocks = text.split("    <item>\n")
    victim = blocks[1 + TRUNCATED_UNCLOSED_INDEX]
    blocks[1 + TRUNCATED_UNCLOSED_INDEX] = victim.replace("</description>", "", 1)
    text = "    <item>\n".join(blocks)
    cut = text.rfind("      <pubDate>")  # the last item loses its date and everything after it
    return text[:cut].encode("utf-8") + b"      <pubD"


def render_hopeless() -> bytes:
    rng = rng_for("broken/hopeless.xml")
    head = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Steppe Wire</title>'
            b'<link>https://steppe-wire.example/</link>\n<descr')
    return head + bytes(rng.randrange(128, 256) for _ in range(300))


NOT_FOUND_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found | Caspian Courier</title>
<meta name="robots" content="noindex">
<script async src="https://analytics.caspian-courier.example/tag.js"></script></head>
<body>
<header><a href="https://caspian-courier.example/">Caspian Courier</a>
<nav><a href="https://caspian-courier.example/business/">Business</a>
<a href="https://caspian-courier.example/sport/">Sport</a></nav></header>
<main><h1>404</h1><p>Sorry, the page you are looking for has moved or no longer exists.</p>
<form action="https://caspian-courier.example/search"><input type="search" name="q"><button>Search</button></form>
<p><a href="https://caspian-courier.example/">Back to the front page</a></p></main>
<footer>© Caspian Courier</footer>
</body>
</html>
"""


def random_bytes() -> bytes:
    rng = rng_for("broken/random.bin")
    data = bytearray(rng.randrange(256) for _ in range(512))
    data[0:2] = b"\x9a\x07"  # not '<', '{', a BOM or the gzip magic: nothing to sniff
    return bytes(data)


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class SampleFile:
    path: str
    kind: str  # format as a reader should sniff it
    items: list[Item]
    data: bytes
    mess: list[str]
    feedparser_version: str | None = None  # what feedparser reports, for feeds
    broken: bool = False
    note: str = ""


def build() -> list[SampleFile]:
    USED_TITLES.clear()
    caspian = caspian_rss_items()
    atom = caspian_atom_items()
    steppe = steppe_items()
    v092 = volga092_items()
    vgz = volga_gz_items()
    rdf = baku_rdf_items()
    jsonl = jsonl_items()
    pages = page_items()
    broken = broken_items()
    files = [
        SampleFile("feeds/steppe-wire-rss091.xml", "RSS 0.91 (Netscape DOCTYPE)", steppe, render_rss091(steppe),
                   ["escaped HTML in descriptions", "tracking pixels", "uppercase host", "no channel date",
                    "item without any date", "2-digit year", "military zone Z"], "rss091n"),
        SampleFile("feeds/volga-dispatch-rss092.xml", "RSS 0.92, windows-1251", v092, render_rss092(v092),
                   ["declared windows-1251 (correctly)", "escaped HTML", "enclosures", "<source> of partner item",
                    "MSK zone", "RFC 822 without weekday", "year 2099 typo", "double-escaped title",
                    "tracking params (utm_*, fbclid)"], "rss092"),
        SampleFile("feeds/caspian-courier-rss20.xml", "RSS 2.0", caspian, render_rss20_caspian(caspian),
                   ["content:encoded (CDATA)", "dc:creator", "media:content", "guid isPermaLink=false",
                    "dcterms:modified", "script/iframe/form/style/comments/tracking pixels",
                    "&nbsp; &#8217;", "double-escaped titles", "utm_* on every link", "AZT / EST / -0500 / +0400",
                    "impossible date (32 Sep)", "seed item without pubDate (dateline)",
                    "item without link (guid only)"],
                   "rss20"),
        SampleFile("feeds/baku-ledger-rss10.rdf", "RSS 1.0 (RDF)", rdf, render_rdf(rdf),
                   ["CRLF line endings", "dc:date in W3C-DTF (minutes), ISO with offset/Z, date only, no zone",
                    "Azerbaijani and English items", "query-string article ids with utm_source",
                    "near-duplicate of a Steppe Wire story", "double-escaped title"], "rss10"),
        SampleFile("feeds/caspian-courier-atom.txt", "Atom 1.0 (saved as .txt)", atom, render_atom(atom),
                   ["misleading .txt extension", "published + updated", "xhtml content (and some escaped html)",
                    "multiple authors", "fractional seconds", "uppercase hosts and #fragments",
                    "impossible published with a valid updated", "entry without link (id only)"], "atom10"),
        SampleFile("feeds/volga-dispatch-rss20.xml.gz", "RSS 2.0, gzip, UTF-8 BOM", vgz, gz(render_rss20_volga(vgz)),
                   ["gzip", "UTF-8 byte order mark", "author as 'email (name)'", "yandex:full-text",
                    "same article twice in one feed", "UPPERCASE host", "utm_* params",
                    "Russian and English items"], "rss20"),
        SampleFile(JSONL_FILE, "JSON Lines", jsonl, render_jsonl(jsonl),
                   ["one line that is not valid JSON (line 13)", "one line without url",
                    "published as ISO/RFC 822/epoch/DD.MM.YYYY/date only/Azerbaijani/Russian words",
                    "\\u-escaped lines", "fbclid/gclid/utm params, #fragments, trailing slashes",
                    "double-escaped entities in title and html"]),
    ]
    for page, item in zip(PAGES, pages):
        data = render_page(page, item)
        if page["file"].endswith(".gz"):
            data = gz(data)
        mess = list(item.mess)
        if page.get("dateline"):
            mess.append("dateline in the first paragraph")
        files.append(SampleFile(page["file"], "HTML article page" + (", gzip" if page["file"].endswith(".gz") else ""),
                                [item], data, mess))
    truncated = broken[TRUNCATED_FILE]
    files += [
        SampleFile(TRUNCATED_FILE, "RSS 2.0, malformed", truncated, render_truncated(truncated),
                   ["an unclosed <description>", "download cut mid-item"], "rss20", broken=True),
        SampleFile("broken/hopeless.xml", "RSS 2.0, truncated before any item", [], render_hopeless(),
                   ["cut inside the channel header, then binary garbage"], broken=True),
        SampleFile(LATIN1_FILE, "RSS 2.0, declares ISO-8859-1, bytes are UTF-8", broken[LATIN1_FILE],
                   simple_rss(broken[LATIN1_FILE], "Baku Ledger — Bölgələr", f"{BL}/", "ISO-8859-1").encode("utf-8"),
                   ["wrong declared encoding (mojibake: BakÄ±)"], "rss20", broken=True),
        SampleFile(CP1251_FILE, "RSS 2.0, declares UTF-8, bytes are windows-1251", broken[CP1251_FILE],
                   simple_rss(broken[CP1251_FILE], "Волжский вестник — Регионы", f"{VD}/", "UTF-8")
                   .encode("windows-1251"), ["wrong declared encoding (invalid UTF-8)"], "rss20", broken=True),
        SampleFile("broken/empty.xml", "empty file", [], b"", ["zero bytes"], broken=True),
        SampleFile("broken/random.bin", "binary (random bytes)", [], random_bytes(), ["not text"], broken=True),
        SampleFile("broken/pixel.png", "PNG image", [], tiny_png(), ["an image, not a document"], broken=True),
        SampleFile("broken/not-found.html", "HTML, not an article (404 page)", [], NOT_FOUND_HTML.encode("utf-8"),
                   ["no article content"], broken=True),
    ]
    return files


# --------------------------------------------------------------------------------------------
# Expected outcomes, computed from the model
# --------------------------------------------------------------------------------------------

DEDUP_RULE = ("article_id = hash of the canonical http(s) URL (query parameters utm_*, fbclid and gclid removed, "
              "fragment removed, host lowercased, scheme kept, path and trailing slash kept as they are, other "
              "query parameters kept in order; feedparser puts a link-less Atom entry's id in entry.link, "
              "and a tag: URI is not a URL); else the GUID (RSS guid / Atom id); else a hash of the content. "
              "Among copies with the same article_id the one with the latest 'effective updated' wins "
              "(updated if the item has an updated/modified time, else its published time); the winner's "
              "published time gives the partition date.")
TIME_RULES = [
    "Candidates in order: entry published, the page's own times (JSON-LD datePublished, then meta tags such as "
    "article:published_time, microdata, <time>, a date in the URL), entry updated, a dateline in the body, "
    "fetched_at (flagged 'fallback').",
    "Every time is converted to UTC and the original offset kept (published_offset_minutes).",
    "Zone names: GMT/Z = +00:00, EST = -05:00, MSK = +03:00, AZT = +04:00 (feedparser 6 reads MSK and AZT "
    "as UTC: the pipeline must parse the raw string itself).",
    "Timestamps without a zone (ISO without offset, DD.MM.YYYY HH:MM, dates in Azerbaijani or Russian words) "
    "are read as UTC with published_offset_minutes null (unknown); each is between 04:00 and 20:00, so a "
    "reader assuming any zone from UTC-4 to "
    "UTC+4 gets the same day and only the instant depends on the choice. A date without a time is midnight "
    "UTC of the written day (a reader that applied a local zone to it would move it to the day before). "
    "Marked as judgment on each such article.",
    "RSS 1.0 dc:date is the item's only date; feedparser exposes it as 'updated' (published is empty), so "
    "time_source is entry.updated for those items.",
    "An impossible date (32 Sep, 30 Feb) is no date: the next candidate is used.",
    "A date more than a day after fetched_at (the 2099 item) is flagged implausible_future.",
]


def day_of(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).date().isoformat()


def resolve(items: list[Item]) -> tuple[dict, dict]:
    """Group ``items`` by identity and pick each group's winner; check the groups are the intended ones."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[identity(item)].append(item)
    winners = {}
    tag_groups = defaultdict(set)
    for key, members in groups.items():
        for member in members:
            if member.dup_tag:
                tag_groups[member.dup_tag].add(key)
        if len(members) > 1:
            tags = {m.dup_tag for m in members}
            if len(tags) != 1 or None in tags:
                raise AssertionError(f"unintended duplicates {key}: {[m.file for m in members]}")
            ranked = sorted(members, key=lambda m: m.effective_updated)
            if ranked[-1].effective_updated == ranked[-2].effective_updated:
                raise AssertionError(f"tie between copies of {key}")
            winners[key] = ranked[-1]
        else:
            if members[0].dup_tag:
                raise AssertionError(f"intended duplicate {members[0].dup_tag} has one copy: {key}")
            winners[key] = members[0]
    for tag, keys in tag_groups.items():
        if len(keys) != 1:
            raise AssertionError(f"duplicate group {tag} split over {keys}")
    return groups, winners


def entity_counts(articles: list[Item]) -> dict:
    result = {}
    for name, variants in ENTITY_VARIANTS.items():
        per_variant = {}
        hits = set()
        for variant in variants:
            pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)")
            found = [i for i, a in enumerate(articles) if pattern.search(a.title + "\n" + a.text)]
            if found:
                per_variant[variant] = len(found)
                hits.update(found)
        result[name] = {"articles": len(hits), "by_variant": per_variant}
    return result


def article_record(key: tuple[str, str], winner: Item, copies: list[Item]) -> dict:
    return {
        "key_type": key[0], "key": key[1], "source": winner.source, "file": winner.file, "line": winner.line,
        "copies": [c.file + (f"#L{c.line}" if c.line else "") for c in copies] if len(copies) > 1 else None,
        "url_as_written": winner.url, "guid": winner.guid, "title": winner.title, "language": winner.language,
        "authors": winner.authors, "published_at": iso(winner.published_at),
        "offset_minutes": winner.offset_minutes, "date": day_of(winner.published_at) if winner.published_at
        and "implausible_future" not in winner.flags else None,
        "time_source": winner.time_source,
        "raw_published": pub_text(winner) if winner.pub or winner.pub_literal else None,
        "date_style": STYLE_NAMES.get(winner.pub_style) if winner.pub_style else None,
        "updated_at": iso(winner.upd), "flags": winner.flags, "judgment": winner.judgment,
    }


def expectations(files: list[SampleFile]) -> dict:
    core = [it for f in files if not f.broken for it in f.items]
    for item in core:  # zone-less times stay on their UTC day whatever zone a reader assumes (UTC-4..UTC+4)
        if item.pub_style in NAIVE_STYLES and item.pub_style != "date_only":
            local = item.pub.replace(tzinfo=None)
            assert 4 <= local.hour < 20, (item.title, local)
    groups, winners = resolve(core)
    articles = sorted(winners.items(), key=lambda kv: (kv[1].published_at or kv[1].sort_at, kv[0]))
    dated = [w for w in winners.values() if w.published_at and "implausible_future" not in w.flags]
    per_day = Counter(day_of(w.published_at) for w in dated)
    per_day_all_items = Counter(day_of(it.published_at) for it in core
                                if it.published_at and "implausible_future" not in it.flags)
    duplicates = []
    for key, members in groups.items():
        if len(members) > 1:
            win = winners[key]
            duplicates.append({
                "group": win.dup_tag, "key_type": key[0], "key": key[1],
                "copies": [{"file": m.file + (f"#L{m.line}" if m.line else ""), "url_as_written": m.url,
                            "guid": m.guid, "title": m.title, "published_at": iso(m.published_at),
                            "effective_updated": iso(m.effective_updated), "winner": m is win}
                           for m in sorted(members, key=lambda m: m.effective_updated)],
                "winner_date": day_of(win.published_at),
                "older_copy_dates": sorted({day_of(m.published_at) for m in members if m is not win}),
            })
    duplicates.sort(key=lambda g: g["group"])
    special = {}
    for key, item in winners.items():
        if item.special:
            special.setdefault(item.special, []).append(article_record(key, item, groups[key]))
    seed = next(w for w in winners.values() if w.special == "seed")
    fallback = [w for w in winners.values() if w.published_at is None]
    future = [w for w in winners.values() if "implausible_future" in w.flags]

    broken_files = [f for f in files if f.broken and f.items]
    broken_extra = {}
    for f in broken_files:
        recovered, undated = list(f.items), []
        if f.path == TRUNCATED_FILE:
            ordered = newest_first(f.items)
            recovered = [it for i, it in enumerate(ordered) if i not in TRUNCATED_LOST]
            undated = [it for i, it in enumerate(ordered) if i in TRUNCATED_UNDATED]
        broken_extra[f.path] = {
            "items_written": len(f.items), "items_feedparser_recovers": BROKEN_MEASURED[f.path]["entries"],
            "bozo": BROKEN_MEASURED[f.path]["bozo"], "approximate": True,
            "per_day": dict(sorted(Counter(day_of(i.published_at) for i in recovered if i not in undated).items())),
            "recovered_without_date": [i.title for i in undated],
            "titles": [i.title for i in recovered],
            "judgment": sorted({j for i in f.items for j in i.judgment}) or None,
        }
    approx_extra = sum(v["items_feedparser_recovers"] for v in broken_extra.values())

    file_table = {}
    for f in files:
        entry = {"format": f.kind, "bytes": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest(),
                 "broken": f.broken, "items": len(f.items)}
        if f.feedparser_version:
            entry["feedparser_version"] = f.feedparser_version
            entry["feedparser_bozo"] = BROKEN_MEASURED.get(f.path, {"bozo": False})["bozo"]
        if f.path == JSONL_FILE:
            entry.update({"lines": len(f.items) + 1, "valid_json_lines": len(f.items),
                          "invalid_json_lines": [JSONL_INVALID_LINE],
                          "lines_without_url": [i.line for i in f.items if i.url is None]})
        if f.path in BROKEN_MEASURED:
            entry["items_feedparser_recovers"] = BROKEN_MEASURED[f.path]["entries"]
        times = [i.published_at for i in f.items if i.published_at and "implausible_future" not in i.flags]
        if times:
            entry["dates_utc"] = [day_of(min(times)), day_of(max(times))]
        entry["sources"] = sorted({SOURCES[i.source]["domain"] for i in f.items})
        entry["mess"] = f.mess
        file_table[f.path] = entry

    urls = {k for k in winners if k[0] == "canonical_url"}
    dead_letter = [
        {"file": "broken/empty.xml", "stage": "parse", "suggested_error_type": "empty_input",
         "why": "zero bytes", "certain": True},
        {"file": "broken/random.bin", "stage": "parse", "suggested_error_type": "unknown_format",
         "why": "random bytes: no XML, HTML, JSON or gzip signature", "certain": True},
        {"file": "broken/pixel.png", "stage": "parse", "suggested_error_type": "unsupported_format",
         "why": "a PNG image", "certain": True},
        {"file": "broken/hopeless.xml", "stage": "parse", "suggested_error_type": "malformed_xml",
         "why": "cut off inside the channel header; feedparser recovers 0 entries (bozo)", "certain": True},
        {"file": JSONL_FILE, "line": JSONL_INVALID_LINE, "stage": "parse", "suggested_error_type": "invalid_json",
         "why": "the line is cut off inside a string", "certain": True},
        {"file": "broken/not-found.html", "stage": "parse", "suggested_error_type": "not_an_article",
         "why": "a 404 page with no article text; a pipeline may also just skip it", "certain": False},
        {"file": TRUNCATED_FILE, "stage": "parse", "suggested_error_type": "malformed_xml",
         "why": f"bozo; feedparser's loose parser still recovers {TRUNCATED_RECOVERED} of 8 items, which should be "
                "kept; whether an error row is also written for the file is the pipeline's choice",
         "certain": False},
        {"file": CP1251_FILE, "stage": "parse", "suggested_error_type": "encoding_mismatch",
         "why": "declared UTF-8, bytes are windows-1251; items are recovered (garbled unless re-decoded)",
         "certain": False},
    ]
    return {
        "schema": "newsbeam-sample-expected/1",
        "generator": "examples/make_sample.py", "generator_seed": SEED,
        "rules": {"dedup": DEDUP_RULE, "time": TIME_RULES,
                  "partition": "date = UTC day of published_at; fetched_at day when no usable date."},
        "totals": {
            "input_files": len(files),
            "input_files_valid": sum(not f.broken for f in files),
            "input_files_broken": sum(f.broken for f in files),
            "items_in_valid_inputs": len(core),
            "items_by_kind": {"feed_entries": sum(len(f.items) for f in files if f.feedparser_version and not f.broken),
                              "jsonl_records": sum(len(f.items) for f in files if f.path == JSONL_FILE),
                              "html_pages": sum(len(f.items) for f in files if f.path.startswith("pages/"))},
            "duplicate_groups": len(duplicates),
            "duplicate_copies_dropped": len(core) - len(winners),
            "distinct_articles": len(winners),
            "distinct_canonical_urls": len(urls),
            "articles_identified_by_guid": sum(k[0] == "guid" for k in winners),
            "articles_identified_by_content": sum(k[0] == "content" for k in winners),
            "articles_with_firm_date": len(dated),
            "articles_fetched_at_fallback": len(fallback),
            "articles_implausible_future": len(future),
            "articles_by_domain": dict(sorted(Counter(
                urlsplit(k[1]).netloc if k[0] == "canonical_url" else SOURCES[w.source]["domain"]
                for k, w in winners.items()).items())),
            "articles_by_language": dict(sorted(Counter(w.language for w in winners.values()).items())),
            "approximate_items_from_broken_feeds": approx_extra,
            "approximate_articles_including_broken_feeds": len(winners) + approx_extra,
            "dead_letter_certain": sum(d["certain"] for d in dead_letter),
        },
        "files": file_table,
        "per_day_distinct_articles": dict(sorted(per_day.items())),
        "per_day_note": ("distinct articles (after dedup) with a firm date, by UTC day of published_at; the "
                         f"{len(fallback)} fetched_at-fallback article(s), the {len(future)} implausible-future "
                         "article(s) and the items of broken/ inputs (see broken_feeds) are not included."),
        "per_day_items_before_dedup": dict(sorted(per_day_all_items.items())),
        "seed": {"file": seed.file, "title": seed.title, "url_as_written": seed.url,
                 "canonical_url": canonical_url(seed.url), "dateline": SEED_DATELINE.strip(),
                 "published_at": iso(seed.published_at), "offset_minutes": seed.offset_minutes,
                 "time_source": seed.time_source, "date": day_of(seed.published_at)},
        "fetched_at_fallback": [{"file": w.file, "title": w.title, "url_as_written": w.url,
                                 "raw_published": pub_text(w) if w.pub_literal else None, "flags": w.flags,
                                 "date": "UTC day of the input's fetched_at (file mtime for local files)"}
                                for w in fallback],
        "implausible_future": [{"file": w.file, "title": w.title, "raw_published": pub_text(w),
                                "published_at_as_written": iso(w.published_at), "flags": w.flags,
                                "judgment": w.judgment} for w in future],
        "duplicates": duplicates,
        "near_duplicates": [{"files": sorted(w.file for w in winners.values() if w.special == "near_duplicate"),
                             "urls": sorted(canonical_url(w.url) for w in winners.values()
                                            if w.special == "near_duplicate"),
                             "note": "same body text under two URLs: two distinct articles; a near-duplicate "
                                     "flag (content hash / simhash) may link them"}],
        "dead_letter": dead_letter,
        "broken_feeds": broken_extra,
        "special_cases": special,
        "entities": {"note": "distinct articles whose title or text contains a spelling variant (whole word, "
                             "case-sensitive). Approximate: inflected forms (Bakıda, Карабахе, Москвы) are only "
                             "found by a matcher that handles them.",
                     "counts": entity_counts([w for w in winners.values()])},
        "judgment_calls": sorted({f"{w.file}: {w.title}: {j}" for w in winners.values() for j in w.judgment
                                  if "canonical" not in j}),
        "articles": [article_record(key, item, groups[key]) for key, item in articles],
    }



# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------

def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def readme(files: list[SampleFile], exp: dict) -> str:
    t = exp["totals"]
    lines = [
        "# The bundled sample",
        "",
        "What `./run_local.sh` ingests and what the end-to-end tests check. Every file here is written by",
        "`examples/make_sample.py` (standard library only, seeded): edit the generator, not the files, then run",
        "`python examples/make_sample.py` (add `--verify` to parse the feeds with feedparser and check them).",
        "The numbers below and in `expected.json` are computed by the generator from its own model of each item.",
        "",
        "All outlets (`*.example` domains), people, quotes and figures are invented for this sample, with one",
        "exception: the item \"Ombudswoman meets UN human rights adviser for the South Caucasus\" reuses the",
        "project's seed article (`shared/seed-article.txt`), with its dateline as the first line of the body.",
        "",
        "## Files",
        "",
        "| file | format | source | items | dates (UTC) | mess |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for f in files:
        entry = exp["files"][f.path]
        items = str(len(f.items))
        if f.path == JSONL_FILE:
            items = f"{len(f.items)} ({len(f.items) + 1} lines)"
        if f.path in BROKEN_MEASURED:
            items = f"{len(f.items)} written, ~{BROKEN_MEASURED[f.path]['entries']} recovered"
        dates = " .. ".join(entry["dates_utc"]) if entry.get("dates_utc") else ""
        lines.append(f"| `{f.path}` | {md_escape(f.kind)} | {', '.join(entry['sources'])} | "
                     f"{items} | {dates} | {md_escape('; '.join(f.mess))} |")
    lines += [
        "",
        "## Expected outcomes",
        "",
        "Rules the numbers assume:",
        "",
        f"- Dedup: {DEDUP_RULE}",
    ]
    lines += [f"- Time: {rule}" for rule in TIME_RULES]
    lines += [
        "- Partition: `date` is the UTC day of `published_at`; the fetched day when there is no usable date.",
        "",
        "| total | value |",
        "| --- | ---: |",
    ]
    for key in ("input_files", "input_files_valid", "input_files_broken", "items_in_valid_inputs",
                "duplicate_groups", "duplicate_copies_dropped", "distinct_articles", "distinct_canonical_urls",
                "articles_identified_by_guid", "articles_identified_by_content", "articles_with_firm_date",
                "articles_fetched_at_fallback", "articles_implausible_future", "dead_letter_certain",
                "approximate_items_from_broken_feeds", "approximate_articles_including_broken_feeds"):
        lines.append(f"| {key.replace('_', ' ')} | {t[key]} |")
    kinds = t["items_by_kind"]
    lines += [
        "",
        f"Items in valid inputs: {kinds['feed_entries']} feed entries + {kinds['jsonl_records']} JSONL records + "
        f"{kinds['html_pages']} HTML pages. By domain (distinct articles): "
        + ", ".join(f"{k} {v}" for k, v in t["articles_by_domain"].items()) + ". By language: "
        + ", ".join(f"{k} {v}" for k, v in t["articles_by_language"].items()) + ".",
        "",
        "Distinct articles per UTC day: " + exp["per_day_note"],
        "",
        "| day | articles | items before dedup |",
        "| --- | ---: | ---: |",
    ]
    for day, count in exp["per_day_distinct_articles"].items():
        lines.append(f"| {day} | {count} | {exp['per_day_items_before_dedup'].get(day, 0)} |")
    lines.append(f"| total | {sum(exp['per_day_distinct_articles'].values())} | "
                 f"{sum(exp['per_day_items_before_dedup'].values())} |")
    seed = exp["seed"]
    lines += [
        "",
        "### Time special cases",
        "",
        f"- Seed item (`{seed['file']}`): no pubDate; the dateline `{seed['dateline']}` gives "
        f"`{seed['published_at']}`, offset {seed['offset_minutes']} minutes, time_source `{seed['time_source']}`.",
    ]
    for w in exp["fetched_at_fallback"]:
        raw = f"`{w['raw_published']}`" if w["raw_published"] else "no date at all"
        lines.append(f"- `{w['file']}`, \"{w['title']}\": {raw}: published_at = fetched_at, flagged fallback; "
                     "its partition is the day of the input's fetched_at (file mtime), so tests must compute it.")
    for w in exp["implausible_future"]:
        lines.append(f"- `{w['file']}`, \"{w['title']}\": `{w['raw_published']}`: flagged implausible_future "
                     "(judgment: kept as 2099-09-25 or replaced by fetched_at).")
    for name in ("invalid_published_valid_updated",):
        for rec in exp["special_cases"].get(name, []):
            lines.append(f"- `{rec['file']}`, \"{rec['title']}\": published `{rec['raw_published']}` is impossible, "
                         f"so updated gives `{rec['published_at']}` (offset {rec['offset_minutes']}).")
    lines.append("- Day-boundary cases: `Fri, 22 Sep 2023 02:30:00 +0400` is 2023-09-21 UTC; "
                 "`Thu, 21 Sep 2023 21:30:00 EST` and `Mon, 25 Sep 2023 20:15:00 -0500` fall on the next UTC day; "
                 "`Sun, 24 Sep 2023 01:30:00 +0300` is 2023-09-23 UTC.")
    lines += [
        "",
        "Date forms used (items per form): "
        + ", ".join(f"{name} {count}" for name, count in sorted(
            Counter(STYLE_NAMES[i.pub_style] for f in files for i in f.items if i.pub_style).items())) + ".",
        "",
        "### Duplicates (latest effective updated wins)",
        "",
        "| group | key | copies (older → newer) | winner's date |",
        "| --- | --- | --- | --- |",
    ]
    for g in exp["duplicates"]:
        copies = " → ".join(f"`{c['file']}` ({c['effective_updated']})" for c in g["copies"])
        moved = ""
        if g["older_copy_dates"] != [g["winner_date"]]:
            moved = f" (older copy: {', '.join(g['older_copy_dates'])})"
        lines.append(f"| {g['group']} | {g['key_type']}: `{g['key']}` | {copies} | {g['winner_date']}{moved} |")
    nd = exp["near_duplicates"][0]
    lines += [
        "",
        f"Near-duplicate (not merged): {', '.join(f'`{u}`' for u in nd['urls'])}: {nd['note']}.",
        "",
        "### Dead letter",
        "",
        "| input | suggested error_type | why | certain |",
        "| --- | --- | --- | --- |",
    ]
    for dl in exp["dead_letter"]:
        where = f"`{dl['file']}`" + (f" line {dl['line']}" if dl.get("line") else "")
        lines.append(f"| {where} | {dl['suggested_error_type']} | {md_escape(dl['why'])} | "
                     f"{'yes' if dl['certain'] else 'judgment'} |")
    lines += [
        "",
        "### Broken feeds that still yield items (approximate)",
        "",
        "| file | written | feedparser recovers | bozo | note |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for path, b in exp["broken_feeds"].items():
        note = "; ".join(b["judgment"] or []) or "loose parser; the last item is cut off"
        lines.append(f"| `{path}` | {b['items_written']} | {b['items_feedparser_recovers']} | {b['bozo']} | "
                     f"{md_escape(note)} |")
    lines += [
        "",
        "### Entities",
        "",
        "Outlets spell the same places differently (Caspian Courier: Garabagh; Steppe Wire and Tbilisi Observer: "
        "Karabakh; Baku Ledger: Qarabag in English, Qarabağ in Azerbaijani; Volga Dispatch: Nagorno-Karabakh in "
        "English, Карабах in Russian). Distinct articles mentioning a variant (approximate):",
        "",
        "| entity | articles | variants found (articles) |",
        "| --- | ---: | --- |",
    ]
    for name, c in exp["entities"]["counts"].items():
        variants = ", ".join(f"{v} ({n})" for v, n in c["by_variant"].items())
        lines.append(f"| {name} | {c['articles']} | {variants} |")
    lines += [
        "",
        "### Judgment calls",
        "",
        "Expectations that depend on a choice the pipeline makes; tests should pin them only once the choice",
        "is made (each article's `judgment` list in `expected.json` says which):",
        "",
        "- Zone-less dates read as UTC ("
        + str(sum(1 for a in exp["articles"] if any("read as UTC" in j for j in a["judgment"])))
        + " articles, of which " + str(sum(1 for a in exp["articles"] if a["date_style"] == STYLE_NAMES["date_only"]))
        + " date-only; see the time rules above).",
        "- Pages: the article URL is the page's `<link rel=\"canonical\">`; a page's body is its story text only "
        "(navigation, cookie banner, ads, sidebar, comments and footer dropped).",
        "- The JSONL line without `url` is kept, identified by a content hash.",
        "- The 2099 item: flagged; kept as 2099-09-25 or replaced by fetched_at.",
        "- Broken feeds: how many items a tolerant parser recovers, and whether text in a mislabeled encoding is "
        "repaired.",
        "",
        "`expected.json` has all of the above plus one record per distinct article (`articles`: key, winning",
        "file, title, published_at, offset, date, time_source, flags) and per file the byte size and sha256.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Verification with feedparser (optional; needs the project venv)
# --------------------------------------------------------------------------------------------

def verify(files: list[SampleFile]) -> list[str]:
    import calendar

    import feedparser  # noqa: PLC0415 - optional dependency of --verify only

    problems, notes = [], []
    for f in files:
        data = gzip.decompress(f.data) if f.path.endswith(".gz") else f.data
        if f.feedparser_version:
            parsed = feedparser.parse(data)
            measured = BROKEN_MEASURED.get(f.path)
            if measured:
                if bool(parsed.bozo) != measured["bozo"] or len(parsed.entries) != measured["entries"]:
                    problems.append(f"{f.path}: bozo={parsed.bozo} entries={len(parsed.entries)}, expected {measured}")
                if f.path == TRUNCATED_FILE:
                    ordered = newest_first(f.items)
                    got = [(e.get("title"), e.get("published") is None) for e in parsed.entries]
                    want = [(it.title, i in TRUNCATED_UNDATED)
                            for i, it in enumerate(ordered) if i not in TRUNCATED_LOST]
                    if got != want:
                        problems.append(f"{f.path}: recovered {got} != {want}")
                if f.path in (LATIN1_FILE, CP1251_FILE):
                    titles = [e.get("title") for e in parsed.entries]
                    notes.append(f"{f.path}: feedparser titles {titles[:1]} (encoding {parsed.get('encoding')})")
                continue
            if parsed.bozo:
                problems.append(f"{f.path}: bozo {parsed.get('bozo_exception')!r}")
            if parsed.version != f.feedparser_version:
                problems.append(f"{f.path}: version {parsed.version} != {f.feedparser_version}")
            if len(parsed.entries) != len(f.items):
                problems.append(f"{f.path}: {len(parsed.entries)} entries != {len(f.items)}")
            for entry, item in zip(parsed.entries, newest_first(f.items)):
                title = html.unescape(entry.get("title", ""))
                if title != item.title:
                    problems.append(f"{f.path}: title {title!r} != {item.title!r}")
                if entry.get("link") != item.url:
                    if item.url is None and entry.get("link") == item.guid:
                        notes.append(f"feedparser copies the id {item.guid!r} of a link-less Atom entry into "
                                     "entry.link: not an http(s) URL, so the identity falls back to the GUID")
                    else:
                        problems.append(f"{f.path}: link {entry.get('link')!r} != {item.url!r}")
                field = "updated" if item.time_source == "entry.updated" else "published"
                raw_pub, parsed_time = entry.get(field), entry.get(f"{field}_parsed")
                if item.pub_literal:
                    if entry.get("published_parsed") is not None:
                        rolled = dt.datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
                        notes.append(f"feedparser reads the impossible {item.pub_literal!r} as {iso(rolled)}; "
                                     "the sample means: no date (use the next candidate)")
                    continue
                if item.pub is None:
                    if raw_pub is not None and item.time_source == "entry.published":
                        problems.append(f"{f.path}: {item.title!r} should have no date, got {raw_pub!r}")
                    continue
                if str(pub_text(item)) != raw_pub:
                    problems.append(f"{f.path}: raw date {raw_pub!r} != {pub_text(item)!r}")
                want = item.pub.replace(microsecond=0)
                got = dt.datetime.fromtimestamp(calendar.timegm(parsed_time), UTC) if parsed_time else None
                if got != want:
                    notes.append(f"feedparser reads {raw_pub!r} as {iso(got)}; the sample means {iso(want)}")
                if item.upd is not None:
                    if entry.get("updated") != upd_text(item):
                        problems.append(f"{f.path}: updated {entry.get('updated')!r} != {upd_text(item)!r}")
            if "guid" in " ".join(f.mess):
                for entry, item in zip(parsed.entries, newest_first(f.items)):
                    if item.guid and entry.get("id") != item.guid:
                        problems.append(f"{f.path}: id {entry.get('id')!r} != {item.guid!r}")
        elif f.path == JSONL_FILE:
            good = 0
            for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    if number != JSONL_INVALID_LINE:
                        problems.append(f"{f.path}: line {number} is not JSON")
                    continue
                good += 1
                item = next(i for i in f.items if i.line == number)
                if record.get("url") != item.url or record.get("published") != pub_text(item):
                    problems.append(f"{f.path}: line {number} does not match its item")
            if good != len(f.items):
                problems.append(f"{f.path}: {good} JSON lines != {len(f.items)}")
        elif f.path.startswith("pages/"):
            from bs4 import BeautifulSoup  # noqa: PLC0415

            soup = BeautifulSoup(data, "lxml")
            item = f.items[0]
            words = len(" ".join(item.paragraphs).split())
            checks = {
                "canonical": soup.find("link", rel="canonical")["href"] == item.url,
                "published meta": soup.find("meta", property="article:published_time")["content"] == pub_text(item),
                "json-ld": json.loads(soup.find("script", type="application/ld+json").string)["datePublished"]
                == pub_text(item),
                "300+ words": words >= 300,
            }
            for name, ok in checks.items():
                if not ok:
                    problems.append(f"{f.path}: {name} check failed ({words} words)")
    for note in sorted(set(notes)):
        print("note:", note)
    return problems


# --------------------------------------------------------------------------------------------

MANAGED_DIRS = ("feeds", "pages", "broken")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="parse the written feeds with feedparser")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    files = build()
    exp = expectations(files)
    written = set()
    for f in files:
        path = args.out / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.data)
        written.add(path)
    for directory in MANAGED_DIRS:  # drop files of ours that the current plan no longer writes
        for path in (args.out / directory).rglob("*"):
            if path.is_file() and path not in written:
                path.unlink()
    (args.out / "expected.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (args.out / "README.md").write_text(readme(files, exp), encoding="utf-8")

    total_bytes = sum(len(f.data) for f in files)
    t = exp["totals"]
    print(f"wrote {len(files)} input files ({total_bytes:,} bytes) + expected.json + README.md to {args.out}")
    for key in ("items_in_valid_inputs", "duplicate_copies_dropped", "distinct_articles", "distinct_canonical_urls",
                "articles_with_firm_date", "articles_fetched_at_fallback", "articles_implausible_future",
                "approximate_items_from_broken_feeds"):
        print(f"  {key}: {t[key]}")
    print("  per day:", ", ".join(f"{k[5:]}={v}" for k, v in exp["per_day_distinct_articles"].items()))
    if total_bytes > 2_000_000:
        print("sample is larger than 2 MB", file=sys.stderr)
        return 1
    if args.verify:
        problems = verify(files)
        for problem in problems:
            print("PROBLEM:", problem, file=sys.stderr)
        print("verify:", "ok" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

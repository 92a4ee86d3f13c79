"""Encodings: lying declarations, mixed and broken bytes, BOMs, UTF-16/32, NULs, lone surrogates.

Every document carries the same multilingual title; the test is that it comes out exactly right, with the
repair recorded in ``quality_flags``, or that the document is an error record. Mojibake never passes.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections.abc import Callable

import pytest

from benchmarks.corpora import corpora_dir
from tests.hostile.support import assert_writable, ingest, raw_document, read_dataset, run_chain
from transforms.encoding import choose_encoding
from transforms.page_metadata import read_page_metadata

TITLE = "Qarabağ: “Şəki” və Gəncə — Москва, Zürich"
STORY = "Ferries from Baku to Aktau run again after the storm, şəhər mərkəzi, Москва сегодня, café. "
RUSSIAN_TITLE = "Новости Москвы"
RUSSIAN = "Москва сегодня объявила о новых паромах в Каспийском море, сообщает агентство. "
FRENCH_TITLE = "Café “Zürich” à Montréal — été"
FRENCH = "Le café du port ouvre à nouveau après la tempête, a déclaré la mairie lundi. "
MOJIBAKE_MARKERS = ("Ã", "â€", "Ð", "Ñ", "Å", "Ä\x9f", "\ufffd")
REPAIRED_TO_UTF8 = "encoding_repaired:{declared}->utf-8"
MIXED = "encoding_repaired:{declared}->utf-8+windows-1252"
CORPUS = corpora_dir() / "feedparser-tests"


def rss(title: str, text: str, declaration: str | None = "utf-8", slug: str = "story") -> str:
    encoding = f' encoding="{declaration}"' if declaration else ""
    return (f'<?xml version="1.0"{encoding}?><rss version="2.0"><channel><title>Courier</title><item>'
            f"<title>{title}</title><link>https://courier.example/{slug}</link><description>{text * 3}</description>"
            "</item></channel></rss>")


def page(title: str, text: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    # Pages without a URL are identified by their text: the edition line keeps the cases apart.
    return (f'<!DOCTYPE html><html lang="az"><head>{meta}<title>{title}</title></head><body><article>'
            f"<h2>Edition {charset or 'undeclared'}</h2><p>{text * 20}</p></article></body></html>")


def replace_once(body: bytes, old: bytes, new: bytes) -> bytes:
    assert old in body
    return body.replace(old, new, 1)


@dataclasses.dataclass(frozen=True)
class Case:
    """One encoding case: the file, what its title must read, the flag its repair leaves, a text fragment."""

    file_name: str
    body: bytes
    title: str
    flag: str | None  # prefix of the expected quality flag; None: no encoding repair may be recorded
    fragment: str


def feed_case(file_name: str, declaration: str | None, encode: Callable[[str], bytes], flag: str | None,
              title: str = TITLE, text: str = STORY, fragment: str = "şəhər mərkəzi") -> Case:
    body = encode(rss(title, text, declaration, file_name.split(".")[0]))
    return Case(file_name, body, title, flag, fragment)


def cases() -> dict[str, Case]:
    """Every case, by name (built on demand: some are a few hundred KB)."""
    utf8 = str.encode
    russian = {"title": RUSSIAN_TITLE, "text": RUSSIAN, "fragment": "Каспийском море"}
    return {
        "utf8_declared_latin1_in_xml": feed_case("declared-latin1.xml", "iso-8859-1", utf8,
                                                 REPAIRED_TO_UTF8.format(declared="iso8859-1")),
        "windows1251_declared_utf8": feed_case("declared-utf8.xml", "utf-8", lambda text: text.encode("cp1251"),
                                               "encoding_repaired:utf-8->cp1251", **russian),
        "windows1251_undeclared": feed_case("undeclared.xml", None, lambda text: text.encode("cp1251"),
                                            "encoding_repaired:undeclared->cp1251", **russian),
        "utf8_with_windows1252_quotes_mixed_in": feed_case(
            "mixed.xml", "utf-8", lambda text: replace_once(text.encode(), b"Ferries", b"\x93Ferries\x94"),
            MIXED.format(declared="utf-8"), fragment="“Ferries” from Baku"),
        "utf8_with_invalid_bytes": feed_case(
            "invalid-bytes.xml", "utf-8", lambda text: replace_once(text.encode(), b"storm", b"st\xff\xfeorm"),
            MIXED.format(declared="utf-8")),
        "utf8_bom": feed_case("bom-utf8.xml", "utf-8", lambda text: b"\xef\xbb\xbf" + text.encode(), None),
        "utf16_le_bom": feed_case("bom-utf16le.xml", "utf-16", lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
                                  None),
        "utf16_be_bom": feed_case("bom-utf16be.xml", "utf-16", lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
                                  None),
        "utf16_without_bom": feed_case("utf16.xml", "utf-16", lambda text: text.encode("utf-16-le"), None),
        "utf32_bom": feed_case("bom-utf32.xml", "utf-32", lambda text: text.encode("utf-32"), None),
        "utf32_without_bom": feed_case("utf32.xml", "utf-32", lambda text: text.encode("utf-32-be"), None),
        "nul_bytes_in_a_feed": feed_case(
            "nul.xml", "utf-8", lambda text: replace_once(replace_once(text.encode(), b"<channel>", b"<channel>\x00"),
                                                          b"storm", b"st\x00orm"),
            "nul_bytes_removed", fragment="after the storm"),
        "html_page_declaring_latin1": Case("page-latin1.html", page(TITLE, STORY, "iso-8859-1").encode(), TITLE,
                                           REPAIRED_TO_UTF8.format(declared="iso8859-1"), "şəhər mərkəzi"),
        "html_page_in_windows1251_declaring_utf8": Case(
            "page-cp1251.html", page(RUSSIAN_TITLE, RUSSIAN, "utf-8").encode("cp1251"), RUSSIAN_TITLE,
            "encoding_repaired:utf-8->cp1251", "Каспийском море"),
        "html_page_in_utf16": Case("page-utf16.html", page(TITLE, STORY, None).encode("utf-16"), TITLE, None,
                                   "şəhər mərkəzi"),
        "json_lines_with_lone_surrogates": Case(
            "surrogates.jsonl", json.dumps({"url": "https://courier.example/json", "title": TITLE + "\ud800",
                                            "html": f"<p>{STORY}\udfff</p>"}).encode(),
            TITLE + "\ufffd", None, "şəhər"),
        "html_page_with_lone_surrogates_in_json_ld": Case(  # escaped: valid JSON, but no UTF-8 (Beam's coder failed)
            "page-json-ld.html", page(TITLE, STORY, "utf-8").replace("</head>", '<script type="application/ld+json">'
                                 + json.dumps({"@type": "NewsArticle", "headline": TITLE + "\ud800",
                                               "author": {"name": "\udfff"}}) + "</script></head>").encode(),
            TITLE + "\ufffd", None, "şəhər mərkəzi"),
        "json_lines_in_windows1252": Case(
            "latin.jsonl", json.dumps({"url": "https://courier.example/fr", "title": FRENCH_TITLE,
                                       "html": f"<p>{FRENCH * 3}</p>"}, ensure_ascii=False).encode("cp1252"),
            FRENCH_TITLE, "encoding_repaired:utf-8->", "à nouveau après la tempête"),
        "json_feed_in_utf16_with_nul": Case(
            "feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
                {"url": "https://courier.example/jf", "title": TITLE, "content_text": STORY}]},
                ensure_ascii=False).replace("Ferries", "Ferries\x00").encode("utf-16"),
            TITLE, "nul_bytes_removed", "şəhər"),
    }


def article_text(article: dict) -> str:
    return " ".join(article.get(field) or "" for field in ("title", "summary_text", "body_text"))


@pytest.mark.parametrize("name", sorted(cases()))
def test_text_is_decoded_right_and_the_repair_recorded(name: str) -> None:
    case = cases()[name]
    records = run_chain(raw_document(case.body, uri=f"/in/{case.file_name}"))
    assert_writable(records)
    articles = [record for record in records if record["kind"] == "article"]
    assert [article["title"] for article in articles] == [case.title], records
    article = articles[0]
    assert case.fragment in article_text(article)
    if case.flag is None:
        assert not [item for item in article["quality_flags"] if item.startswith("encoding_repaired")]
    else:
        assert any(item.startswith(case.flag) for item in article["quality_flags"]), article["quality_flags"]
    if "surrogate" not in name and "invalid" not in name:
        assert not any(marker in article_text(article) for marker in MOJIBAKE_MARKERS)


def test_bytes_that_name_no_character_become_replacement_characters_not_a_crash() -> None:
    body = rss("A &#2000000; B &#xD800; C", STORY).encode()
    records = run_chain(raw_document(body))
    assert [record["title"] for record in records if record["kind"] == "article"] == ["A \ufffd B \ufffd C"]


def test_lone_surrogates_escaped_in_json_ld_become_replacement_characters() -> None:
    # json and chompjs both turn "\\ud800" into a lone surrogate; anywhere in an article it made Beam's coder fail
    blocks = ['{"@type": "NewsArticle", "headline": "Ferries \\ud800", "author": {"name": "\\uDFFF"}}',
              "{'@type': 'NewsArticle', 'headline': 'Ferries \\ud800', 'author': 'Leyla \\ud83d\\ude00',}"]
    for block in blocks:
        html = f'<html><head><script type="application/ld+json">{block}</script></head><body></body></html>'
        metadata = read_page_metadata(html, None)
        assert metadata.title == "Ferries \ufffd"
        assert metadata.authors in (("\ufffd",), ("Leyla \U0001f600",))  # an escaped pair is one character


def test_undecodable_file_names_and_messages_still_write(tmp_path: pathlib.Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "caf\xe9.xml".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(
        rss(TITLE, STORY, slug="latin-name").encode())
    (inputs / "broken\udcff.jsonl").write_bytes(b"{not json\n")
    output = tmp_path / "out"

    assert ingest([inputs], output) == 0

    (article,) = read_dataset(output, "articles")
    (error,) = read_dataset(output, "errors")
    assert article["title"] == TITLE and article["uri"].endswith("caf\ufffd.xml")
    assert error["error_type"] == "invalid_json" and "broken\ufffd.jsonl" in error["uri"]


def test_encoding_cases_end_to_end_keep_exact_text(tmp_path: pathlib.Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    expected = {}
    for case in cases().values():
        (inputs / case.file_name).write_bytes(case.body)
        expected[case.file_name] = (case.title, case.flag)
    output = tmp_path / "out"

    assert ingest([inputs], output) == 0

    rows = {pathlib.Path(row["uri"].split("#")[0]).name: row for row in read_dataset(output, "articles")}
    assert {name: row["title"] for name, row in rows.items()} == {name: title for name, (title, _) in expected.items()}
    for name, (_, flag) in expected.items():
        flags = list(rows[name]["quality_flags"])
        assert flag is None or any(item.startswith(flag) for item in flags), (name, flags)
    assert read_dataset(output, "errors") == []


def test_mixed_document_choice_needs_more_good_utf8_than_bad_bytes() -> None:
    mostly_utf8 = ("şəhər " * 5).encode() + b"\x93quoted\x94"
    mostly_latin = "Zürich über alles, café crème ".encode("latin-1") + "ş".encode()
    assert choose_encoding(mostly_utf8).flag == MIXED.format(declared="undeclared")
    assert choose_encoding(mostly_latin).encoding != "utf-8"


@pytest.mark.skipif(not (CORPUS / "encoding").is_dir(), reason=f"corpus absent: {CORPUS / 'encoding'}")
def test_feedparser_encoding_corpus_never_crashes_and_always_writes() -> None:
    """feedparser's own 219 encoding cases (UTF-16/32, EBCDIC, legacy charsets, lying headers)."""
    files = sorted((CORPUS / "encoding").glob("*.xml"))
    assert len(files) > 200
    for path in files:
        records = run_chain(raw_document(path.read_bytes(), uri=str(path)))
        assert records, path
        assert_writable(records)


@pytest.mark.skipif(not (CORPUS / "illformed").is_dir(), reason=f"corpus absent: {CORPUS / 'illformed'}")
def test_feedparser_illformed_corpus_never_crashes_and_always_writes() -> None:
    files = sorted((CORPUS / "illformed").rglob("*.xml"))
    assert files
    for path in files:
        records = run_chain(raw_document(path.read_bytes(), uri=str(path)))
        assert records, path
        assert_writable(records)

"""Encoding choice: trust BOMs and correct declarations, repair the two common lies, and say so."""

from __future__ import annotations

import ast
import json

import lxml.etree
import pytest

from benchmarks.corpora import corpora_dir
from transforms.encoding import as_utf8_xml, choose_encoding, declared_encoding, decode_document

FRENCH = "Les pêcheurs de Saint-Malo réclament une révision des quotas dès l'été prochain."
# A few paragraphs of Russian news prose: about the length of a real feed item or short page.
RUSSIAN = (
    "Городская дума утвердила бюджет на следующий год. Депутаты обсудили поправки, касающиеся "
    "ремонта дорог, школ и больниц, и приняли решение о проведении второго чтения в конце месяца. "
    "По словам председателя комитета, расходы на общественный транспорт вырастут почти на треть, "
    "а новые автобусные маршруты свяжут окраины с центром города. Жители смогут высказать своё "
    "мнение на публичных слушаниях, которые пройдут в библиотеке на Садовой улице. "
) * 3


def _xml(encoding_label: str, text: str) -> str:
    return (f'<?xml version="1.0" encoding="{encoding_label}"?>\n'
            f'<rss version="2.0"><channel><title>{text}</title></channel></rss>')


def test_utf8_bytes_declared_iso_8859_1_are_read_as_utf8_and_flagged() -> None:
    body = _xml("ISO-8859-1", FRENCH).encode("utf-8")
    text, choice = decode_document(body)
    assert choice.encoding == "utf-8"
    assert choice.flag is not None and choice.flag.startswith("encoding_repaired:") and choice.flag.endswith("->utf-8")
    assert FRENCH in text


def test_windows_1251_declared_utf8_is_repaired_to_cp1251() -> None:
    body = _xml("UTF-8", RUSSIAN).encode("cp1251")
    text, choice = decode_document(body)
    assert choice.encoding == "cp1251"
    assert choice.flag == "encoding_repaired:utf-8->cp1251"
    assert RUSSIAN in text


def test_correct_latin1_declaration_is_kept_without_flag() -> None:
    body = _xml("ISO-8859-1", FRENCH).encode("latin-1")
    text, choice = decode_document(body)
    assert choice.flag is None
    assert choice.encoding == "iso8859-1"
    assert FRENCH in text


def test_correct_windows_1251_declaration_is_kept_without_flag() -> None:
    body = _xml("windows-1251", RUSSIAN).encode("cp1251")
    text, choice = decode_document(body)
    assert (choice.encoding, choice.flag) == ("cp1251", None)
    assert RUSSIAN in text


def test_correct_utf8_declaration_is_kept_without_flag() -> None:
    text, choice = decode_document(_xml("utf-8", RUSSIAN).encode("utf-8"))
    assert (choice.encoding, choice.flag) == ("utf-8", None)
    assert RUSSIAN in text


def test_ascii_document_declared_latin1_is_not_flagged() -> None:
    choice = choose_encoding(_xml("iso-8859-1", "Plain ASCII title").encode("ascii"))
    assert choice.flag is None


def test_html_meta_charset_is_a_declaration() -> None:
    body = f'<html><head><meta charset="windows-1252"></head><body><p>{FRENCH}</p></body></html>'.encode("cp1252")
    text, choice = decode_document(body)
    assert (choice.encoding, choice.flag) == ("cp1252", None)
    assert FRENCH in text


def test_utf8_bom_wins_over_a_wrong_declaration_and_is_not_in_the_text() -> None:
    body = b"\xef\xbb\xbf" + _xml("iso-8859-1", FRENCH).encode("utf-8")
    text, choice = decode_document(body)
    assert choice.flag is None
    assert FRENCH in text
    assert not text.startswith("\ufeff")


def test_utf16_bom_decodes_the_document() -> None:
    body = _xml("utf-16", RUSSIAN).encode("utf-16")  # with BOM
    text, choice = decode_document(body)
    assert choice.flag is None
    assert RUSSIAN in text
    assert not text.startswith("\ufeff")


def test_utf16_without_bom_is_recognised_from_its_nul_pattern() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        body = _xml("utf-16", "Plain ASCII title").encode(codec)
        text, choice = decode_document(body)
        assert "\x00" not in text, codec
        assert "<title>Plain ASCII title</title>" in text
        assert choice.flag is None


def test_http_charset_beats_the_xml_declaration() -> None:
    body = _xml("iso-8859-1", RUSSIAN).encode("cp1251")
    text, choice = decode_document(body, "application/rss+xml; charset=windows-1251")
    assert choice.encoding == "cp1251"
    assert choice.declared == "cp1251"
    assert RUSSIAN in text


def test_declared_encoding_order_is_header_then_xml_declaration() -> None:
    body = _xml("iso-8859-1", "x").encode("ascii")
    assert declared_encoding(body, 'text/xml; charset="UTF-8"') == "utf-8"
    assert declared_encoding(body, "text/xml") == "iso8859-1"
    assert declared_encoding(body) == "iso8859-1"


def test_unknown_charset_label_counts_as_undeclared() -> None:
    body = _xml("x-no-such-charset", FRENCH).encode("utf-8")
    text, choice = decode_document(body)
    assert choice.declared is None
    assert choice.encoding == "utf-8"
    assert FRENCH in text


def test_undecodable_bytes_never_raise() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><a>\xff\xfe\xfd broken \x80\x81</a>'
    text, choice = decode_document(body)
    assert "broken" in text
    assert choice.flag is not None


def test_as_utf8_xml_rewrites_the_declaration_to_match_the_bytes() -> None:
    body = _xml("windows-1251", RUSSIAN).encode("cp1251")
    converted = as_utf8_xml(body, choose_encoding(body))
    assert converted.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert RUSSIAN in converted.decode("utf-8")


def test_decoded_text_keeps_no_encoding_declaration() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<html><body><p>Été</p></body></html>'.encode("latin-1")
    text, _ = decode_document(body)
    assert text.startswith('<?xml version="1.0"?>\n<html>')
    assert "Été" in text


def test_utf8_bytes_declared_utf16_are_read_as_utf8_and_flagged() -> None:
    for label in ("UTF-16", "utf-16le", "UTF-32"):
        body = _xml(label, FRENCH).encode("utf-8")
        text, choice = decode_document(body)
        assert choice.encoding == "utf-8", label
        assert choice.flag is not None and choice.flag.endswith("->utf-8"), label
        assert FRENCH in text


def test_ascii_feed_declared_utf16_in_the_http_header_is_read_as_ascii() -> None:
    body = _xml("utf-8", "Harbour news").encode("ascii")
    text, choice = decode_document(body, "application/rss+xml; charset=utf-16")
    assert "<title>Harbour news</title>" in text
    assert choice.encoding == "utf-8"


# Undeclared Windows-1252 pages (a page saved to a file, an archived response with a bare ``text/html``):
# the detector ranks several single-byte codepages equal on such text, and took the first, cp1250 or cp775,
# which turned "España" into "Espańa" and "forêt" into "foręt".
UNDECLARED_WESTERN = {
    "spanish": "España: el año del niño. La compañía española anunció el miércoles que el señor Muñoz dejará "
               "la dirección. «Es un día histórico», dijo.",
    "french": "Très bien: à côté de la forêt. Après la fête, le maire a déclaré que les élèves iront à l'école "
              "près de la forêt. Ça va très bien, merci.",
    "italian": "Perché la città è cambiata. Più di metà degli abitanti è andata via; così il sindaco ha detto "
               "che l'università resterà aperta.",
    "portuguese": "A população de São Paulo votará em outubro. As eleições municipais são importantes; o prefeito "
                  "João disse que não haverá mudanças na gestão.",
    "short": "Café crème, naïve résumé.",
}
# Text in the codepages next to it stays theirs.
UNDECLARED_OTHER = {
    "cp1250": "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda schválila nový zákon o daních; ministr řekl, že "
              "změny začnou platit v lednu. Győr és Pécs: új hídat építenek, a főváros polgármestere szerint.",
    "cp1251": RUSSIAN,
}


def _page(text: str) -> str:
    return f"<html><head><title>{text[:30]}</title></head><body><p>{text}</p><p>{text}</p></body></html>"


@pytest.mark.parametrize("language", sorted(UNDECLARED_WESTERN))
def test_undeclared_windows_1252_text_is_read_as_windows_1252(language: str) -> None:
    page = _page(UNDECLARED_WESTERN[language])
    text, choice = decode_document(page.encode("cp1252"), "text/html")
    assert (text, choice.encoding) == (page, "cp1252")


@pytest.mark.parametrize("encoding", sorted(UNDECLARED_OTHER))
def test_undeclared_central_european_and_cyrillic_text_keep_their_codepage(encoding: str) -> None:
    page = _page(UNDECLARED_OTHER[encoding])
    text, choice = decode_document(page.encode(encoding))
    assert (text, choice.encoding) == (page, encoding)


# --- EBCDIC: known by "<?xm" in its bytes (XML appendix F), its code page named by its declaration -----------

# Brackets, "!" and "|" are where cp037 and cp500 differ: read with the wrong one, "<!--" is no comment.
EBCDIC_TITLE = "Grüße aus Zürich [Teil 2] | Ça va!"


def _ebcdic_rss(label: str, line_end: str = "\n") -> str:
    lines = [f'<?xml version="1.0" encoding="{label}"?>', "<!-- written on a mainframe -->",
             '<rss version="2.0"><channel><title>Host</title>',
             f"<item><title>{EBCDIC_TITLE}</title><link>https://host.example/1</link></item></channel></rss>"]
    return line_end.join(lines) + line_end


@pytest.mark.parametrize(("label", "codec"), [("cp037", "cp037"), ("cp500", "cp500"), ("ebcdic-cp-be", "cp500"),
                                              ("IBM1140", "cp1140"), ("csibm037", "cp037"), ("cp273", "cp273")])
def test_ebcdic_xml_is_read_in_the_code_page_its_declaration_names(label: str, codec: str) -> None:
    document = _ebcdic_rss(label)
    text, choice = decode_document(document.encode(codec))
    assert (choice.encoding, choice.flag) == (codec, None)
    assert text == document.replace(f' encoding="{label}"', "", 1)


@pytest.mark.parametrize("declaration", ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="x-no-such"?>',
                                         '<?xml version="1.0" encoding="utf-8"?>'],
                         ids=["undeclared", "unknown_label", "not_ebcdic_label"])
def test_ebcdic_xml_without_a_usable_code_page_is_read_as_cp037(declaration: str) -> None:
    document = declaration + "<rss><channel><title>Zürich</title></channel></rss>"
    text, choice = decode_document(document.encode("cp037"))
    assert choice.encoding == "cp037"
    assert "<title>Zürich</title>" in text


def test_ebcdic_line_ends_become_line_feeds_so_an_xml_1_0_parser_reads_the_feed() -> None:
    body = _ebcdic_rss("cp500", line_end="\x85").encode("cp500")  # NL, byte 0x15: what a mainframe writes
    assert b"\x15" in body
    converted = as_utf8_xml(body, choose_encoding(body))
    assert converted.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<!--')
    root = lxml.etree.fromstring(converted)
    assert root.findtext("channel/item/title") == EBCDIC_TITLE


def test_nel_in_a_document_that_is_not_ebcdic_is_kept() -> None:
    text, _ = decode_document(_xml("utf-8", "one\u0085two").encode("utf-8"))
    assert "one\u0085two" in text


FEEDPARSER_TESTS = corpora_dir() / "feedparser-tests"


@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason=f"real-world corpora absent: {FEEDPARSER_TESTS}")
def test_feedparsers_ebcdic_feeds_give_the_title_its_tests_expect() -> None:
    # Each case's Expect: ends "feed.title == '\\xd8'" (or feed['title']): the title in its code page
    cases = [case for case in json.loads((FEEDPARSER_TESTS / "index.json").read_text())
             if (FEEDPARSER_TESTS / case["path"]).read_bytes().startswith(b"\x4c\x6f\xa7\x94")]
    assert len(cases) >= 20
    wrong = []
    for case in cases:
        expected = ast.literal_eval(case["expect"].rsplit("==", 1)[1].strip())
        body = (FEEDPARSER_TESTS / case["path"]).read_bytes()
        converted = as_utf8_xml(body, choose_encoding(body))
        title = lxml.etree.fromstring(converted).findtext("{http://purl.org/atom/ns#}title")
        if title != expected:
            wrong.append((case["path"], title, expected))
    assert wrong == []

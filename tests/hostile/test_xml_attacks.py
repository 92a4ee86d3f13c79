"""XML attacks: entity expansion, external entities and DTD retrieval end as error rows or safe items.

Every attack document is generated here. The external references point at a secret file in the test's
own folder and at the test HTTP server on 127.0.0.1, which must receive no request at all.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Callable

import pytest

from pipeline.cli import main
from tests.hostile.support import (ERROR_COLUMNS, assert_writable, ingest, raw_document, read_dataset,
                                   run_chain, string_values)
from tests.http_server import LocalHTTPServer, Response
from transforms.doctype import MAX_ENTITY_VALUE_CHARS, defuse_doctype
from transforms.parsing import parse_document

SECRET = "TOP-SECRET-7f3c2a"  # written to a local file that external entities point at
ITEM = "<item><title>{title}</title><link>https://courier.example/{slug}</link><description>{text}</description></item>"
URL_ENTRY = ("<url><loc>https://courier.example/{slug}</loc><news:news><news:title>{title}</news:title>"
             "<news:keywords>{text}</news:keywords></news:news></url>")
SITEMAP_NAMESPACES = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                      'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
EXPANSION_FACTOR = 4  # no output string is longer than this times the input (plus a little): nothing expanded
TIME_BOUND_S = 20.0


def rss_with_doctype(doctype: str, title: str = "Harbour news", text: str = "Ferries run late.",
                     slug: str = "story") -> bytes:
    """An RSS 2.0 feed with ``doctype`` between the XML declaration and the root element."""
    item = ITEM.format(title=title, text=text, slug=slug)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<rss version="2.0"><channel>'
            f"<title>Courier</title><link>https://courier.example/</link>{item}</channel></rss>").encode()


def sitemap_with_doctype(doctype: str, title: str = "Harbour news", text: str = "Ferries run late.",
                         slug: str = "story") -> bytes:
    """The same as a Google News sitemap, the text in its title and keywords, the DOCTYPE named for its root."""
    entry = URL_ENTRY.format(title=title, text=text, slug=slug)
    doctype = doctype.replace("<!DOCTYPE rss", "<!DOCTYPE urlset", 1)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<urlset {SITEMAP_NAMESPACES}>{entry}</urlset>'
            ).encode()


Wrapper = Callable[..., bytes]  # rss_with_doctype or sitemap_with_doctype


def billion_laughs(wrap: Wrapper = rss_with_doctype) -> bytes:
    """Ten levels of ten references: 10^9 copies of "lol" if expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)]
    return wrap("<!DOCTYPE rss [\n" + "\n".join(levels) + "\n]>", title="&lol9;", text="&lol9;",
                slug="laughs")


def quadratic_blowup(wrap: Wrapper = rss_with_doctype) -> bytes:
    """One 50,000-character entity referenced 50,000 times: a 200 KB feed that expands to 2.5 GB."""
    doctype = f'<!DOCTYPE rss [\n<!ENTITY a "{"a" * 50_000}">\n]>'
    return wrap(doctype, title="Quadratic", text="&a;" * 50_000, slug="quadratic")


def external_file_entity(secret_path: pathlib.Path, wrap: Wrapper = rss_with_doctype) -> bytes:
    return wrap(f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{secret_path}">\n]>',
                title="File &xxe;", text="Leak: &xxe;", slug="xxe-file")


def external_http_entity(server: LocalHTTPServer, wrap: Wrapper = rss_with_doctype) -> bytes:
    return wrap(f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{server.url("/xxe")}">\n]>',
                title="Remote &xxe;", text="Leak: &xxe;", slug="xxe-http")


def external_parameter_entity(server: LocalHTTPServer, wrap: Wrapper = rss_with_doctype) -> bytes:
    """The out-of-band XXE: a parameter entity pulls a DTD that would send the secret elsewhere."""
    doctype = (f'<!DOCTYPE rss [\n<!ENTITY % remote SYSTEM "{server.url("/evil.dtd")}">\n%remote;\n'
               f'<!ENTITY % local SYSTEM "file:///etc/hostname">\n]>')
    return wrap(doctype, title="Parameter entities", slug="xxe-parameter")


def external_dtd(server: LocalHTTPServer, wrap: Wrapper = rss_with_doctype) -> bytes:
    return wrap(f'<!DOCTYPE rss SYSTEM "{server.url("/rss.dtd")}">', title="DTD&nbsp;fetch",
                slug="dtd")


def public_dtd(server: LocalHTTPServer, wrap: Wrapper = rss_with_doctype) -> bytes:
    return wrap(f'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                f'"{server.url("/rss-0.91.dtd")}">', title="Public DTD", slug="public-dtd")


def xinclude(secret_path: pathlib.Path, wrap: Wrapper = rss_with_doctype) -> bytes:
    text = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret_path}" parse="text"/>'
    return wrap("", title="XInclude", text=text, slug="xinclude")


def html_page_with_entities(secret_path: pathlib.Path, server: LocalHTTPServer) -> bytes:
    """A full HTML page whose DOCTYPE declares the same attacks: the HTML parser must ignore them all."""
    doctype = ('<!DOCTYPE html [\n<!ENTITY lol0 "lol">\n'
               + "\n".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
               + f'\n<!ENTITY file SYSTEM "file://{secret_path}">\n<!ENTITY web SYSTEM "{server.url("/page-xxe")}">\n]>')
    body = " ".join(["Ferries from Baku to Aktau run again after the storm."] * 40)
    return (f'{doctype}\n<html lang="en"><head><title>Page &lol9; &file; &web;</title></head><body><article>'
            f"<h1>Ferries</h1><p>{body} &lol9; &file; &web;</p></article></body></html>").encode()


ATTACKS: dict[str, tuple[str, Callable[[pathlib.Path, LocalHTTPServer], bytes]]] = {
    "billion_laughs": ("billion-laughs.xml", lambda secret, server: billion_laughs()),
    "quadratic_blowup": ("quadratic.xml", lambda secret, server: quadratic_blowup()),
    "external_file_entity": ("xxe-file.xml", lambda secret, server: external_file_entity(secret)),
    "external_http_entity": ("xxe-http.xml", lambda secret, server: external_http_entity(server)),
    "external_parameter_entity": ("xxe-parameter.xml", lambda secret, server: external_parameter_entity(server)),
    "external_dtd": ("dtd.xml", lambda secret, server: external_dtd(server)),
    "public_dtd": ("public-dtd.xml", lambda secret, server: public_dtd(server)),
    "xinclude": ("xinclude.xml", lambda secret, server: xinclude(secret)),
    "html_page_entities": ("page.html", html_page_with_entities),
}


# The same attacks in a Google News sitemap: the sitemap reader (lxml) must stop them as the feed path does.
SITEMAP_ATTACKS: dict[str, Callable[[pathlib.Path, LocalHTTPServer], bytes]] = {
    "billion_laughs": lambda secret, server: billion_laughs(sitemap_with_doctype),
    "quadratic_blowup": lambda secret, server: quadratic_blowup(sitemap_with_doctype),
    "external_file_entity": lambda secret, server: external_file_entity(secret, sitemap_with_doctype),
    "external_http_entity": lambda secret, server: external_http_entity(server, sitemap_with_doctype),
    "external_parameter_entity": lambda secret, server: external_parameter_entity(server, sitemap_with_doctype),
    "external_dtd": lambda secret, server: external_dtd(server, sitemap_with_doctype),
    "public_dtd": lambda secret, server: public_dtd(server, sitemap_with_doctype),
    "xinclude": lambda secret, server: xinclude(secret, sitemap_with_doctype),
}


@pytest.fixture
def secret_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def trap_server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The test server, answering every path an attack names with content carrying the secret."""
    evil_dtd = f'<!ENTITY % leak "<!ENTITY exfil SYSTEM \'{http_server.url("/exfil")}?{SECRET}\'>">%leak;'
    for path, body in (("/xxe", SECRET), ("/evil.dtd", evil_dtd), ("/rss.dtd", f'<!ENTITY nbsp "{SECRET}">'),
                       ("/rss-0.91.dtd", f'<!ENTITY nbsp "{SECRET}">'), ("/page-xxe", SECRET)):
        http_server.route(path, Response(body=body.encode()))
    return http_server


def expansion_bound(input_bytes: int) -> int:
    """The longest string an input of ``input_bytes`` may give (escaping can double it; expansion would not fit)."""
    return EXPANSION_FACTOR * input_bytes + 10_000


def assert_nothing_got_in(records: list[dict], secret: str, input_bytes: int) -> None:
    """No secret, no expanded entity, and every record a valid article or error row."""
    assert records, "an input must end as at least one record"
    for value in string_values(records):
        assert secret not in value
        assert len(value) <= expansion_bound(input_bytes)
        assert "lollollollollol" not in value
    assert_writable(records)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_ends_as_error_or_safe_item_without_expansion_file_read_or_request(
    attack: str, secret_file: pathlib.Path, trap_server: LocalHTTPServer
) -> None:
    name, build = ATTACKS[attack]
    body = build(secret_file, trap_server)
    start = time.monotonic()
    records = run_chain(raw_document(body, uri=f"/in/{name}"))
    assert time.monotonic() - start < TIME_BOUND_S
    assert_nothing_got_in(records, SECRET, len(body))
    assert trap_server.requests == []


@pytest.mark.parametrize("attack", sorted(SITEMAP_ATTACKS))
def test_the_same_attacks_in_a_sitemap_keep_the_entry_without_expansion_file_read_or_request(
    attack: str, secret_file: pathlib.Path, trap_server: LocalHTTPServer
) -> None:
    body = SITEMAP_ATTACKS[attack](secret_file, trap_server)
    start = time.monotonic()
    records = run_chain(raw_document(body, uri=f"/in/sitemap-{attack}.xml"))
    assert time.monotonic() - start < TIME_BOUND_S
    assert_nothing_got_in(records, SECRET, len(body))
    assert trap_server.requests == []
    assert [record["url"].rsplit("/", 1)[0] for record in records if record["kind"] == "article"] == [
        "https://courier.example"]


def test_quadratic_blowup_keeps_the_item_and_reports_the_dropped_entity() -> None:
    records = parse_document(raw_document(quadratic_blowup(), uri="/in/quadratic.xml"))
    articles = [record for record in records if record["kind"] == "article"]
    errors = {record["error_type"] for record in records if record["kind"] == "error"}
    assert [article["title"] for article in articles] == ["Quadratic"]
    assert "dtd_entities_removed" in articles[0]["quality_flags"]
    assert "malformed_xml_partial" in errors  # the undefined entity is reported, not expanded
    assert len(articles[0]["summary_html"]) < 400_000


def test_attack_feeds_end_to_end_give_error_rows_and_no_secret_or_request(
    tmp_path: pathlib.Path, secret_file: pathlib.Path, trap_server: LocalHTTPServer
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    largest = 0
    for name, build in ATTACKS.values():
        (inputs / name).write_bytes(build(secret_file, trap_server))
        largest = max(largest, (inputs / name).stat().st_size)
    output = tmp_path / "out"

    assert ingest([inputs], output) == 0

    articles, errors = read_dataset(output, "articles"), read_dataset(output, "errors")
    seen = {row["uri"] for row in articles + errors}
    assert seen == {str((inputs / name).resolve()) for name, _ in ATTACKS.values()}
    for value in string_values(articles + errors):
        assert SECRET not in value and len(value) <= expansion_bound(largest)
    assert errors and all(all(row[column] for column in ERROR_COLUMNS) for row in errors)
    assert {"billion-laughs.xml", "quadratic.xml", "xxe-file.xml", "xxe-http.xml"} <= {
        pathlib.Path(row["uri"]).name for row in errors if row["error_type"] == "malformed_xml_partial"}
    assert trap_server.requests == []


# --- the DOCTYPE rewrite itself ------------------------------------------------------------------------


def test_harmless_entities_are_kept_and_still_expand() -> None:
    body = rss_with_doctype('<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n  <!ENTITY nb "&#160;">\n]>',
                title="A&nb;B", text="&id;2024")
    records = parse_document(raw_document(body))
    assert [(record["kind"], record.get("title"), record.get("summary_html")) for record in records] == [
        ("article", "A\xa0B", "tag:example.com,2024")]
    assert "dtd_entities_removed" not in records[0]["quality_flags"]


@pytest.mark.parametrize("declaration", [
    f'<!ENTITY long "{"x" * (MAX_ENTITY_VALUE_CHARS + 1)}">',
    '<!ENTITY nested "&other;&other;">',
    '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
    '<!ENTITY xxe PUBLIC "-//x//y" "http://127.0.0.1:9/x">',
    '<!ENTITY % parameter "<!ENTITY x \'y\'>">',
    "%parameter;",
    '<!ENTITY markup "<b>bold</b>">',
])
def test_entities_that_can_expand_or_reach_out_are_removed(declaration: str) -> None:
    body = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{declaration}\n<!ENTITY ok "fine">\n]>\n<rss/>'.encode()
    defused = defuse_doctype(body)
    assert defused.removed_declarations == 1
    assert defused.body == b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY ok "fine">\n]>\n<rss/>'


def test_external_dtd_reference_is_dropped_and_the_name_kept() -> None:
    body = b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n "http://x.example/rss.dtd">\n<rss/>'
    defused = defuse_doctype(body)
    assert (defused.body, defused.external_dtd_removed, defused.removed_declarations) == (
        b"<!DOCTYPE rss>\n<rss/>", True, 0)


def test_comments_and_quoted_brackets_inside_the_subset_do_not_end_it_early() -> None:
    body = (b'<!-- note --><!DOCTYPE rss [\n<!-- ]> inside a comment -->\n<?pi ]> ?>\n'
            b'<!ATTLIST rss x CDATA "]>">\n<!ENTITY ok "a]>b">\n]>\n<rss/>')
    assert defuse_doctype(body).body == b'<!-- note --><!DOCTYPE rss [\n<!ENTITY ok "a]>b">\n]>\n<rss/>'


@pytest.mark.parametrize("head", [
    b'<!DOCTYPE rss [\n<!ENTITY a "x"',  # never closed
    b'<!DOCTYPE rss [\n<!-- never closed',
    b'<!DOCTYPE rss [\n<!ENTITY a "unterminated quote>\n]>\n',
    b"<!DOCTYPE rss [ junk ]>",
    b"<!DOCTYPE>",
])
def test_unreadable_doctype_is_cut_up_to_the_root_element(head: bytes) -> None:
    body = head + b'<rss version="2.0"><channel><item><title>t</title></item></channel></rss>'
    defused = defuse_doctype(body)
    assert b"DOCTYPE" not in defused.body and b"ENTITY" not in defused.body.split(b"<rss")[0]
    assert defused.body.endswith(b'<rss version="2.0"><channel><item><title>t</title></item></channel></rss>')


def test_many_unterminated_comments_in_a_subset_take_linear_time() -> None:
    body = b"<!DOCTYPE rss [" + b"<!--x>" * 200_000 + b"\n<rss/>"
    start = time.monotonic()
    defuse_doctype(body)
    assert time.monotonic() - start < TIME_BOUND_S  # quadratic work on 200,000 comments would take hours


def test_document_without_doctype_is_returned_as_it_is() -> None:
    body = b'<?xml version="1.0"?><rss><channel><description>&lt;!DOCTYPE x&gt;</description></channel></rss>'
    assert defuse_doctype(body).body is body


# --- OPML subscription lists: a user's file, but often downloaded from somewhere ----------------------------


@pytest.mark.parametrize("doctype", [
    "<!DOCTYPE opml [\n" + '<!ENTITY a0 "lol">\n' + "\n".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)) + "\n]>",
    '<!DOCTYPE opml [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>',
])
def test_opml_with_entity_attacks_is_refused_with_a_clear_message(
    tmp_path: pathlib.Path, doctype: str, capsys: pytest.CaptureFixture
) -> None:
    reference = "&a9;" if "a9" in doctype else "&xxe;"
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(f'<?xml version="1.0"?>\n{doctype}\n<opml version="2.0"><head/><body>'
                    f'<outline type="rss" text="{reference}" xmlUrl="https://courier.example/feed.xml"/>'
                    "</body></opml>")

    assert main(["feeds", "import-opml", str(opml)]) == 2

    captured = capsys.readouterr()
    assert "not well-formed XML" in captured.err and "root:" not in captured.out
    assert len(captured.err) < 2000

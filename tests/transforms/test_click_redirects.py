"""transforms.click_redirects: a search or alert feed's click redirect gives way to the article's URL."""

from __future__ import annotations

import base64

import pytest

from transforms.click_redirects import unwrap_click_redirect

ARTICLE = "https://www.example-times.com/2026/12/06/strike?page=2"


@pytest.mark.parametrize("wrapped", [
    "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=A1B2&url=https%3a%2f%2fwww.example-times.com"
    "%2f2026%2f12%2f06%2fstrike%3fpage%3d2&c=8123&mkt=en-us",
    "https://www.google.com/url?rct=j&sa=t&url=https://www.example-times.com/2026/12/06/strike%3Fpage%3D2"
    "&ct=ga&cd=CAIyGjA1&usg=AOvVaw0x",
    "https://www.google.co.uk/url?q=https%3A%2F%2Fwww.example-times.com%2F2026%2F12%2F06%2Fstrike%3Fpage%3D2",
    "https://news.google.com/news/url?sa=t&fd=R&ct2=us&usg=AFQjCN&clid=c3a7&url=" + ARTICLE.replace("?", "%3F")
    .replace("=", "%3D"),
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.example-times.com%2F2026%2F12%2F06%2Fstrike%3Fpage%3D2&h=AT0",
    "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example-times.com%2F2026%2F12%2F06"
    "%2Fstrike%3Fpage%3D2&data=05%7C01&reserved=0",
])
def test_click_redirects_give_the_article_url(wrapped: str) -> None:
    assert unwrap_click_redirect(wrapped) == ARTICLE


def test_a_redirect_to_a_redirect_is_unwrapped_to_the_end() -> None:
    inner = "https://www.google.com/url?url=" + ARTICLE.replace("?", "%3F").replace("=", "%3D")
    outer = "https://l.facebook.com/l.php?u=" + inner.replace("?", "%3F").replace("=", "%3D").replace("&", "%26")
    assert unwrap_click_redirect(outer) == ARTICLE


@pytest.mark.parametrize("url", [
    ARTICLE,  # an ordinary link
    "https://www.google.com/search?q=https://www.example-times.com/",  # not the redirect endpoint
    "https://www.example-times.com/url?url=https://elsewhere.example/",  # the same path on another host
    "https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=javascript:alert(1)",  # no web target
    "https://www.google.com/url?rct=j&sa=t",  # no target at all
    "ftp://www.google.com/url?url=https://www.example-times.com/",
    "https://[::1/url?url=x", None, "",
])
def test_other_links_are_not_redirects(url: str | None) -> None:
    assert unwrap_click_redirect(url) is None


def google_news_id(url: str, amp_suffix: bytes = b"\xd2\x01\x00") -> str:
    """An article id as Google News wrote them until 2024: a protobuf record holding the URL, base64."""
    encoded = url.encode()
    length = bytes([len(encoded) & 0x7F | 0x80, len(encoded) >> 7]) if len(encoded) > 127 else bytes([len(encoded)])
    return base64.urlsafe_b64encode(b"\x08\x13\x22" + length + encoded + amp_suffix).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/rss/articles/{}?oc=5", "/articles/{}", "/__i/rss/rd/articles/{}?oc=5"])
@pytest.mark.parametrize("article", [ARTICLE, "https://www.example-times.com/" + "long-path/" * 20])
def test_older_google_news_article_ids_hold_the_article_url(path: str, article: str) -> None:
    assert unwrap_click_redirect("https://news.google.com" + path.format(google_news_id(article))) == article


@pytest.mark.parametrize("article_id", [
    "CBMiWkFVX3lxTE1hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk", "not-base64!!", "CBMi",
    base64.urlsafe_b64encode(b"\x08\x13\x22\x40https://short").decode(),  # a length past the end
    base64.urlsafe_b64encode(b"\x08\x13\x22\x0bjavascript:").decode(),
])
def test_encrypted_or_broken_google_news_ids_stay_as_they_are(article_id: str) -> None:
    assert unwrap_click_redirect(f"https://news.google.com/rss/articles/{article_id}?oc=5") is None

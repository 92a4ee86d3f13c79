"""pipeline.robots: what each robots.txt answer means (RFC 9309), and the delays a site asks for."""

from __future__ import annotations

import pytest

from pipeline.http_fetch import FetchResult
from pipeline.robots import origin_of, rules_from_result, rules_from_text

AGENT = "newsbeam/0.1.0 (+https://github.com/newsbeam/newsbeam)"
ORIGIN = "https://courier.example"


def answer(status: int | None, body: bytes | None = None, error_type: str | None = None) -> FetchResult:
    return FetchResult(url=f"{ORIGIN}/robots.txt", final_url=f"{ORIGIN}/robots.txt", status=status, body=body,
                       error_type=error_type, error_message=error_type)


def test_rules_of_a_robots_txt_apply_to_our_user_agent() -> None:
    rules = rules_from_result(ORIGIN, answer(200, b"User-agent: *\nDisallow: /private/\n"))

    assert rules.allows(f"{ORIGIN}/news/1", AGENT) and not rules.allows(f"{ORIGIN}/private/1", AGENT)


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_client_errors_mean_no_robots_txt_and_everything_is_allowed(status: int) -> None:
    rules = rules_from_result(ORIGIN, answer(status, error_type="http_status"))

    assert rules.outcome == "unavailable" and rules.allows(f"{ORIGIN}/anything", AGENT)


@pytest.mark.parametrize(("status", "error_type"), [(500, "http_status"), (503, "http_status"),
                                                    (429, "http_status"), (None, "timeout"),
                                                    (None, "connection_error"), (200, "too_large")])
def test_unreachable_robots_txt_disallows_everything(status: int | None, error_type: str) -> None:
    rules = rules_from_result(ORIGIN, answer(status, error_type=error_type))

    assert rules.outcome == "unreachable" and not rules.allows(f"{ORIGIN}/news/1", AGENT)


def test_a_refused_address_is_told_apart_from_a_disallow() -> None:
    assert rules_from_result(ORIGIN, answer(None, error_type="private_address")).outcome == "refused"


def test_crawl_delay_and_request_rate_give_the_slowest_wait() -> None:
    assert rules_from_text(ORIGIN, "User-agent: *\nCrawl-delay: 2\n").delay_s(AGENT) == 2.0
    assert rules_from_text(ORIGIN, "User-agent: *\nRequest-rate: 1/5\nCrawl-delay: 2\n").delay_s(AGENT) == 5.0
    assert rules_from_text(ORIGIN, "User-agent: *\nDisallow:\n").delay_s(AGENT) is None
    assert rules_from_text(ORIGIN, "User-agent: newsbeam\nCrawl-delay: 7\n\nUser-agent: *\nCrawl-delay: 1\n"
                           ).delay_s(AGENT) == 7.0


def test_an_empty_or_garbled_robots_txt_allows_everything() -> None:
    for text in ("", "<html><body>Not found</body></html>", "\x00\xff garbage"):
        assert rules_from_text(ORIGIN, text).allows(f"{ORIGIN}/news/1", AGENT)


def test_origins_keep_scheme_host_and_non_default_port() -> None:
    assert origin_of("https://Courier.Example/a?b") == "https://courier.example"
    assert origin_of("http://courier.example:80/a") == "http://courier.example"
    assert origin_of("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080"
    assert origin_of("https://[::1]:8443/a") == "https://[::1]:8443"

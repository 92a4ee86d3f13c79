"""Shared fixtures: a real HTTP server on 127.0.0.1 (see tests/http_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_server import LocalHTTPServer


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A started LocalHTTPServer, stopped after the test."""
    server = LocalHTTPServer().start()
    yield server
    server.stop()

"""Shared fixtures: a real HTTP server on 127.0.0.1 (see tests/http_server.py); Hypothesis profiles.

Property tests draw the same examples on every run by default (profile ``ci``), so that a test that passed
here passes on CI: a random draw once found a real bug on CI only, which then failed an unrelated change.
``HYPOTHESIS_PROFILE=explore`` draws new examples on each run, to look for bugs; add what it finds as an
``@example``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.http_server import LocalHTTPServer

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A started LocalHTTPServer, stopped after the test."""
    server = LocalHTTPServer().start()
    yield server
    server.stop()

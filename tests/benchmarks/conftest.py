"""Fixtures of the benchmark tests."""

from __future__ import annotations

import pathlib

import pytest

from tests.benchmarks.aeb_pages import write_aeb_corpus


@pytest.fixture
def aeb_corpora(tmp_path: pathlib.Path) -> pathlib.Path:
    """A corpora folder holding only ``aeb/`` with three self-written pages (see ``aeb_pages``)."""
    return write_aeb_corpus(tmp_path / "corpora")

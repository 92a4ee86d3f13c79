"""Where the shared corpora are looked for: the environment variable first, else beside the repository."""

from __future__ import annotations

import pathlib

import pytest

from benchmarks import corpora


def test_the_environment_names_the_corpora(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv(corpora.CORPORA_ENV, str(tmp_path / "corpora"))
    assert corpora.corpora_dir() == tmp_path / "corpora"
    assert corpora.seed_article() == tmp_path / "seed-article.txt"


def test_without_it_they_are_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(corpora.CORPORA_ENV, raising=False)
    repository = pathlib.Path(__file__).resolve().parents[2]
    assert corpora.corpora_dir() == repository.parent / "shared" / "corpora"
    assert corpora.seed_article() == repository.parent / "shared" / "seed-article.txt"

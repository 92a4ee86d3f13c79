"""Tests of transforms.language_model: py3langid's model kept decompressed in the cache directory."""

from __future__ import annotations

import pathlib

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from transforms.language_model import FILE_PREFIX, cached_model_path, load_identifier

SENTENCES = (
    "The county council reopened the old stone footbridge on Tuesday after eight months of repairs.",
    "В Казани в четверг открыли новый пешеходный мост через реку после восьми месяцев ремонта.",
    "Bakı şəhərində yeni piyada körpüsü çərşənbə axşamı səkkiz aylıq təmirdən sonra istifadəyə verilib.",
    "Die neue Fußgängerbrücke in der Altstadt wurde am Dienstag nach acht Monaten Bauzeit eröffnet.",
    "Ana səhifə 12 345",
)


@pytest.fixture(scope="module")
def shipped() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_kept_copy_gives_the_shipped_models_answers(tmp_path: pathlib.Path, shipped: LanguageIdentifier) -> None:
    from_copy = load_identifier(str(tmp_path))
    assert cached_model_path(str(tmp_path)).is_file()
    for sentence in SENTENCES:
        assert from_copy.classify(sentence) == shipped.classify(sentence)


def test_a_second_load_reads_the_kept_copy_without_decompressing(tmp_path: pathlib.Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    load_identifier(str(tmp_path))
    copy = cached_model_path(str(tmp_path))
    modified = copy.stat().st_mtime_ns

    def no_decompressing(path: pathlib.Path) -> None:
        raise AssertionError("decompressed again")

    monkeypatch.setattr("transforms.language_model.decompress_model", no_decompressing)
    assert load_identifier(str(tmp_path)).classify(SENTENCES[1])[0] == "ru"
    assert copy.stat().st_mtime_ns == modified


def test_a_truncated_copy_falls_back_to_the_shipped_model_and_is_made_again(
        tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture) -> None:
    copy = cached_model_path(str(tmp_path))
    copy.write_bytes(b"PK\x03\x04 not a whole npz")
    assert load_identifier(str(tmp_path)).classify(SENTENCES[0])[0] == "en"
    assert "unusable" in caplog.text
    assert not copy.exists()
    assert load_identifier(str(tmp_path)).classify(SENTENCES[0])[0] == "en"
    assert copy.stat().st_size > 1_000_000


def test_stale_copies_are_removed_and_no_temporary_file_is_left(tmp_path: pathlib.Path) -> None:
    stale = tmp_path / f"{FILE_PREFIX}0123456789abcdef.npz"
    stale.write_bytes(b"old model")
    load_identifier(str(tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == [cached_model_path(str(tmp_path)).name]


def test_an_unwritable_cache_directory_still_gives_a_model(tmp_path: pathlib.Path) -> None:
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("x")
    assert load_identifier(str(blocked / "cache")).classify(SENTENCES[3])[0] == "de"

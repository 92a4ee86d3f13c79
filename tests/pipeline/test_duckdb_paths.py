"""Paths for DuckDB taken literally: escaped glob characters, checked against the installed DuckDB."""

from __future__ import annotations

import pathlib

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.duckdb_paths import duckdb_glob, duckdb_literal, literal_path_refusal, sql_string

PART = pathlib.Path("articles") / "date=2024-05-01" / "part-00000.parquet"
# (directory name, a sibling that DuckDB's glob of the unescaped name matches)
ODD_NAMES = [("out[1]", "out1"), ("out[!a]", "outb"), ("out[a-c]", "outb"), ("out*", "out-other"),
             ("out?", "outX"), ("a[*?]b]", "a?b]"), ("[out]", "o")]


def write_part(output: pathlib.Path, label: str) -> None:
    """One Parquet file under ``output`` with one row holding ``label``."""
    (output / PART).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"label": [label]}), output / PART)


def labels(source: str) -> list[str]:
    """The labels DuckDB reads from ``source`` (a SQL expression naming files)."""
    return sorted(row[0] for row in duckdb.sql(f"SELECT label FROM read_parquet({source})").fetchall())


def test_glob_characters_become_one_character_classes_and_the_rest_is_kept() -> None:
    assert duckdb_literal("/data/out[1]/a*b?c]{x,y}") == "/data/out[[]1]/a[*]b[?]c]{x,y}"
    assert duckdb_glob("/data/a*b") == "/data/a[*]b/**/*.parquet"
    assert duckdb_glob("/data/out/", "date=*/*.parquet") == "/data/out/date=*/*.parquet"


@pytest.mark.parametrize(("name", "sibling"), ODD_NAMES)
def test_the_unescaped_name_reads_a_sibling_and_the_escaped_one_only_itself(
        tmp_path: pathlib.Path, name: str, sibling: str) -> None:
    write_part(tmp_path / name, name)
    write_part(tmp_path / sibling, sibling)
    assert sibling in labels(sql_string(f"{tmp_path / name}/**/*.parquet"))  # what the escaping is for

    assert labels(sql_string(duckdb_glob(tmp_path / name))) == [name]
    assert labels(f"[{sql_string(duckdb_literal(tmp_path / name / PART))}]") == [name]


@pytest.mark.parametrize("name", ["braces{a,b}", "close]bracket", "comma,semi;colon", "quote's", "=equals", "^caret"])
def test_characters_duckdb_does_not_glob_are_read_as_they_are(tmp_path: pathlib.Path, name: str) -> None:
    for decoy in ("bracesa", "bracesb", "braces{a", "close"):
        write_part(tmp_path / decoy, decoy)
    write_part(tmp_path / name, name)
    assert labels(sql_string(duckdb_glob(tmp_path / name))) == [name]
    assert labels(sql_string(duckdb_literal(tmp_path / name / PART))) == [name]


def test_a_backslash_is_read_literally_without_a_glob_and_refused_in_one(tmp_path: pathlib.Path) -> None:
    backslash = tmp_path / "back\\slash"
    write_part(backslash, "backslash")
    write_part(tmp_path / "back" / "slash", "nested")
    assert labels(sql_string(f"{backslash}/**/*.parquet")) == ["nested"]  # a glob splits at the backslash

    assert labels(sql_string(duckdb_literal(backslash / PART))) == ["backslash"]
    with pytest.raises(ValueError, match="backslash"):
        duckdb_glob(backslash)
    with pytest.raises(ValueError, match="backslash"):
        duckdb_literal(tmp_path / "back\\slash[1]" / PART)
    assert literal_path_refusal(backslash) is None
    assert "backslash" in (literal_path_refusal(tmp_path / "a\\b*") or "")


def test_a_relative_path_is_made_absolute_so_duckdb_expands_no_tilde(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_part(tmp_path / "~" / "out", "tilde")
    try:
        unescaped = labels(sql_string("~/out/**/*.parquet"))  # DuckDB reads ~ as the home directory
    except duckdb.IOException:
        unescaped = []
    assert unescaped != ["tilde"]

    assert duckdb_glob("~/out") == f"{tmp_path}/~/out/**/*.parquet"
    assert labels(sql_string(duckdb_glob("~/out"))) == ["tilde"]
    assert labels(sql_string(duckdb_literal(pathlib.Path("~/out") / PART))) == ["tilde"]


def test_sql_strings_double_their_quotes() -> None:
    assert sql_string("it's") == "'it''s'"
    assert duckdb.sql(f"SELECT {sql_string(duckdb_literal('/a/it' + chr(39) + 's'))}").fetchall() == [("/a/it's",)]

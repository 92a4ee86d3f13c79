"""The bundled sample, end to end: the real CLI on the local Beam runner, Parquet read back with DuckDB
and pyarrow, checked against ``examples/sample/expected.json`` (computed by the sample's generator)."""

from __future__ import annotations

import hashlib
import json
import pathlib
from typing import Any

import duckdb
import pandas
import polars
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from transforms.near_duplicates import NEAR_DUPLICATE_BITS

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text())
INPUTS = [str(SAMPLE / name) for name in ("feeds", "pages", "articles.jsonl", "broken")]
SAMPLE_DAYS = sorted(EXPECTED["per_day_distinct_articles"])


def ingest(output: pathlib.Path) -> int:
    return main(["ingest", *INPUTS, "--output", str(output), "--aliases", str(SAMPLE / "aliases.toml")])


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    directory = tmp_path_factory.mktemp("sample") / "out"
    assert ingest(directory) == 0
    return directory


def query(output: pathlib.Path, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` with ``articles`` and ``errors`` views over the output (hive partitions on)."""
    connection = duckdb.connect()
    connection.execute(f"CREATE VIEW articles AS SELECT * FROM read_parquet('{output}/articles/**/*.parquet', "
                       "hive_partitioning = true)")
    connection.execute(f"CREATE VIEW errors AS SELECT * FROM read_parquet('{output}/errors/**/*.parquet', "
                       "hive_partitioning = true)")
    return connection.execute(sql).fetchall()


def test_counts_per_day_match_the_sample(output: pathlib.Path) -> None:
    rows = dict(query(output, "SELECT strftime(date, '%Y-%m-%d'), count(*) FROM articles "
                              "WHERE uri NOT LIKE '%/broken/%' GROUP BY 1"))
    assert {day: rows.get(day, 0) for day in SAMPLE_DAYS} == EXPECTED["per_day_distinct_articles"]


def test_every_article_id_is_written_once(output: pathlib.Path) -> None:
    (total, distinct), = query(output, "SELECT count(*), count(DISTINCT article_id) FROM articles")
    assert total == distinct
    valid = query(output, "SELECT count(*) FROM articles WHERE uri NOT LIKE '%/broken/%'")[0][0]
    assert valid == EXPECTED["totals"]["distinct_articles"]


def test_the_seed_dateline_gives_the_utc_instant_and_offset(output: pathlib.Path) -> None:
    seed = EXPECTED["seed"]
    (published_at, offset, source, day), = query(
        output, "SELECT strftime(published_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), published_offset_minutes, "
                f"time_source, strftime(date, '%Y-%m-%d') FROM articles WHERE canonical_url = '{seed['canonical_url']}'")
    assert (published_at, offset, source, day) == (seed["published_at"], seed["offset_minutes"],
                                                   seed["time_source"], seed["date"])


def test_each_firm_date_matches_the_sample(output: pathlib.Path) -> None:
    expected = {article["key"]: (_epoch_us(article["published_at"]), article["offset_minutes"])
                for article in EXPECTED["articles"] if article["key_type"] == "canonical_url"
                and article["published_at"] and "implausible_future" not in article["flags"]}
    rows = query(output, "SELECT canonical_url, epoch_us(published_at), published_offset_minutes FROM articles")
    found = {url: (published_us, offset) for url, published_us, offset in rows}
    wrong = {key: (found.get(key), value) for key, value in expected.items() if found.get(key) != value}
    assert not wrong


def test_credited_authors_are_the_sample_s_names(output: pathlib.Path) -> None:
    """Every article that has authors has the generator's names ("email (Name)" authors gave "ple (Name"
    before; items of RSS 0.91/0.92, which has no author element, have none)."""
    expected = {article["key"]: article["authors"] for article in EXPECTED["articles"]
                if article["key_type"] == "canonical_url"}
    rows = query(output, "SELECT canonical_url, authors FROM articles WHERE len(authors) > 0")
    wrong = {url: (authors, expected[url]) for url, authors in rows if url in expected and authors != expected[url]}
    assert len(rows) > 100 and not wrong


def _epoch_us(text: str) -> int:
    import datetime as dt

    instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(instant.timestamp()) * 1_000_000 + instant.microsecond


def test_undated_and_impossible_dates_fall_back_to_fetched_time_and_say_so(output: pathlib.Path) -> None:
    rows = query(output, "SELECT title, time_source, time_flags, published_at = fetched_at FROM articles "
                         "WHERE list_contains(time_flags, 'fallback') AND uri NOT LIKE '%/broken/%'")
    titles = {row[0] for row in rows}
    for case in EXPECTED["fetched_at_fallback"] + EXPECTED["implausible_future"]:
        assert case["title"] in titles
    assert all(source == "fetched_at" and same for _, source, _, same in rows)


def test_tracking_parameters_and_fragments_are_removed(output: pathlib.Path) -> None:
    leftovers = query(output, "SELECT canonical_url FROM articles WHERE regexp_matches(canonical_url, "
                              "'utm_|fbclid|gclid|#') OR canonical_url <> lower(canonical_url[1:strpos(canonical_url, "
                              "'.example') + 7]) || canonical_url[strpos(canonical_url, '.example') + 8:]")
    assert leftovers == []
    assert query(output, "SELECT count(*) FROM articles WHERE url LIKE '%utm_%'")[0][0] > 0  # the input had them


def test_spelling_variants_merge_into_one_entity(output: pathlib.Path) -> None:
    rows = query(output, "SELECT DISTINCT e.id, e.name FROM articles, unnest(entities) AS t(e) "
                         "WHERE regexp_matches(body_text || ' ' || coalesce(title, ''), 'Garabagh|Qarabağ|Qarabag|Карабах')")
    ids = {identifier for identifier, name in rows if "arabakh" in name.lower() or "arabag" in name.lower()}
    assert len(ids) == 1
    karabakh = ids.pop()
    variants = query(output, "SELECT count(DISTINCT article_id) FROM articles, unnest(entities) AS t(e) "
                             f"WHERE e.id = '{karabakh}'")[0][0]
    assert variants >= EXPECTED["entities"]["counts"]["Karabakh"]["articles"] - 3
    seed = query(output, "SELECT list_transform(entities, lambda e: e.id) FROM articles WHERE canonical_url = "
                         f"'{EXPECTED['seed']['canonical_url']}'")[0][0]
    assert karabakh in seed and "country:AZ" in seed and "country:AM" in seed


def test_broken_inputs_land_in_the_dead_letter_with_reasons(output: pathlib.Path) -> None:
    errors = query(output, "SELECT uri, stage, error_type, message, raw_sha256 FROM errors")
    by_file = {}
    for uri, stage, error_type, message, raw_sha256 in errors:
        by_file.setdefault(uri.split("/examples/sample/")[-1].split("#")[0], []).append((stage, error_type))
        assert message and raw_sha256
    for case in EXPECTED["dead_letter"]:
        if case["certain"]:
            assert case["file"] in by_file, case
    assert ("parse", "invalid_json") in by_file["articles.jsonl"]
    assert by_file["broken/empty.xml"] == [("parse", "empty_input")]


def test_every_file_carries_the_schema_version(output: pathlib.Path) -> None:
    from schemas import ARTICLE_SCHEMA_VERSION, ERROR_SCHEMA_VERSION

    versions = {"articles": ARTICLE_SCHEMA_VERSION.encode(), "errors": ERROR_SCHEMA_VERSION.encode()}
    for dataset, version in versions.items():
        files = list(output.glob(f"{dataset}/date=*/*.parquet"))
        assert files
        for path in files:
            schema = pq.read_schema(path)
            assert schema.metadata[b"newsbeam.schema_version"] == version
            assert schema.metadata[b"newsbeam.dataset"] == dataset.encode()
            assert "date" not in schema.names


def test_the_run_manifest_counts_what_was_written(output: pathlib.Path) -> None:
    (manifest_path,) = (output / "_runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text())
    counts = manifest["counts"]
    assert counts["articles_written"] == query(output, "SELECT count(*) FROM articles")[0][0]
    assert counts["errors"] == query(output, "SELECT count(*) FROM errors")[0][0]
    assert counts["duplicates_merged"] >= EXPECTED["totals"]["duplicate_copies_dropped"]
    assert counts["inputs_read"] == EXPECTED["totals"]["input_files"]
    assert manifest["beam_metrics"]["read.outputs"] == EXPECTED["totals"]["input_files"]


def digest_tree(directory: pathlib.Path) -> dict[str, str]:
    return {str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()
            and path.parts[len(directory.parts)] in ("articles", "errors")}


def test_a_rerun_changes_nothing_and_leaves_no_temp_files(output: pathlib.Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    before = digest_tree(output)
    assert ingest(output) == 0
    summary = capsys.readouterr().out
    assert digest_tree(output) == before
    assert "unchanged (already written)" in summary
    assert not [path for path in output.rglob("*") if ".tmp-" in path.name]


def readme_near_duplicate_query(output: pathlib.Path) -> str:
    """The README's near-duplicate query, reading ``output``."""
    block = (REPO / "README.md").read_text().split("-- near-duplicate pairs", 1)[1].split("\n", 1)[1].split("```")[0]
    return block.replace("out/articles/", f"{output}/articles/")


def test_the_readme_query_finds_the_samples_near_duplicates(output: pathlib.Path) -> None:
    """The sample's two URLs carrying one body (``expected.json``'s near_duplicates) are a pair of the README's
    query, and nothing it lists is further apart than the threshold."""
    ids = dict(query(output, "SELECT canonical_url, article_id FROM articles"))
    pairs = duckdb.connect().execute(readme_near_duplicate_query(output)).fetchall()
    found = {frozenset((first, second)) for _, first, second in pairs}
    for group in EXPECTED["near_duplicates"]:
        assert frozenset(ids[url] for url in group["urls"]) in found
    assert pairs and max(bits for bits, _, _ in pairs) <= NEAR_DUPLICATE_BITS


def test_pandas_and_polars_read_the_dataset_as_pyarrow_does(output: pathlib.Path) -> None:
    """The README's one-liners for pandas and Polars give every row and column, the same values as pyarrow,
    and the partition day as a column (the files do not hold it). pandas' default turns an integer column
    with nulls into floats (text_simhash lost its low bits): the README's line keeps them integers."""
    reference = pq.read_table(output / "articles").sort_by("article_id")
    by_pandas = pandas.read_parquet(output / "articles", dtype_backend="numpy_nullable")
    by_pandas = by_pandas.sort_values("article_id", ignore_index=True)
    by_polars = polars.scan_parquet(f"{output}/articles/**/*.parquet", hive_partitioning=True).collect()
    by_polars = by_polars.sort("article_id")

    assert by_pandas.shape == by_polars.shape == (reference.num_rows, reference.num_columns)
    assert set(by_pandas.columns) == set(by_polars.columns) == set(reference.column_names)
    for column in ("article_id", "title", "published_at", "text_simhash", "authors", "entities"):
        expected = reference[column].to_pylist()
        assert [_plain(value) for value in by_pandas[column]] == [_plain(value) for value in expected], column
        assert [_plain(value) for value in by_polars[column].to_list()] == [_plain(value) for value in expected], column
    days = [str(day) for day in reference["date"].to_pylist()]
    assert [str(day) for day in by_pandas["date"]] == days == [str(day) for day in by_polars["date"].to_list()]


def _plain(value: Any) -> Any:
    """A value of any of the three readers as plain Python: lists for arrays, None for nulls and NaN."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is None or value is pandas.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value

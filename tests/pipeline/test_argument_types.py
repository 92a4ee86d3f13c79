"""Command-line values that cannot work are one line on stderr and exit 2, before anything is written."""

from __future__ import annotations

import pathlib

import pytest

from pipeline.cli import main

REPO = pathlib.Path(__file__).resolve().parents[2]
GOOD_FEED = str(REPO / "examples" / "sample" / "feeds" / "caspian-courier-atom.txt")


def refusal(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """stderr's last line of a command that must exit 2 (argparse exits, newsbeam's own checks return)."""
    try:
        code = main(arguments)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--shards", "0", "argument --shards: must be more than 0, not 0"),
    ("--shards", "-3", "argument --shards: must be more than 0, not -3"),  # wrote part--0001.parquet
    ("--max-document-mb", "0", "argument --max-document-mb: must be more than 0"),
    ("--shards", "four", "argument --shards: not a number: 'four'"),
])
def test_a_shard_count_or_size_limit_that_cannot_work_is_refused(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], option: str, value: str, said: str) -> None:
    output = tmp_path / "out"
    assert said in refusal(["ingest", GOOD_FEED, "--output", str(output), option, value], capsys)
    assert not output.exists()


@pytest.mark.parametrize(("arguments", "said"), [
    (["run", "--config", "feeds.toml", "-o", "out", "--per-host", "0"], "argument --per-host: must be more than 0"),
    (["run", "--config", "feeds.toml", "-o", "out", "--retries", "-1"], "argument --retries: must be 0 or more"),
    (["stream", "--drop-dir", ".", "-o", "out", "--max-inputs-per-window", "0"], "argument --max-inputs-per-window"),
    (["compact", "out", "--target-mb", "-1"], "argument --target-mb: must be more than 0, not -1"),
    (["inspect", "out", "--top", "-1"], "argument --top: must be 0 or more, not -1"),
    (["backfill", "in", "-o", "out", "--since", "12/01/2025"], "argument --since: not a day written YYYY-MM-DD"),
])
def test_fetch_compaction_inspection_and_backfill_values_are_checked(
        capsys: pytest.CaptureFixture[str], arguments: list[str], said: str) -> None:
    assert said in refusal(arguments, capsys)


def test_a_missing_or_malformed_alias_file_is_named_before_the_pipeline_starts(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    ingest = ["ingest", GOOD_FEED, "--output", str(output), "--aliases"]
    missing = tmp_path / "missing.toml"
    said = refusal([*ingest, str(missing)], capsys)
    assert said.endswith(f"{missing}: cannot read the file: No such file or directory")
    misspelt = tmp_path / "misspelt.toml"
    misspelt.write_text('[[entity]]\nid = "person:x"\nname = "X"\ntype = "person"\nalias = ["Ex"]\n', encoding="utf-8")
    assert "misspelt.toml: entity 'person:x': unknown key 'alias' (did you mean 'aliases'?)" in refusal(
        [*ingest, str(misspelt)], capsys)
    assert not output.exists()


def test_an_unknown_runner_is_refused_before_the_output_is_touched(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    said = refusal(["ingest", GOOD_FEED, "--output", str(output), "--runner", "NoSuchRunner"], capsys)
    assert "argument --runner: NoSuchRunner: Unexpected pipeline runner" in said
    assert not output.exists()


def test_a_drop_directory_that_does_not_exist_is_refused(tmp_path: pathlib.Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    said = refusal(["stream", "--drop-dir", str(tmp_path / "dorp"), "--output", str(tmp_path / "out")], capsys)
    assert said.endswith(f"argument --drop-dir: no such directory: {tmp_path / 'dorp'}")


@pytest.mark.parametrize(("typo", "said"), [
    ("--fail-on-errors", "newsbeam ingest: unknown option --fail-on-errors (did you mean --fail-on-error?)"),
    ("--outptu=x", "newsbeam ingest: unknown option --outptu (did you mean --output?)"),
    ("--no-such-thing", "newsbeam ingest: unknown option --no-such-thing"),
    ("--log-level=INFO", "newsbeam ingest: --log-level goes before the command: newsbeam --log-level ... ingest ..."),
])
def test_a_misspelt_option_is_refused_not_passed_to_beam(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                                          typo: str, said: str) -> None:
    output = tmp_path / "out"
    assert refusal(["ingest", GOOD_FEED, "--output", str(output), typo], capsys) == said
    assert not output.exists()


def test_feeds_import_refuses_arguments_it_does_not_know(tmp_path: pathlib.Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert refusal(["feeds", "import-opml", "subscriptions.opml", "--outptu", "feeds.toml"], capsys) == (
        "newsbeam feeds: unknown arguments --outptu feeds.toml")


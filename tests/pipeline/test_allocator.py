"""Arrow's allocator: the C library's malloc in every entry point that runs the pipeline, unless the user chose."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from pipeline.allocator import choose_arrow_allocator

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_the_users_choice_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    choose_arrow_allocator()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
    choose_arrow_allocator()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"


@pytest.mark.parametrize("entry_point", ["pipeline.cli", "benchmarks.single_run"])
def test_runs_measured_by_the_benchmark_use_the_allocator_of_the_command(entry_point: str) -> None:
    """The benchmark runs the pipeline without the CLI: it must choose as the CLI does, or it measures
    another program (mimalloc: 984 MiB where the command peaks at 918, 2 workers, 20,000 items)."""
    probe = f"import {entry_point}, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    clean = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    completed = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=clean, capture_output=True, text=True,
                               check=True)
    assert completed.stdout.strip() == "system"

"""The shard count of an output directory is recorded and enforced."""

from __future__ import annotations

import pathlib

import pytest

from pipeline.dataset_layout import LayoutMismatchError, ensure_layout


def test_a_different_shard_count_is_refused_with_the_recorded_one(tmp_path: pathlib.Path) -> None:
    ensure_layout(str(tmp_path), 8)
    ensure_layout(str(tmp_path), 8)
    with pytest.raises(LayoutMismatchError, match="--shards 8"):
        ensure_layout(str(tmp_path), 4)

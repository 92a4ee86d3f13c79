"""pipeline.paths.safe_path_component: hostile ids never leave the output directory."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pipeline.paths import safe_path_component

SAFE = re.compile(r"[A-Za-z0-9._-]+")


def test_safe_ids_are_kept_as_they_are() -> None:
    assert safe_path_component("bbc-world_2.rss") == "bbc-world_2.rss"


def test_traversal_slashes_and_nul_are_replaced_and_tagged_with_a_hash() -> None:
    for hostile in ("../../etc", "a/b", "a\\b", "nul\x00byte", "..", ".", ".hidden", "é-accent"):
        component = safe_path_component(hostile)
        assert SAFE.fullmatch(component) and not component.startswith(".")
        assert component != hostile and re.search(r"-[0-9a-f]{10}$", component)


def test_distinct_ids_that_clean_alike_stay_distinct() -> None:
    assert safe_path_component("a/b") != safe_path_component("a_b")
    assert safe_path_component("a/b") != safe_path_component("a:b")


def test_long_ids_are_cut_to_the_limit_with_a_hash() -> None:
    component = safe_path_component("x" * 300)
    assert len(component) == 100 and component != safe_path_component("x" * 299)


def test_empty_id_gives_a_nonempty_component() -> None:
    assert safe_path_component("") and safe_path_component("...") and safe_path_component("") != "."


@given(st.text(max_size=400))
def test_any_text_gives_one_safe_component_inside_the_output_dir(value: str) -> None:
    component = safe_path_component(value)
    assert SAFE.fullmatch(component) and not component.startswith(".") and len(component) <= 100
    assert safe_path_component(component) == component  # stable: cleaning twice changes nothing
    root = Path("/out/raw")
    assert (root / component).resolve().parent == root.resolve()

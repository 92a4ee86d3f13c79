"""Turn untrusted values (source ids, hosts) into file-name components that stay inside the output dir."""

from __future__ import annotations

import hashlib
import re

MAX_COMPONENT_CHARS = 100
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_HASH_SUFFIX_CHARS = 10


def safe_path_component(value: str, max_chars: int = MAX_COMPONENT_CHARS) -> str:
    """Return ``value`` as one safe path component: only [A-Za-z0-9._-], no leading dot, never empty.

    A value that is already safe comes back unchanged. Any other value is cleaned, cut, and given a
    short hash of the original, so that two different ids never share a folder ("a/b" and "a_b") and
    the result is stable across runs. The result is at most ``max_chars`` long and cleaning it again
    changes nothing.
    """
    cleaned = _UNSAFE_CHARS.sub("_", value).lstrip(".")
    if cleaned == value and 0 < len(value) <= max_chars:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_SUFFIX_CHARS]
    stem = cleaned[: max_chars - _HASH_SUFFIX_CHARS - 1] or "_"
    return f"{stem}-{digest}"

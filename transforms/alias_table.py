"""Folded aliases and what each stands for, packed into a few flat buffers for the entity matcher.

A gazetteer holds its aliases as a dict of ``Alias`` tuples, each with its own strings: read from its cache
file, the packaged one adds about 65 MB to a process (measured at 123,347 aliases; 145,678 now). The
matcher reads an alias only when a text matches it (most never do), so it keeps them packed instead: the
folded aliases and the written forms each as one UTF-8 byte string with an array of offsets, the entity as
a number into one list of entity ids, and the three flags as bits of one byte; about 7 MB for the packaged
gazetteer (5.6 at 123,347). An alias is unpacked when asked for.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple, Protocol

_REQUIRE_CAPITAL = 1
_REQUIRE_DIACRITICS = 2
_ALTERNATE = 4
_FILL_BATCH = 1024  # strings encoded at once while packing


def _utf8_length(text: str) -> int:
    """Bytes of ``text`` in UTF-8."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class AliasFields(Protocol):
    """What the table keeps of a gazetteer alias (``transforms.gazetteer.Alias`` has these fields)."""

    entity_id: str
    surface: str
    require_capital: bool
    require_diacritics: bool
    languages: tuple[str, ...]

    @property
    def alternate(self) -> bool:
        """True for a city's alternate name ("Tokio", "Wien") or a case form of one."""


class PackedAlias(NamedTuple):
    """One alias as unpacked from the table."""

    folded: str
    entity_id: str
    surface: str
    require_capital: bool
    require_diacritics: bool
    alternate: bool = False
    languages: tuple[str, ...] = ()  # match only in text of these languages; () in any


class PackedStrings:
    """Strings stored as one UTF-8 byte string and the offset where each one starts (lone surrogates,
    which JSON may hold, are kept as they are)."""

    def __init__(self, strings: Callable[[], Iterable[str]]) -> None:
        """Pack the strings that ``strings()`` gives. It is called twice and must give the same strings: once
        to size the buffers, once to fill them, so that no buffer grows in steps and no copy of the whole is
        made (freed steps and copies stay in the process as holes in the C heap: 10 MB more, measured)."""
        self._starts = array("I", itertools.accumulate(map(_utf8_length, strings()), initial=0))  # 4 GiB at most
        self._data = bytearray(self._starts[-1])
        start = 0
        batches = iter(strings())
        while batch := list(itertools.islice(batches, _FILL_BATCH)):
            encoded = "".join(batch).encode("utf-8", "surrogatepass")
            self._data[start: start + len(encoded)] = encoded
            start += len(encoded)
        if start != self._starts[-1]:
            raise ValueError("strings() gave other strings the second time")

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._starts) - 1:
            raise IndexError(f"string number {index} not in {len(self._starts) - 1}")
        return self._data[self._starts[index]: self._starts[index + 1]].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        data, starts = self._data, self._starts
        return (data[start:end].decode("utf-8", "surrogatepass") for start, end in itertools.pairwise(starts))


class AliasTable:
    """Aliases by number, in the order of the mapping they were packed from; each unpacked when asked for."""

    def __init__(self, aliases: Mapping[str, AliasFields], entity_ids: Iterable[str] = ()) -> None:
        """Pack ``folded alias -> alias``. ``entity_ids`` are the ids the aliases name: given, the table keeps
        those string objects (a gazetteer's entity table) rather than the first alias's copy of each."""
        self._entity_ids: list[str] = list(dict.fromkeys(entity_ids))
        entity_numbers = {entity_id: number for number, entity_id in enumerate(self._entity_ids)}
        for alias in aliases.values():
            if alias.entity_id not in entity_numbers:
                entity_numbers[alias.entity_id] = len(self._entity_ids)
                self._entity_ids.append(alias.entity_id)
        self._entities = array("I", [0]) * len(aliases)
        self._flags = bytearray(len(aliases))
        for index, alias in enumerate(aliases.values()):
            self._entities[index] = entity_numbers[alias.entity_id]
            self._flags[index] = (
                (_REQUIRE_CAPITAL if alias.require_capital else 0)
                | (_REQUIRE_DIACRITICS if alias.require_diacritics else 0)
                | (_ALTERNATE if alias.alternate else 0)
            )
        # the few aliases limited to some languages (``language_aliases``), by number
        self.languages: dict[int, tuple[str, ...]] = {
            index: tuple(alias.languages) for index, alias in enumerate(aliases.values()) if alias.languages}
        self.folded = PackedStrings(aliases.keys)
        self._surfaces = PackedStrings(lambda: (alias.surface for alias in aliases.values()))

    def __len__(self) -> int:
        return len(self._flags)

    def __getitem__(self, index: int) -> PackedAlias:
        flags = self._flags[index]
        return PackedAlias(
            folded=self.folded[index],
            entity_id=self._entity_ids[self._entities[index]],
            surface=self._surfaces[index],
            require_capital=bool(flags & _REQUIRE_CAPITAL),
            require_diacritics=bool(flags & _REQUIRE_DIACRITICS),
            alternate=bool(flags & _ALTERNATE),
            languages=self.languages.get(index, ()),
        )

    def __iter__(self) -> Iterator[PackedAlias]:
        return (self[index] for index in range(len(self)))

"""Document-field units coded as they are collected (the input nominal α reads fastest).

``FieldUnits`` is a read-only ``Mapping`` ``unit id -> {coder: value}``, so every statistic
that takes ``units`` takes it unchanged. It is built one unit at a time with ``add`` (as the
agreement report reads one document at a time), and codes each value when the unit is added:
the code of a value is its rank of first appearance, ``None`` (a missing value) gets no code.
Nominal α then reads the codes as arrays instead of walking every unit's dict again, the way
the numpy ``krippendorff`` package reads its ready reliability matrix.

The units added are copied and frozen (``MappingProxyType``), so the codes cannot go stale.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Iterator, Mapping
from types import MappingProxyType


class FieldUnits(Mapping[Hashable, Mapping[str, Hashable]]):
    """``unit id -> {coder: value}``, with each unit's present values coded on ``add``."""

    __slots__ = ("_units", "_lookup", "_codes", "_sizes", "_coders")

    def __init__(self, units: Iterable[tuple[Hashable, Mapping[str, Hashable]]] = ()) -> None:
        self._units: dict[Hashable, Mapping[str, Hashable]] = {}
        self._lookup: dict[Hashable, int] = {}  # value -> code (rank of first appearance)
        self._codes = array("q")  # the codes of the present values, unit after unit
        self._sizes = array("q")  # how many present values each unit has
        self._coders: set[str] = set()  # coders with at least one present value
        for unit_id, unit in units:
            self.add(unit_id, unit)

    def add(self, unit_id: Hashable, unit: Mapping[str, Hashable]) -> None:
        """Add one unit (a unit id can be added once: its codes are already counted)."""
        if unit_id in self._units:
            raise ValueError(f"unit {unit_id!r} was already added")
        frozen = MappingProxyType(dict(unit))
        self._units[unit_id] = frozen
        lookup = self._lookup
        size = 0
        for coder, value in frozen.items():
            if value is None:
                continue
            code = lookup.get(value)
            if code is None:
                code = lookup[value] = len(lookup)
            self._codes.append(code)
            self._coders.add(coder)
            size += 1
        self._sizes.append(size)

    def coded(self) -> tuple[array[int], array[int], list[Hashable], int]:
        """``(codes, sizes, categories, number of coders)``: the present values' codes unit
        after unit, each unit's number of present values, the values in code order, and how
        many coders have a present value."""
        return self._codes, self._sizes, list(self._lookup), len(self._coders)

    def __getitem__(self, unit_id: Hashable) -> Mapping[str, Hashable]:
        return self._units[unit_id]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def __reduce__(
        self,
    ) -> tuple[type[FieldUnits], tuple[list[tuple[Hashable, dict[str, Hashable]]]]]:
        """Pickled, copied and deep-copied as its units, coded again on the way back: a
        copy shares no array with the original (the default copied the slots' references,
        so adding to a copy added to both; the frozen units cannot be pickled as they are)."""
        return (FieldUnits, ([(u, dict(unit)) for u, unit in self._units.items()],))

    def __repr__(self) -> str:
        return f"FieldUnits({dict(self._units.items())!r})"

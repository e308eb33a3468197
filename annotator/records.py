"""Frozen records: what ``@dataclass(frozen=True)`` makes, without making it at import.

``dataclasses`` writes a class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles them when the class is
created: about half a millisecond a class, paid at every start of the window for the
records it reads at once (``models``, ``scheme``, ``colours``; ``bench/startup.py``). A
:class:`FrozenRecord` subclass writes its ``__init__`` (typed, compiled with its module;
its parameters are the fields, in order) and takes the rest from here. It behaves as
the frozen dataclass did: equal (to its own class only) and hashed by its fields in
order, a dataclass's repr, ``dataclasses.FrozenInstanceError`` on assigning or
deleting an attribute, ``__match_args__``; ``dataclasses.replace``, ``fields``,
``asdict``, ``astuple`` and ``is_dataclass`` take it as a dataclass.

A field whose dataclass default was a ``default_factory`` takes ``None`` for "not
given" in its ``__init__`` and makes the value there (``Document.meta``).

A :class:`Record` is the same without the freezing: what ``@dataclass(eq=False)`` made
(a dataclass's repr and fields, attributes that can be assigned, equal and hashed by
identity), for the pending edits the window imports at start (``pending/edits.py``); a
:class:`MutableRecord` what ``@dataclass`` made (equal by its fields, unhashable).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    import dataclasses

_R = TypeVar("_R")


class _LazyFields:
    """A record class's ``__dataclass_fields__``, made on its first read: ``dataclasses``
    (about 2 ms to import) is imported then, not when the window starts, which reads
    records but never their fields (``bench/startup.py``). A base class below has none
    (``dataclasses.is_dataclass`` says no, as it did of them)."""

    def __get__(self, record: object, cls: type) -> dict[str, dataclasses.Field[Any]]:
        spec = cls.__dict__.get("_field_spec")
        if spec is None:  # Record, MutableRecord, FrozenRecord themselves
            raise AttributeError("__dataclass_fields__")
        import dataclasses

        names, defaults, annotations = spec
        first_default = len(names) - len(defaults)
        marker = getattr(dataclasses, "_FIELD")  # noqa: B009 -- what fields() lists
        fields = {}
        for i, name in enumerate(names):
            f: dataclasses.Field[Any] = (
                dataclasses.field(default=defaults[i - first_default])
                if i >= first_default
                else dataclasses.field()
            )
            f.name = name
            f.type = annotations.get(name, Any)
            f._field_type = marker  # type: ignore[attr-defined]
            fields[name] = f
        type.__setattr__(cls, "__dataclass_fields__", fields)  # read once a class
        return fields


class _Fields:
    """What both kinds of record share: the fields read from the ``__init__`` a record
    writes, ``__match_args__`` and a dataclass's repr."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]] = _LazyFields()  # type: ignore[assignment]
    __match_args__: ClassVar[tuple[str, ...]] = ()
    _values: ClassVar[Callable[[Any], tuple[Any, ...]]]  # the fields' values, in order
    # a record class's fields: their names (its __init__'s parameters), defaults, types
    _field_spec: ClassVar[tuple[tuple[str, ...], tuple[Any, ...], dict[str, Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:  # the bases below: no fields
            return
        init = cls.__dict__["__init__"]  # every record writes its own
        code = init.__code__
        names: tuple[str, ...] = code.co_varnames[1 : code.co_argcount]
        annotations = cls.__dict__.get("__annotations__", {})
        cls._field_spec = (names, init.__defaults__ or (), annotations)
        setattr(cls, "__match_args__", names)  # noqa: B010 (mypy takes it as fixed)
        if len(names) > 1:
            cls._values = attrgetter(*names)  # a C callable: no binding, returns a tuple
        else:
            one = attrgetter(*names)
            cls._values = staticmethod(lambda record: (one(record),))

    def __repr__(self) -> str:
        values = type(self)._values(self)
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(self.__match_args__, values, strict=True))
        return f"{type(self).__qualname__}({shown})"


def replace(record: _R, /, **changes: Any) -> _R:
    """``dataclasses.replace`` (a copy of ``record`` with ``changes``), which a record
    does without importing ``dataclasses``; anything else goes to ``dataclasses.replace``.
    As there, every field goes to the class's ``__init__`` (which checks the names)."""
    cls = type(record)
    spec = getattr(cls, "_field_spec", None)
    if spec is None:
        import dataclasses

        return dataclasses.replace(record, **changes)  # type: ignore[type-var]
    values = dict(zip(spec[0], cls._values(record), strict=True))  # type: ignore[attr-defined]
    values.update(changes)
    return cls(**values)


class Record(_Fields):
    """Base of the records that can change (``@dataclass(eq=False)``: see the module's
    docstring): equal and hashed by identity, as ``object`` is."""


class MutableRecord(_Fields):
    """Base of the records that can change and compare by value (``@dataclass``: equal
    to its own class only, by its fields in order; unhashable)."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return type(self)._values(self) == type(self)._values(other)
        return NotImplemented


class FrozenRecord(_Fields):
    """Base of the frozen records (see the module's docstring)."""

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return type(self)._values(self) == type(self)._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(type(self)._values(self))

    def __setattr__(self, name: str, value: Any) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

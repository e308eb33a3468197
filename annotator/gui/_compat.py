"""Work-arounds for bugs in the Qt binding, applied once when the GUI is imported.

PySide6 6.12.0 on CPython < 3.12 returns ``None`` from every binding call that
returns nothing without taking a reference to it (harmless on 3.12+, where
``None`` is immortal). Each call to e.g. ``QPainter.fillRect`` or
``QObject.setObjectName`` then lowers ``None``'s reference count by one, and after
some tens of thousands of calls (minutes of painting) CPython aborts with
"Fatal Python error: none_dealloc: deallocating None". We detect the leak with a
probe and, only if it is present, give ``None`` a reference count so large that
it cannot reach zero in the lifetime of a process. Remove when the binding is fixed.
"""

from __future__ import annotations

import sys

PROBE_CALLS = 64


def none_leak_per_call() -> float:
    """How many references to None one void binding call drops (0 when healthy)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / PROBE_CALLS


def guard_none_refcount() -> bool:
    """Make ``None`` effectively immortal if the binding leaks it; returns True if applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if hasattr(sys, "gettotalrefcount"):  # debug build: different object layout
        return False
    if none_leak_per_call() < 0.5:
        return False
    import ctypes

    # ob_refcnt is the first field of every object in a release build of CPython < 3.12.
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if refcnt.value < 1 << 40:
        refcnt.value += 1 << 40
    return True


NONE_GUARD_APPLIED = guard_none_refcount()

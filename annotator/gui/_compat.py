"""Work-arounds for bugs in the Qt binding, applied once when the GUI is imported.

PySide6 6.12.0 on CPython < 3.12 returns ``None`` from every binding call that
returns nothing without taking a reference to it (harmless on 3.12+, where
``None`` is immortal). Each call to e.g. ``QPainter.fillRect`` or
``QObject.setObjectName`` then lowers ``None``'s reference count by one, and after
some tens of thousands of calls (minutes of painting) CPython aborts with
"Fatal Python error: none_dealloc: deallocating None". We detect the leak with a
probe and, only if it is present, give ``None`` a reference count so large that
it cannot reach zero in the lifetime of a process. Remove when the binding is fixed.

And a cost of the binding at start-up: its import hook reads the source of each module
imported after it, looking for features no module here selects
(:func:`skip_pyside_source_scan`).
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


def skip_pyside_source_scan() -> int:
    """Spare PySide reading the source of every module imported after it (about 0.1 ms a
    module, 10-20 ms for the window's start-up).

    PySide6 replaces ``__import__``; for each module an import statement names, it
    looks the module's name up in ``pyside_feature_dict`` (the ``from __feature__ import
    snake_case`` selections) and, the first time, reads the module's whole source with
    ``inspect.getsource`` to record 0 if it mentions "PySide6", else -1 ("ignore this
    module"). Neither value changes anything in a program that selects no feature (0 is
    the default selection; this package selects none), so the package's own modules
    (0) and the standard library's (-1: they never mention PySide6) are entered here,
    where PySide has not entered them already. Returns how many names were entered; 0
    if this PySide keeps no such dictionary.
    """
    import os

    import PySide6.QtCore  # noqa: F401 -- installs the import hook and the dictionary

    feature = sys.modules.get("shibokensupport.feature")
    known = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(known, dict):
        return 0
    before = len(known)
    stdlib = sys.stdlib_module_names
    for name in list(sys.modules):
        if name.partition(".")[0] in stdlib:
            known.setdefault(name, -1)
    for name in stdlib:
        known.setdefault(name, -1)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    top = os.path.dirname(package)
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [d for d in subfolders if d.isidentifier() and not d.startswith("__")]
        prefix = os.path.relpath(folder, top).replace(os.sep, ".")
        for file in files:
            if file.endswith(".py"):
                known.setdefault(prefix if file == "__init__.py" else f"{prefix}.{file[:-3]}", 0)
    return len(known) - before


NONE_GUARD_APPLIED = guard_none_refcount()
PYSIDE_NAMES_ENTERED = skip_pyside_source_scan()

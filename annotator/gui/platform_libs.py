"""Before the window opens on Linux: are the system libraries of Qt's xcb platform plugin
installed? Qt aborts the process when the plugin cannot load and names only the first
missing library; this names them all, with the command that installs them, in one line.

The check loads the plugin (``dlopen``) before the ``QApplication`` does: when everything
is present that is the load Qt would do a moment later anyway (Qt's own load then finds
it loaded), so it costs nothing measurable. Only when it fails is ``ldd`` run on the
plugin to list every dependency that is "not found" (its own and those of the libraries
it needs, libQt6XcbQpa among them). The missing sonames are named as packages through
``annotator.syslibs.PACKAGES``; a soname not in that table is named as it is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..syslibs import (
    PACKAGES,
    distribution,
    ldd_missing,
    missing_in_error,
    missing_message,
    parse_ldd,
)

__all__ = [
    "PACKAGES",
    "distribution",
    "find_plugin",
    "missing_libraries",
    "missing_message",
    "parse_ldd",
    "platform_name",
    "platform_problem",
]

# re, shutil and subprocess (in annotator.syslibs) are imported only when the plugin
# fails to load: on the start-up path they would cost milliseconds for nothing.

PLUGIN = "libqxcb.so"


def platform_name(environ: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first: ``QT_QPA_PLATFORM`` (``xcb:opts;wayland``:
    xcb), else wayland in a Wayland session, else xcb."""
    given = environ.get("QT_QPA_PLATFORM", "").strip()
    if given:
        return given.split(";")[0].split(":")[0].strip().lower()
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def find_plugin(environ: Mapping[str, str], plugins_dir: str | None = None) -> Path | None:
    """The xcb plugin Qt would load: ``QT_QPA_PLATFORM_PLUGIN_PATH``, then each
    ``QT_PLUGIN_PATH`` entry's ``platforms/``, then Qt's own plugins folder."""
    folders = []
    if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.append(Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    for entry in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry:
            folders.append(Path(entry) / "platforms")
    if plugins_dir is None:
        from PySide6.QtCore import QLibraryInfo

        plugins_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    folders.append(Path(plugins_dir) / "platforms")
    for folder in folders:
        if (folder / PLUGIN).is_file():
            return folder / PLUGIN
    return None


def missing_libraries(plugin: Path) -> list[str] | None:
    """The sonames ``plugin`` needs that cannot be loaded, or None if it loads."""
    import ctypes

    try:
        ctypes.CDLL(str(plugin))
    except OSError as e:
        return ldd_missing([plugin]) or missing_in_error(str(e))
    return None


def platform_problem(
    environ: Mapping[str, str] | None = None, plugins_dir: str | None = None
) -> str | None:
    """Why Qt's platform plugin would fail to load here, as one line; None if it loads,
    or if it is not the xcb plugin on Linux (offscreen, wayland, macOS, Windows)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or platform_name(env) != "xcb":
        return None
    plugin = find_plugin(env, plugins_dir)
    if plugin is None:
        return None  # no xcb plugin to check: Qt reports what it finds
    missing = missing_libraries(plugin)
    if not missing:
        return None
    return missing_message(missing, distribution())

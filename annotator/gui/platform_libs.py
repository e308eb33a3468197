"""Before the window opens on Linux: are the system libraries of Qt's xcb platform plugin
installed? Qt aborts the process when the plugin cannot load and names only the first
missing library; this names them all, with the command that installs them, in one line.

The check loads the plugin (``dlopen``) before the ``QApplication`` does: when everything
is present that is the load Qt would do a moment later anyway (Qt's own load then finds
it loaded), so it costs nothing measurable. Only when it fails is ``ldd`` run on the
plugin to list every dependency that is "not found" (its own and those of the libraries
it needs, libQt6XcbQpa among them). The missing sonames are named as packages through
``PACKAGES`` below; a soname not in that table is named as it is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

# re, shutil and subprocess are imported only when the plugin fails to load: on the
# start-up path they would cost milliseconds for nothing.

PLUGIN = "libqxcb.so"

# soname -> (Debian/Ubuntu package, Fedora package): the libraries Qt 6's xcb plugin and
# libQt6XcbQpa need (``readelf -d``) beyond what every desktop has. Looked up with
# ``dpkg -S`` / ``dnf provides``; the xcb-util libraries are where the names differ.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}

_NOT_FOUND = r"^\s*(\S+)\s+=>\s+not found\s*$"
_DLOPEN_MISSING = r"(\S+\.so[.\d]*): cannot open shared object file"


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
        import re
        import shutil
        import subprocess

        first = re.findall(_DLOPEN_MISSING, str(e))
    else:
        return None
    ldd = shutil.which("ldd")
    found: list[str] = []
    if ldd is not None:
        try:
            out = subprocess.run(
                [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        found = parse_ldd(out)
    return found or first


def parse_ldd(output: str) -> list[str]:
    """The "not found" sonames of ``ldd`` output, each once, in order."""
    import re

    return list(dict.fromkeys(re.findall(_NOT_FOUND, output, re.MULTILINE)))


def distribution(os_release: str | None = None) -> str | None:
    """ "debian" or "fedora" (their derivatives included) from ``/etc/os-release``."""
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    ids = set()
    for line in os_release.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip("\"'").lower().split())
    if ids & {"debian", "ubuntu"}:
        return "debian"
    if ids & {"fedora", "rhel", "centos"}:
        return "fedora"
    return None


def missing_message(missing: list[str], distro: str | None) -> str:
    """One line: what is missing and the command that installs it."""
    known = [s for s in missing if s in PACKAGES]
    unknown = [s for s in missing if s not in PACKAGES]
    debian = list(dict.fromkeys(PACKAGES[s][0] for s in known))
    fedora = list(dict.fromkeys(PACKAGES[s][1] for s in known))
    line = (
        "the window cannot open: Qt's xcb platform plugin needs system libraries that are"
        f" not installed ({', '.join(missing)})"
    )
    commands = []
    if debian and distro in ("debian", None):
        commands.append(
            f"sudo apt install {' '.join(debian)}" + ("" if distro else " (Debian/Ubuntu)")
        )
    if fedora and distro in ("fedora", None):
        commands.append(f"sudo dnf install {' '.join(fedora)}" + ("" if distro else " (Fedora)"))
    if commands:
        line += "; install them with: " + " or ".join(commands)
        if unknown:
            line += f", and the package(s) that provide {', '.join(unknown)}"
    else:
        line += "; install the package(s) that provide them"
    return line


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

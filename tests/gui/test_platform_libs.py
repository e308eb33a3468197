"""Qt's xcb platform plugin without its system libraries: one line naming them all and the
command that installs them, found from the plugin's own dependencies, before Qt aborts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.gui.platform_libs import (
    PLUGIN,
    distribution,
    missing_message,
    parse_ldd,
    platform_name,
    platform_problem,
)

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="the xcb plugin and ldd are Linux's",
)

# ldd on PySide6 6.11's libqxcb.so on a fresh Debian 12 (the issue's machine), shortened
LDD_FRESH_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd6b5f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f97eef2c000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f97ed000000)
"""


def test_the_missing_libraries_are_read_from_ldd_and_named_as_packages():
    missing = parse_ldd(LDD_FRESH_DEBIAN)
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    line = missing_message(missing, "debian")
    assert line.endswith(
        "install them with: sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
    ), line
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in line
    fedora = missing_message(missing, "fedora")
    assert fedora.endswith("sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms")
    both = missing_message(missing, None)  # an unknown distribution: both commands
    assert "sudo apt install libxcb-cursor0" in both and "(Debian/Ubuntu)" in both
    assert "sudo dnf install xcb-util-cursor" in both and "(Fedora)" in both
    mixed = missing_message(["libxcb-icccm.so.4", "libfoo.so.3"], "debian")
    assert "apt install libxcb-icccm4, and the package(s) that provide libfoo.so.3" in mixed
    for text in (line, fedora, both, mixed):
        assert "\n" not in text


def test_distribution_and_platform():
    assert distribution("ID=ubuntu\nID_LIKE=debian\n") == "debian"
    assert distribution('ID="linuxmint"\nID_LIKE="ubuntu debian"') == "debian"
    assert distribution("ID=fedora\n") == "fedora"
    assert distribution('ID="rocky"\nID_LIKE="rhel centos fedora"') == "fedora"
    assert distribution("ID=arch\n") is None
    assert platform_name({}) == "xcb"
    assert platform_name({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert platform_name({"QT_QPA_PLATFORM": "xcb:nograb;wayland"}) == "xcb"
    assert platform_name({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"
    assert platform_name({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) == (
        "wayland"
    )
    assert platform_name({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}) == "xcb"


def launch_window(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, str]:
    """``annotator`` started as a coder starts it (database ``x.db`` in ``tmp_path``),
    which must exit 1 with one line on stderr; returns the process and that line."""
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(tmp_path / "x.db"), "--annotator", "ana"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert res.returncode == 1, (res.returncode, res.stderr)
    [line] = res.stderr.splitlines()
    return res, line


def _broken_plugin(tmp_path: Path) -> Path:
    """A copy of PySide6's own xcb plugin, in Qt's layout (``plugins/platforms`` beside
    ``lib``), whose three xcb-util dependencies are renamed to sonames no system has:
    the dynamic loader fails on it exactly as on a machine without those libraries."""
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    real = plugins / "platforms" / PLUGIN
    if not real.is_file():
        pytest.skip(f"no {real}")
    data = real.read_bytes()
    for soname in (b"libxcb-cursor.so.0", b"libxcb-icccm.so.4", b"libxcb-keysyms.so.1"):
        needed = soname + b"\0"
        if data.count(needed) != 1:
            pytest.skip(f"{real} does not need {soname.decode()} itself")
        data = data.replace(needed, soname[:-1] + b"9\0")
    qt = tmp_path / "Qt"
    (qt / "plugins" / "platforms").mkdir(parents=True)
    (qt / "lib").symlink_to(plugins.parent / "lib")  # the plugin's RUNPATH: $ORIGIN/../../lib
    (qt / "plugins" / "platforms" / PLUGIN).write_bytes(data)
    return qt / "plugins"


@linux_only
def test_the_check_loads_the_real_plugin_and_finds_every_missing_library(tmp_path):
    from PySide6.QtCore import QLibraryInfo

    plugins = _broken_plugin(tmp_path)
    env = {"DISPLAY": ":0"}
    problem = platform_problem(env, plugins_dir=str(plugins))
    assert problem is not None
    for soname in ("libxcb-cursor.so.9", "libxcb-icccm.so.9", "libxcb-keysyms.so.9"):
        assert soname in problem, problem
    # Qt's own plugin loads here (this machine has the libraries): nothing to say
    real = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    assert platform_problem(env, plugins_dir=real) is None
    # not the xcb platform: not checked at all
    for other in ({"QT_QPA_PLATFORM": "offscreen"}, {"QT_QPA_PLATFORM": "wayland"}):
        assert platform_problem({**env, **other}, plugins_dir=str(plugins)) is None


@linux_only
def test_annotator_names_the_missing_libraries_in_one_line_instead_of_aborting(tmp_path):
    """The real program, as a coder starts it, on an X display whose xcb plugin lacks
    its libraries (Qt would abort with its multi-line message and exit code 134)."""
    plugins = _broken_plugin(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND", "XDG_S"))}
    env.update(
        DISPLAY=":0",
        QT_QPA_PLATFORM_PLUGIN_PATH=str(plugins / "platforms"),
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    res, line = launch_window(tmp_path, env)
    assert line.startswith("Error: the window cannot open: Qt's xcb platform plugin needs"), line
    assert "libxcb-cursor.so.9, libxcb-icccm.so.9, libxcb-keysyms.so.9" in line, line


def _pyside_without(tmp_path: Path, soname: bytes) -> Path:
    """A site folder whose ``PySide6`` is the real one (symlinks) except ``QtGui``: a copy
    whose dependency ``soname`` is renamed to one no system has, so importing PySide6.QtGui
    fails in the dynamic loader exactly as on a server without that library."""
    import PySide6

    real = Path(PySide6.__file__).parent
    site = tmp_path / "site"
    fake = site / "PySide6"
    fake.mkdir(parents=True)
    (site / "shiboken6").symlink_to(real.parent / "shiboken6")  # QtGui's RPATH: ../shiboken6
    for entry in real.iterdir():
        if entry.name != "QtGui.abi3.so":
            (fake / entry.name).symlink_to(entry)
    data = (real / "QtGui.abi3.so").read_bytes()
    needed = soname + b"\0"
    if data.count(needed) != 1:
        pytest.skip(f"{real / 'QtGui.abi3.so'} does not need {soname.decode()} itself")
    (fake / "QtGui.abi3.so").write_bytes(data.replace(needed, soname[:-1] + b"9\0"))
    return site


@linux_only
def test_a_missing_library_of_pyside6_itself_is_named_in_one_line(tmp_path):
    """libGL/libEGL missing (a server, a slim container): importing PySide6.QtGui fails
    before any platform plugin is tried. The program used to say "the annotation window is
    not available in this version yet" and print the help; it names the library now, and
    creates no database."""
    site = _pyside_without(tmp_path, b"libGL.so.1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=":0", PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    res, line = launch_window(tmp_path, env)
    assert line.startswith("Error: the window cannot open: PySide6 (Qt) needs system libraries")
    assert "libGL.so.9" in line and "not available in this version" not in res.stdout
    assert not (tmp_path / "x.db").exists()


def test_other_import_errors_are_not_taken_for_missing_libraries():
    from annotator.syslibs import missing_in_error, pyside_problem

    assert pyside_problem("No module named 'PySide6'") is None
    assert pyside_problem("cannot import name 'QAction' from 'PySide6.QtGui'") is None
    text = "libEGL.so.1: cannot open shared object file: No such file or directory"
    assert missing_in_error(text) == ["libEGL.so.1"]
    line = pyside_problem(text, pyside_dir=Path("/nonexistent"))  # no ldd answer: the first
    assert line is not None and "(libEGL.so.1)" in line and "\n" not in line

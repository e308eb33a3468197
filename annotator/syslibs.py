"""Which system package provides a missing shared library, and the one line that says so.

Plain Python (no Qt): the command line uses it when PySide6 itself cannot be imported
(``libEGL.so.1: cannot open shared object file``), and ``gui/platform_libs`` when Qt's
xcb platform plugin cannot load. Also how the process uses the system's BLAS library
(:func:`one_blas_thread`, for the agreement statistics in the command line and the window).
"""

from __future__ import annotations

from pathlib import Path

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

_DLOPEN_MISSING = r"(\S+\.so[.\d]*): cannot open shared object file"


def missing_in_error(message: str) -> list[str]:
    """The sonames a loader error names as missing (``dlopen``'s and Python's
    ``ImportError`` text: ``libEGL.so.1: cannot open shared object file: ...``)."""
    import re  # only on this failure path: not a cost of every start-up

    return list(dict.fromkeys(re.findall(_DLOPEN_MISSING, message)))


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


def missing_message(
    missing: list[str], distro: str | None, needs: str = "Qt's xcb platform plugin"
) -> str:
    """One line: what is missing (``needs`` needs it) and the command that installs it."""
    known = [s for s in missing if s in PACKAGES]
    unknown = [s for s in missing if s not in PACKAGES]
    debian = list(dict.fromkeys(PACKAGES[s][0] for s in known))
    fedora = list(dict.fromkeys(PACKAGES[s][1] for s in known))
    line = (
        f"the window cannot open: {needs} needs system libraries that are not installed"
        f" ({', '.join(missing)})"
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


_NOT_FOUND = r"^\s*(\S+)\s+=>\s+not found\s*$"


def parse_ldd(output: str) -> list[str]:
    """The "not found" sonames of ``ldd`` output, each once, in order."""
    import re

    return list(dict.fromkeys(re.findall(_NOT_FOUND, output, re.MULTILINE)))


def ldd_missing(files: list[Path]) -> list[str]:
    """Every soname ``ldd`` reports "not found" for ``files`` (theirs and their libraries'),
    each once; empty when ``ldd`` is not there or says nothing is missing."""
    import shutil
    import subprocess

    ldd = shutil.which("ldd")
    found: list[str] = []
    for f in files:
        if ldd is None or not f.is_file():
            continue
        try:
            out = subprocess.run(
                [ldd, str(f)], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found.extend(parse_ldd(out))
    return list(dict.fromkeys(found))


# PySide6's modules the window imports, whose system libraries (libEGL, libGL, fontconfig,
# xkbcommon, ...) a server or container may lack.
_PYSIDE_FILES = ("QtGui.abi3.so", "QtWidgets.abi3.so", "Qt/lib/libQt6Gui.so.6")


def pyside_problem(message: str, pyside_dir: Path | None = None) -> str | None:
    """One line for an ``ImportError`` of PySide6 caused by missing system libraries
    (``message`` is its text), naming all of them with the install command; None when the
    error is something else."""
    first = missing_in_error(message)
    if not first:
        return None
    if pyside_dir is None:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")  # does not run PySide6/__init__
        origin = spec.origin if spec is not None else None
        pyside_dir = Path(origin).parent if origin else None
    files = [pyside_dir / f for f in _PYSIDE_FILES] if pyside_dir is not None else []
    missing = ldd_missing(files) or first
    return missing_message(missing, distribution(), needs="PySide6 (Qt)")


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread() -> None:
    """Run numpy's BLAS on one thread in this process, if numpy is not loaded yet and the
    user did not choose a number (their setting wins).

    The agreement statistics take dot products of vectors of up to a few hundred thousand
    values, per bootstrap resample (α_U's units and gaps): OpenBLAS splits each over its
    threads, whose start and spin-waiting cost more than the product itself, and far more
    when the machine's cores are busy (measured: ``agreement --json`` on 2,000 documents
    x 3 coders x 30 spans, 41 s with the default threads against 8.4 s on one, the output
    byte for byte the same). One thread also makes the sums' order, and so the last bits
    of every value, independent of the machine's number of cores."""
    import os
    import sys

    if "numpy" in sys.modules:
        return
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")

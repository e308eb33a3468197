"""Application bootstrap: ``run(db_path, coder) -> exit code`` and ``main_window``.

Start-up ends when a coder can press a label key (``bench/startup.py``): what the first
screen does not need (the window icon, the menus' other actions, the review and
agreement modules, the file jobs, spaCy) is loaded after it or on first use
(``deferred.AfterStart``; ``tests/gui/test_startup_path.py`` checks what is loaded), and
Python's cyclic garbage collector waits until then too (:func:`pause_gc`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ..colours import palette_from_literal, palette_to_literal, remember_palette
from ..errors import AnnotatorError
from ..scheme import Scheme, remember_toml, resource_path, toml_as_literal
from ..store import Store
from ..syslibs import one_blas_thread
from .coder import APPLICATION, ORGANISATION, announce_coder, app_settings, start_coder

if TYPE_CHECKING:
    from .window import MainWindow


def open_store(path: str | Path) -> Store:
    """The window's connection to ``path``: read-write, or read-only when the file or its
    folder cannot be written (the window then reads and reviews, and refuses edits)."""
    from ..project import open_database

    return open_database(path, read_only_ok=True)


def main_window(
    db: str | Path | Store, coder: str | None = None, settings: QSettings | None = None
) -> MainWindow:
    """The annotation window for an existing database (a path, or a store already open,
    which the window then owns and closes), not shown.

    A ``QApplication`` must exist. Without ``coder`` the coder remembered for this
    database is used, or the coder is asked (``coder.start_coder``).
    """
    from .window import MainWindow

    settings = settings if settings is not None else app_settings()
    remembered = remember_toml(settings.value(SCHEME_KEY))  # before the store reads its scheme
    if isinstance(db, Store):
        store = db
    else:
        path = Path(db)
        if not path.is_file():
            raise AnnotatorError(f"{path}: no such database")
        store = open_store(path)
    try:
        name, previous = start_coder(settings, store, coder)
        stored = load_palette(settings, store.scheme)
        window = MainWindow(store, name, settings, open_store=open_store)
        if not stored:
            window.after_start.add(lambda: save_palette(settings, window.scheme))
        window.after_start.add(lambda: save_scheme_toml(settings, store, remembered))
        announce_coder(window, previous, store.path.name)
        return window
    except BaseException:
        store.close()
        raise


SCHEME_KEY = "scheme/parsed"  # the last database's scheme: TOML text and tables
PALETTE_KEY = "palette/derived"  # the last scheme's palette (colours.palette_to_literal)


def _palette_inputs(scheme: Scheme) -> tuple[tuple[str, str], ...]:
    return tuple((lab.name, lab.color) for lab in scheme.span_labels)


def load_palette(settings: QSettings, scheme: Scheme) -> bool:
    """Take the palette stored by an earlier launch for ``scheme`` (deriving it takes
    about 10 ms), if it was derived from the same label colours by the same colour rules
    (``colours.palette_from_literal``: anything else is ignored). True if it was taken."""
    labels = _palette_inputs(scheme)
    palette = palette_from_literal(settings.value(PALETTE_KEY), labels)
    if palette is None:
        return False
    remember_palette(labels, palette)
    return True


def save_palette(settings: QSettings, scheme: Scheme) -> None:
    """Store ``scheme``'s palette for the next launch (``load_palette``)."""
    settings.setValue(PALETTE_KEY, palette_to_literal(_palette_inputs(scheme), scheme.palette()))


def save_scheme_toml(settings: QSettings, store: Store, remembered: str | None) -> None:
    """Store the TOML text of ``store``'s scheme and its tables for the next launch
    (``scheme.toml_as_literal``), unless that text is the one ``remembered`` (taken from
    the settings at this launch)."""
    versions = store.scheme_versions()
    text = store.scheme_version_toml(versions[-1]) if versions else None
    if text is not None and text != remembered:
        stored = toml_as_literal(text)
        if stored is not None:
            settings.setValue(SCHEME_KEY, stored)


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why no window can open here (Linux without a display), as one line; None if fine.

    Qt itself would abort the process with several lines of plugin diagnostics.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); run it"
        " in a desktop session, under xvfb-run, or use the command-line commands"
        " (annotator --help)"
    )


def run(db: str | Path | Store, coder: str | None = None) -> int:
    """Open the window on ``db`` (a path, or a store already open: the command line's,
    which the window then owns and closes) and run the event loop; returns the exit code."""
    if QApplication.instance() is None:
        problem = display_problem()
        if problem:
            print(f"Error: {problem}", file=sys.stderr)
            if isinstance(db, Store):
                db.close()
            return 1
        from .platform_libs import platform_problem

        problem = platform_problem()  # before the QApplication: Qt aborts on this
        if problem:
            print(f"Error: {problem}", file=sys.stderr)
            if isinstance(db, Store):
                db.close()
            return 1
    one_blas_thread()  # before anything loads numpy (the agreement windows; see syslibs)
    resume_gc = pause_gc()
    app = cast(QApplication, QApplication.instance()) or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("annotator")
    # the collector runs again by then whatever happens: a coder prompt before the window
    # (its own event loop runs the timer), a window never painted (minimised)
    QTimer.singleShot(GC_PAUSE_MAX_MS, resume_gc)
    try:
        window = main_window(db, coder)
    except AnnotatorError as e:
        resume_gc()
        if str(e) == "no coder name given":
            return 1
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Critical, "annotator", str(e), QMessageBox.StandardButton.Ok
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # names files, coders: data, not HTML
        box.setObjectName("startupError")
        box.exec()
        return 1
    except BaseException:
        resume_gc()
        raise
    window.show()
    window.after_start.add(lambda: set_window_icon(app))  # an SVG: not for the first paint
    window.after_start.add(resume_gc)
    try:
        return app.exec()
    finally:
        resume_gc()  # a window closed before its first paint dropped the job
        window.store.close()


GC_PAUSE_MAX_MS = 5000  # the collector runs again by then whatever happens


def pause_gc() -> Callable[[], None]:
    """Pause Python's cyclic garbage collector while the first screen is built; returns
    the call that resumes it (once; later calls do nothing).

    Building the window makes some 12,000 objects and almost no garbage cycles, so the
    collections their allocation sets off (about 30, 2-3 ms in all) find nothing to free:
    they wait until the label panel has been painted (``run`` resumes it as a deferred
    job, or ``GC_PAUSE_MAX_MS`` after ``run`` began at the latest, a coder prompt
    before the window included). Objects freed by their reference
    count are freed as always. A collector paused by the caller stays paused."""
    if not gc.isenabled():
        return lambda: None
    gc.disable()
    paused = [True]

    def resume() -> None:
        if paused:
            paused.clear()
            gc.enable()

    return resume


def set_window_icon(app: QApplication) -> None:
    """The application's icon (an SVG, drawn by Qt's SVG icon engine plugin)."""
    from PySide6.QtGui import QIcon

    icon = resource_path("icons/annotator.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))

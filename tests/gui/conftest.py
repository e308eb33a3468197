"""GUI test fixtures: offscreen Qt, isolated QSettings, real databases built with the core."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from annotator.corpus import RawDocument  # noqa: E402
from annotator.ingest import import_documents, import_paths  # noqa: E402
from annotator.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

from gui_helpers import EMOJI, SIMPLE  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """QSettings go to an INI file under tmp_path, never to the user's settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    # The window's own settings are QSettings(ORGANISATION, APPLICATION): the native
    # format, an INI file under ~/.config on Linux, which Qt locates once per process
    # (XDG_CONFIG_HOME is read at the first use), so its path is set here for each test.
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    yield


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "labels.db"
    with Store(path) as store:
        import_documents(
            store,
            [
                RawDocument(SIMPLE, "simple.txt", {"title": "Simple"}),
                RawDocument(EMOJI, "emoji.txt", {"title": "Emoji"}),
            ],
        )
        import_paths(store, [SEEDS])
    return path


@pytest.fixture
def db(template_db, tmp_path) -> Path:
    path = tmp_path / "labels.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def doc_ids(db) -> dict[str, int]:
    with Store(db) as s:
        return {d.title: d.id for d in s.list_documents()} | {
            Path(d.source).name: d.id for d in s.list_documents()
        }


@pytest.fixture
def open_window(qtbot, db):
    """``open_window(coder)`` -> a shown, active main window on the test database.
    ``open_window(coder, before_show=f)`` calls ``f(window)`` before it is shown (e.g.
    to take a start-up job out of the queue)."""
    from annotator.gui import main_window

    made = []

    def make(coder: str = "alice", path: Path | None = None, before_show=None):
        settings = QSettings()
        w = main_window(path or db, coder, settings=settings)
        if before_show is not None:
            before_show(w)
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
        # The label panel is built just after the article's first paint; a slow run
        # can reach the test body before that event (seen once in a clean-clone CI run).
        qtbot.waitUntil(lambda: w.panel_ready, timeout=5000)
        # What waits for the first paint (the menus' actions but the label keys, the
        # tokens, ...) has run: tests start from a window as a coder finds it.
        qtbot.waitUntil(lambda: w.started and w.after_start.waiting == 0, timeout=5000)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
        w.store.close()


@pytest.fixture
def reader(db):
    """A separate Store on the same file, to check what the window stored."""
    s = Store(db)
    yield s
    s.close()

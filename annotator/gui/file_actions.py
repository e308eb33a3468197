"""The File menu's jobs: open a database, import articles and labels, export, merge.

Every long job runs in a worker thread behind a progress dialog (``jobs.run_job``),
with its own Store connection; its result is shown in a readable dialog and the
window refreshes afterwards. Errors (:class:`~annotator.errors.AnnotatorError`) come
back as messages, never as tracebacks.

The file choosers are reached only through :func:`choose_open_files` and
:func:`choose_save_path` (tests replace those two; everything else is the real thing).
Both use :func:`file_dialog`: Qt's own dialog with an icon provider that never opens a
file. POSIX drops every lock a process holds on a file when the process closes *any*
descriptor of it, so a dialog (native or Qt's default) that reads the database, its
``-wal`` or ``-shm`` to guess their type silently drops SQLite's locks: another process
then checkpoints and deletes the WAL the window still writes to, and its edits are lost.
For the same reason nothing chosen in a dialog is read when it is the open database
(:func:`database_problem` compares device and inode; ``stat`` opens nothing).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QFileInfo, Qt, QThread
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHeaderView,
    QMessageBox,
    QStatusBar,
    QStyle,
    QTreeView,
    QWidget,
)

from ..formats.registry import EXPORT_FORMATS
from ..store import Store
from .jobs import Cancelled, JobProgress, Jobs

if TYPE_CHECKING:
    from ..scheme import Scheme
    from .file_dialogs import ResultDialog

EXPORT_UNITS = {f.key: f.long_unit for f in EXPORT_FORMATS}  # the core's format registry


class NameOnlyIconProvider(QAbstractFileIconProvider):
    """Icons and type names from the file name alone: nothing here opens a file.

    Qt's default providers ask ``QMimeDatabase`` for each file's type, which opens and
    reads files whose name does not settle it (``labels.db``, ``labels.db-wal``, ...).
    """

    def __init__(self) -> None:
        super().__init__()
        T, SP = QAbstractFileIconProvider.IconType, QStyle.StandardPixmap
        style = QApplication.style()
        self._icons = {
            T.Computer: style.standardIcon(SP.SP_ComputerIcon),
            T.Desktop: style.standardIcon(SP.SP_DesktopIcon),
            T.Trashcan: style.standardIcon(SP.SP_TrashIcon),
            T.Network: style.standardIcon(SP.SP_DriveNetIcon),
            T.Drive: style.standardIcon(SP.SP_DriveHDIcon),
            T.Folder: style.standardIcon(SP.SP_DirIcon),
            T.File: style.standardIcon(SP.SP_FileIcon),
        }

    def icon(self, what: Any) -> QIcon:  # icon(IconType) and icon(QFileInfo)
        T = QAbstractFileIconProvider.IconType
        if isinstance(what, QFileInfo):
            what = T.Drive if what.isRoot() else T.Folder if what.isDir() else T.File
        return self._icons.get(what, self._icons[T.File])

    def type(self, info: QFileInfo) -> str:
        if info.isRoot():
            return "Drive"
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


_icon_provider: NameOnlyIconProvider | None = None


def file_dialog(
    parent: QWidget,
    title: str,
    directory: str,
    filters: str,
    save: bool = False,
    many: bool = False,
    confirm_overwrite: bool = True,
) -> QFileDialog:
    """A file chooser that reads no file (see the module's docstring); not yet shown.

    Always Qt's own dialog: a platform's native chooser (GTK, KDE) runs in this process
    and sniffs file contents where nothing here can stop it.
    """
    global _icon_provider
    if _icon_provider is None:
        _icon_provider = NameOnlyIconProvider()
    dlg = QFileDialog(parent)  # no directory yet: nothing is listed before the provider is set
    dlg.setObjectName("fileDialog")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
    dlg.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons)
    dlg.setIconProvider(_icon_provider)
    dlg.setWindowTitle(title)
    dlg.setNameFilter(filters)
    if save:
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setFileMode(QFileDialog.FileMode.AnyFile)
        dlg.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    else:
        mode = QFileDialog.FileMode.ExistingFiles if many else QFileDialog.FileMode.ExistingFile
        dlg.setFileMode(mode)
    start = Path(directory) if directory else None
    if start is not None and not start.is_dir():
        dlg.setDirectory(str(start.parent))
        dlg.selectFile(start.name)
    elif start is not None:
        dlg.setDirectory(str(start))
    dlg.resize(max(dlg.width(), 780), max(dlg.height(), 480))
    tree = dlg.findChild(QTreeView, "treeView")
    if tree is not None:  # whole sizes and dates, the name takes the rest
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return dlg


def choose_open_files(parent: QWidget, title: str, directory: str, filters: str) -> list[str]:
    dlg = file_dialog(parent, title, directory, filters, many=True)
    return dlg.selectedFiles() if dlg.exec() else []


def choose_save_path(
    parent: QWidget, title: str, default: str, filters: str, folder: bool = False
) -> str:
    dlg = file_dialog(parent, title, default, filters, save=True, confirm_overwrite=not folder)
    files = dlg.selectedFiles() if dlg.exec() else []
    return files[0] if files else ""


class FileActionsHost(Protocol):
    """What the File menu's jobs need from the window they serve (the main window)."""

    store: Store
    coder: str
    scheme: Scheme
    jobs: Jobs

    def window(self) -> QWidget: ...  # the parent of dialogs

    def statusBar(self) -> QStatusBar: ...

    def notify(self, title: str, message: str, warning: bool = False) -> object: ...

    def report_error(self, message: str) -> None: ...

    def read_only_message(self) -> str: ...

    def reload_documents(self) -> None: ...

    def reload_scheme(self) -> None: ...

    def refresh_coder_menu(self) -> None: ...

    def may_switch_database(self) -> bool: ...

    def switch_database(self, path: Path) -> bool: ...


def database_problem(
    paths: list[str] | list[Path],
    db: Path,
    verb: str,
    output: bool = False,
    journals_only: bool = False,
) -> str | None:
    """One line if a path is the open database or its -wal/-shm/-journal, else None.

    Reading such a file (or replacing it) outside SQLite would drop the window's locks or
    destroy the database. Compared by device and inode (any path, symlink or hard link to
    it) and, for files that do not exist yet, by resolved name. An ``output`` folder that
    holds the database is refused too (a folder export replaces the whole folder).
    ``journals_only`` accepts the database itself (which SQLite may open a second time:
    it shares the locks of one file between its connections) but not its -wal/-shm/-journal.
    """
    suffixes = ("-wal", "-shm", "-journal") if journals_only else ("", "-wal", "-shm", "-journal")
    names = [os.path.realpath(db) + s for s in suffixes]
    ids = set()
    for name in names:
        try:
            st = os.stat(name)
        except OSError:
            continue
        ids.add((st.st_dev, st.st_ino))
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            same = os.path.realpath(p) in names
        else:
            same = (st.st_dev, st.st_ino) in ids
        if same:
            return f"{p}: is the open database {db} (or its journal); cannot {verb}"
        if output and os.path.isdir(p):
            folder = os.path.join(os.path.realpath(p), "")
            if os.path.realpath(db).startswith(folder):
                return f"{p}: holds the open database {db}; writing there would replace it"
    return None


# The least time between two progress lines the import sends to its dialog.
IMPORT_REPORT_EVERY = 0.05


def import_with_progress(store: Store, paths: list[str], progress: JobProgress) -> Any:
    """``ingest.import_paths`` reporting to a job's progress dialog (per mille of the
    input's bytes, and the core's line with its time estimate) and stopping when the
    dialog is cancelled; a cancelled import is returned as its ``ImportCancelled``,
    which says what was kept."""
    import time

    from ..ingest import ImportCancelled, import_paths

    last = [0.0, -1]  # when the dialog was last told, and the batches it was told of

    def show(p) -> None:
        now = time.monotonic()
        if progress.cancelled():
            return  # the dialog says "Cancelling…" now
        if now - last[0] < IMPORT_REPORT_EVERY and p.batches == last[1] and p.fraction < 1:
            return
        last[0], last[1] = now, p.batches
        with contextlib.suppress(Cancelled):  # cancelled since the check: the import stops
            progress(round(p.fraction * 1000), 1000, p.describe())  # itself, saying what it kept

    try:
        return import_paths(store, paths, on_progress=show, cancelled=progress.cancelled)
    except ImportCancelled as e:
        return e


class FileActions:
    """The File menu's actions for one main window (``window.files``)."""

    def __init__(self, host: FileActionsHost):
        self.w = host
        self.win = host.window()  # the parent of dialogs
        self.last_worker: QThread | None = None  # the latest job's thread (tests wait on it)
        self.last_result: ResultDialog | None = None  # the latest result dialog

    # -- helpers ------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.w.store

    def start_job(self, title: str, job, on_success, window_title: str = ""):
        w = self.w

        def failed(message: str) -> None:
            w.reload_documents()
            w.statusBar().showMessage(message, 8000)
            if message != "Cancelled.":
                self.show_result(title.rstrip("…"), [message], warning=True)

        worker = w.jobs.start(
            title,
            self.store.path,
            job,
            on_success,
            failed,
            readonly=self.store.readonly,
            window_title=window_title,
        )
        self.last_worker = worker
        return worker

    def show_result(
        self,
        title: str,
        summary: list[str],
        details: list[str] | None = None,
        details_title: str = "",
        warning: bool = False,
    ) -> ResultDialog:
        from .file_dialogs import ResultDialog

        dlg = ResultDialog(self.win, title, summary, details, details_title, warning)
        self.last_result = dlg
        if self.win.isVisible():
            dlg.open()
        return dlg

    def _refuse_read_only(self, title: str) -> bool:
        """A database opened read-only takes no import or merge: say so once, start nothing."""
        if not self.store.readonly:
            return False
        self.w.statusBar().showMessage(self.w.read_only_message(), 8000)
        self.show_result(title, [self.w.read_only_message()], warning=True)
        return True

    def _refuse(
        self, paths: list, verb: str, title: str, output: bool = False, journals_only: bool = False
    ) -> bool:
        """Refuse (with one line shown) paths that are the open database or its journal."""
        problem = database_problem(paths, self.store.path, verb, output, journals_only)
        if problem is None:
            return False
        self.w.statusBar().showMessage(problem, 8000)
        self.show_result(title, [problem], warning=True)
        return True

    def _refresh_after_labels(self, scheme_changed: bool) -> None:
        if scheme_changed:
            self.w.reload_scheme()
        self.w.reload_documents()
        self.w.refresh_coder_menu()

    # -- open a database ----------------------------------------------------------

    def open_database_dialog(self) -> None:
        if not self.w.may_switch_database():  # edits wait to be saved in this one
            return
        paths = choose_open_files(
            self.win,
            "Open labels database",
            str(self.store.path.parent),
            "SQLite databases (*.db *.sqlite);;All files (*)",
        )
        if paths:
            self.open_database(Path(paths[0]))

    def open_database(self, path: Path) -> None:
        if not self.w.may_switch_database():  # edits wait to be saved in this one
            return
        problem = database_problem([path], self.store.path, "open it", journals_only=True)
        if problem is not None:  # SQLite would open (and close) the journal as a database
            self.w.report_error(problem)
            return
        self.w.switch_database(path)

    # -- import articles ----------------------------------------------------------

    def import_dialog(self) -> None:
        paths = choose_open_files(
            self.win, "Import articles", "", "Articles (*.txt *.jsonl);;All files (*)"
        )
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str]):
        w = self.w
        if self._refuse_read_only("Import articles"):
            return None
        if self._refuse(paths, "import articles from it", "Import articles"):
            return None

        def job(store, progress):
            return import_with_progress(store, paths, progress)

        def done(result) -> None:
            from ..ingest import ImportCancelled

            w.reload_documents()
            cancelled = isinstance(result, ImportCancelled)
            report = result.report if cancelled else result
            if cancelled:
                msg = str(result)
            else:
                msg = (
                    f"Imported {len(report.added)} article(s); {len(report.duplicates)}"
                    f" already present; {len(report.skipped)} skipped."
                )
            if report.skipped or cancelled:
                details = report.skipped or None
                self.show_result("Import articles", [msg], details, "Skipped:" if details else "")
            w.statusBar().showMessage(msg, 8000)

        return self.start_job("Importing articles…", job, done, window_title="Import")

    # -- import labels ------------------------------------------------------------

    def import_labels_dialog(self) -> None:
        paths = choose_open_files(
            self.win,
            "Import labels",
            str(self.store.path.parent),
            "JSON lines (*.jsonl *.json);;All files (*)",
        )
        if paths:
            self.ask_import_labels(paths)

    def ask_import_labels(self, paths: list[str]):
        """The options dialog (opened, not blocking); accepting it starts the import."""
        from .file_dialogs import ImportLabelsDialog

        dlg = ImportLabelsDialog(self.win, paths, list(self.w.scheme.field_names))
        dlg.accepted.connect(lambda: self.import_labels(paths, **dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def import_labels(
        self,
        paths: list[str],
        fmt: str = "auto",
        coder: str | None = None,
        all_answers: bool = False,
        add_labels: bool = False,
        field_name: str | None = None,
        replace: bool = False,
    ):
        paths = [str(p) for p in paths]
        if self._refuse_read_only("Import labels"):
            return None
        if self._refuse(paths, "import labels from it", "Import labels"):
            return None

        def job(store, progress):
            from ..labels_import import import_label_files

            progress(0, len(paths))
            return import_label_files(
                store, paths, fmt=fmt, coder=coder, all_answers=all_answers,
                add_labels=add_labels, field_name=field_name, progress=progress,
                replace=replace,
            )  # fmt: skip

        def done(results) -> None:
            refused = [r for r in results if not r.ok]
            self._refresh_after_labels(any(r.new_scheme_version for r in results))
            details: list[str] = []
            for r in refused:
                details += r.errors
            n_ok = len(results) - len(refused)
            title = f"Import labels: {n_ok} of {len(results)} file(s) imported"
            self.show_result(
                title,
                [r.summary() for r in results],
                details,
                "Problems (file:line: reason) — nothing from these files was written:",
                warning=bool(refused),
            )
            self.w.statusBar().showMessage(title + ".", 8000)

        return self.start_job("Importing labels…", job, done)

    # -- export -------------------------------------------------------------------

    def export_dialog(self, mine: bool) -> None:
        """The quick JSONL exports (my labels / all coders)."""
        w = self.w
        default = str(self.store.path.with_name(f"labels-{w.coder if mine else 'all'}.jsonl"))
        path = choose_save_path(self.win, "Export JSONL", default, "JSON lines (*.jsonl)")
        if path:
            self.export_to(Path(path), w.coder if mine else None)

    def export_to(self, path: Path, coder: str | None):
        return self.export_as(path, "jsonl", coder, announce=False)

    def ask_export(self):
        """File → Export…: the options dialog; accepting it asks for the file or folder."""
        from .file_dialogs import ExportDialog

        dlg = ExportDialog(self.win, self.w.coder, self.store.has_gold())
        dlg.accepted.connect(lambda: self._export_chosen(dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def _export_chosen(self, options: dict[str, Any]):
        from ..formats.registry import export_format

        fmt = options["fmt"]
        suffix = export_format(fmt).suffix
        stem = f"{self.store.path.stem}-{options['coder'] or 'all'}"
        folder = export_format(fmt).folder
        # the format's name only where the suffix does not say it: labels-all.csv,
        # labels-all.jsonl, but labels-all-prodigy.jsonl and the folders labels-all-brat
        named = "" if suffix == f".{fmt}" else f"-{fmt}"
        default = str(self.store.path.with_name(f"{stem}{named}{suffix}"))
        if folder:
            path = choose_save_path(
                self.win, f"Export {fmt}: name the folder to write", default, "Folders (*)", True
            )
        else:
            path = choose_save_path(
                self.win, f"Export {fmt}", default, f"{fmt} (*{suffix});;All files (*)"
            )
        if not path:
            return None
        target = Path(path)
        if self._refuse([target], "export over it", "Export", output=True):
            return None
        if folder and target.is_dir() and any(target.iterdir()):
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Replace folder?",
                f"{target} already exists. Replace it and everything in it with the export?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self.win,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)  # a folder name is data, not HTML
            if box.exec() != QMessageBox.StandardButton.Yes:
                return None
        return self.export_as(target, **options)

    def export_as(
        self,
        target: Path,
        fmt: str = "jsonl",
        coder: str | None = None,
        include_unlabelled: bool = False,
        announce: bool = True,
    ):
        target = Path(target)
        if self._refuse([target], "export over it", "Export", output=True):
            return None
        total = self.store.document_count()

        def job(store, progress):
            from ..export import export

            warnings: list[str] = []  # documents whose old meta held NaN/Infinity
            n = export(
                store, target, fmt, coder=coder, include_unlabelled=include_unlabelled,
                progress=lambda n: progress(n, max(total, n)), warn=warnings.append,
            )  # fmt: skip
            return n, warnings

        def done(result) -> None:
            n, warnings = result
            msg = f"Wrote {n} {EXPORT_UNITS.get(fmt, 'record(s)')} to {target}."
            self.w.statusBar().showMessage(msg, 8000)
            if warnings:
                self.show_result(
                    "Export: written, with warnings",
                    [msg, f"{len(warnings)} document(s) had meta values that are not JSON."],
                    warnings,
                    "Changed in the export (the database is unchanged):",
                    warning=True,
                )
            elif announce:
                self.w.notify("Export", msg)

        return self.start_job("Exporting…", job, done)

    # -- merge --------------------------------------------------------------------

    def merge_dialog(self) -> None:
        paths = choose_open_files(
            self.win,
            "Merge other coders' databases into this one",
            str(self.store.path.parent),
            "SQLite databases (*.db *.sqlite);;All files (*)",
        )
        if paths:
            self.ask_merge(paths)

    def ask_merge(self, paths: list[str]):
        from .file_dialogs import MergeDialog

        dlg = MergeDialog(self.win, paths)
        dlg.accepted.connect(lambda: self.merge(paths, **dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def merge(self, paths: list[str], strict: bool = False):
        paths = [str(p) for p in paths]
        if self._refuse_read_only("Merge"):
            return None
        # The database itself is read through SQLite only (and the core refuses it); SQLite
        # opening its -wal or -shm as a database would close a descriptor of them.
        if self._refuse(paths, "merge it", "Merge", journals_only=True):
            return None

        from ..merge import conflict_line, merge_databases

        def job(store, progress):
            # a database refused (a conflict with strict, or any problem) is reported and
            # the next one is merged
            merged = merge_databases(store, paths, strict, progress, keep_going=True)
            # (path, report or None, error message or None)
            return [(r.path, r.report, r.error and str(r.error)) for r in merged]

        def done(results) -> None:
            summary, details = [], []
            n_conflicts = 0
            for path, report, error in results:
                if error:
                    summary.append(error if error.startswith(path) else f"{path}: {error}")
                else:
                    summary.append(report.summary())
                if report is None:
                    continue
                for c in report.conflicts:
                    n_conflicts += c.new
                    prefix = "[not merged] " if error else ""
                    details.append(f"{prefix}{Path(path).name}: {conflict_line(c, 'window')}")
            changed = any(r is not None and r.schemes_added and not e for _p, r, e in results)
            self._refresh_after_labels(changed)
            failed = any(e for _p, _r, e in results)
            title = f"Merge: {n_conflicts} new conflict(s)" if n_conflicts else "Merge: done"
            self.show_result(
                title, summary, details, "Conflicts:", warning=bool(n_conflicts or failed)
            )
            self.w.statusBar().showMessage(title + ".", 8000)

        return self.start_job("Merging…", job, done)

"""The File menu's jobs: open a database, import articles and labels, export, merge.

Every long job runs in a worker thread behind a progress dialog (``jobs.run_job``),
with its own Store connection; its result is shown in a readable dialog and the
window refreshes afterwards. Errors (:class:`~annotator.errors.AnnotatorError`) come
back as messages, never as tracebacks.

The native file choosers are reached only through :func:`choose_open_files` and
:func:`choose_save_path` (tests replace those two; everything else is the real thing).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..errors import AnnotatorError
from ..store import Store
from .jobs import run_job

if TYPE_CHECKING:
    from .file_dialogs import ResultDialog
    from .window import MainWindow

EXPORT_UNITS = {
    "jsonl": "line(s)",
    "prodigy": "line(s)",
    "doccano": "line(s)",
    "csv": "row(s)",
    "spacy": "document(s)",
    "brat": "document file pair(s)",
}


def choose_open_files(parent: QWidget, title: str, directory: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, directory, filters)
    return paths


def choose_save_path(
    parent: QWidget, title: str, default: str, filters: str, folder: bool = False
) -> str:
    options = QFileDialog.Option.DontConfirmOverwrite if folder else QFileDialog.Option(0)
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters, options=options)
    return path


def conflict_line(c: Any) -> str:
    """One merge conflict, readably."""
    title = c.title if len(c.title) <= 70 else c.title[:68].rstrip() + "…"
    line = f"{c.coder} labelled “{title}” (document {c.doc_id}) differently; kept as {c.kept_as!r}"
    return line if c.new else line + " (by an earlier merge)"


class FileActions:
    """The File menu's actions for one main window (``window.files``)."""

    def __init__(self, window: MainWindow):
        self.w = window
        self.last_worker = None  # the latest job's thread (tests wait on it)
        self.last_result: ResultDialog | None = None  # the latest result dialog

    # -- helpers ------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.w.store

    def start_job(self, title: str, job, on_success):
        w = self.w

        def failed(message: str) -> None:
            w.reload_documents()
            w.statusBar().showMessage(message, 8000)
            if message != "Cancelled.":
                self.show_result(title.rstrip("…"), [message], warning=True)

        worker = run_job(w, title, self.store.path, job, on_success, failed)
        w._jobs.append(worker)
        worker.finished.connect(lambda: w._jobs.remove(worker) if worker in w._jobs else None)
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

        dlg = ResultDialog(self.w, title, summary, details, details_title, warning)
        self.last_result = dlg
        if self.w.isVisible():
            dlg.open()
        return dlg

    def reload_scheme(self) -> None:
        """Rebuild what depends on the scheme in the window (an import or merge extended it)."""
        w = self.w
        w.store.reload_scheme()  # another connection may have recorded a newer version
        w.scheme = w.store.scheme
        w._colors = {lab.name: QColor(lab.color) for lab in w.scheme.span_labels}
        w._bands = {lab.name: i for i, lab in enumerate(w.scheme.span_labels)}
        if w._panel_slot is not None:  # actions and panel are not built yet: they will be
            return
        old_rows = {a.statusTip() for a in w.label_actions.values()}
        w._shortcut_rows = [r for r in w._shortcut_rows if r[1] not in old_rows]
        for a in w.label_actions.values():
            w.removeAction(a)
            a.deleteLater()
        w.label_menu.clear()
        w._build_label_actions()
        old, sizes = w.panel, w.splitter.sizes()
        w._make_panel()
        w.splitter.replaceWidget(2, w.panel)
        w.splitter.setSizes(sizes)
        old.deleteLater()

    def _refresh_after_labels(self, scheme_changed: bool) -> None:
        if scheme_changed:
            self.reload_scheme()
        self.w.reload_documents()
        self.w._fill_coder_menu()

    # -- open a database ----------------------------------------------------------

    def open_database_dialog(self) -> None:
        paths = choose_open_files(
            self.w,
            "Open labels database",
            str(self.store.path.parent),
            "SQLite databases (*.db *.sqlite);;All files (*)",
        )
        if paths:
            self.open_database(Path(paths[0]))

    def open_database(self, path: Path) -> None:
        w = self.w
        try:
            store = Store(path)
            store.scheme  # noqa: B018 - fails early on a foreign database
        except AnnotatorError as e:
            w.report_error(str(e))
            return
        w._record_time()
        w.store.close()
        w.store = store
        w.annotator = store.add_annotator(w.annotator)
        w.undo_stack.clear()
        w.doc = None
        if store.scheme != w.scheme:
            self.reload_scheme()
        w.reload_documents()
        w._fill_coder_menu()
        w.statusBar().showMessage(f"Opened {path}.", 4000)

    # -- import articles ----------------------------------------------------------

    def import_dialog(self) -> None:
        paths = choose_open_files(
            self.w, "Import articles", "", "Articles (*.txt *.jsonl);;All files (*)"
        )
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str]):
        w = self.w

        def job(store, progress):
            from ..ingest import import_paths

            return import_paths(store, paths, progress=progress)

        def done(report) -> None:
            w.reload_documents()
            msg = (
                f"Imported {len(report.added)} article(s); {len(report.duplicates)} already present;"
                f" {len(report.skipped)} skipped."
            )
            if report.skipped:
                self.show_result("Import articles", [msg], report.skipped, "Skipped:")
            w.statusBar().showMessage(msg, 8000)

        return self.start_job("Importing articles…", job, done)

    # -- import labels ------------------------------------------------------------

    def import_labels_dialog(self) -> None:
        paths = choose_open_files(
            self.w,
            "Import labels",
            str(self.store.path.parent),
            "JSON lines (*.jsonl *.json);;All files (*)",
        )
        if paths:
            self.ask_import_labels(paths)

    def ask_import_labels(self, paths: list[str]):
        """The options dialog (opened, not blocking); accepting it starts the import."""
        from .file_dialogs import ImportLabelsDialog

        dlg = ImportLabelsDialog(self.w, paths, list(self.w.scheme.field_names))
        dlg.accepted.connect(lambda: self.import_labels(paths, **dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def import_labels(
        self,
        paths: list[str],
        fmt: str = "auto",
        annotator: str | None = None,
        all_answers: bool = False,
        add_labels: bool = False,
        field_name: str | None = None,
    ):
        paths = [str(p) for p in paths]

        def job(store, progress):
            from ..labels_import import import_label_files

            progress(0, len(paths))
            return import_label_files(
                store, paths, fmt=fmt, annotator=annotator, all_answers=all_answers,
                add_labels=add_labels, field_name=field_name, progress=progress,
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
        default = str(self.store.path.with_name(f"labels-{w.annotator if mine else 'all'}.jsonl"))
        path = choose_save_path(w, "Export JSONL", default, "JSON lines (*.jsonl)")
        if path:
            self.export_to(Path(path), w.annotator if mine else None)

    def export_to(self, path: Path, annotator: str | None):
        return self.export_as(path, "jsonl", annotator, announce=False)

    def ask_export(self):
        """File → Export…: the options dialog; accepting it asks for the file or folder."""
        from .file_dialogs import ExportDialog

        dlg = ExportDialog(self.w, self.w.annotator, self.store.has_gold())
        dlg.accepted.connect(lambda: self._export_chosen(dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def _export_chosen(self, options: dict[str, Any]):
        from .file_dialogs import EXPORT_FORMATS, FOLDER_FORMATS

        fmt = options["fmt"]
        suffix = {k: s for k, _t, s in EXPORT_FORMATS}[fmt]
        stem = f"{self.store.path.stem}-{options['annotator'] or 'all'}"
        folder = fmt in FOLDER_FORMATS
        default = str(self.store.path.with_name(f"{stem}-{fmt}{suffix}"))
        if folder:
            path = choose_save_path(
                self.w, f"Export {fmt}: name the folder to write", default, "Folders (*)", True
            )
        else:
            path = choose_save_path(
                self.w, f"Export {fmt}", default, f"{fmt} (*{suffix});;All files (*)"
            )
        if not path:
            return None
        target = Path(path)
        if folder and target.is_dir() and any(target.iterdir()):
            answer = QMessageBox.question(
                self.w,
                "Replace folder?",
                f"{target} already exists. Replace it and everything in it with the export?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        return self.export_as(target, **options)

    def export_as(
        self,
        target: Path,
        fmt: str = "jsonl",
        annotator: str | None = None,
        include_unlabelled: bool = False,
        announce: bool = True,
    ):
        total = self.store.document_count()
        target = Path(target)

        def job(store, progress):
            from ..export import export

            return export(
                store, target, fmt, annotator=annotator, include_unlabelled=include_unlabelled,
                progress=lambda n: progress(n, max(total, n)),
            )  # fmt: skip

        def done(n) -> None:
            msg = f"Wrote {n} {EXPORT_UNITS.get(fmt, 'record(s)')} to {target}."
            self.w.statusBar().showMessage(msg, 8000)
            if announce:
                self.w.notify("Export", msg)

        return self.start_job("Exporting…", job, done)

    # -- merge --------------------------------------------------------------------

    def merge_dialog(self) -> None:
        paths = choose_open_files(
            self.w,
            "Merge other coders' databases into this one",
            str(self.store.path.parent),
            "SQLite databases (*.db *.sqlite);;All files (*)",
        )
        if paths:
            self.ask_merge(paths)

    def ask_merge(self, paths: list[str]):
        from .file_dialogs import MergeDialog

        dlg = MergeDialog(self.w, paths)
        dlg.accepted.connect(lambda: self.merge(paths, **dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def merge(self, paths: list[str], strict: bool = False):
        paths = [str(p) for p in paths]

        def job(store, progress):
            from ..merge import MergeConflictError, merge_database

            out = []  # (path, report or None, error message or None)
            for i, p in enumerate(paths):
                try:
                    out.append((p, merge_database(store, p, strict=strict), None))
                except MergeConflictError as e:
                    out.append((p, e.report, str(e)))
                except AnnotatorError as e:
                    out.append((p, None, str(e)))
                progress(i + 1, len(paths))
            return out

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
                    details.append(f"{prefix}{Path(path).name}: {conflict_line(c)}")
            changed = any(r is not None and r.schemes_added and not e for _p, r, e in results)
            self._refresh_after_labels(changed)
            failed = any(e for _p, _r, e in results)
            title = f"Merge: {n_conflicts} new conflict(s)" if n_conflicts else "Merge: done"
            self.show_result(
                title, summary, details, "Conflicts:", warning=bool(n_conflicts or failed)
            )
            self.w.statusBar().showMessage(title + ".", 8000)

        return self.start_job("Merging…", job, done)

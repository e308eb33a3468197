"""Make the screenshots in this folder: a database of the seed articles and a right-to-left
sample, coded by two coders (spans, a note, fields, memos), shown in the real window on
Qt's offscreen platform.

Run from the repository: ``python docs/screenshots/make.py [OUTDIR]`` (default: this
folder), once per size: ``SHOT_W=1920 SHOT_H=1080 python docs/screenshots/make.py``.
The note editor's dialog is drawn onto the window's image where it opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
W, H = int(os.environ.get("SHOT_W", 1366)), int(os.environ.get("SHOT_H", 768))


def build(db: Path) -> tuple[int, int]:
    """The database; returns (the coded article, the right-to-left one)."""
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents
    from annotator.store import Store

    subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", str(ROOT / "seeds")],
        check=True, capture_output=True,
    )  # fmt: skip
    rtl = (ROOT / "tests/gui/rtl_article.txt").read_text(encoding="utf-8").strip()
    meta = {"title": "قمة الحلف — RTL sample", "source": "Al Jazeera", "date": "2024-11-21"}
    with Store(db) as s:
        import_documents(s, [RawDocument(rtl, "rtl.txt", meta)])
        ids = s.document_ids()
        doc, text = ids[1], s.document(ids[1]).text

        def add(coder: str, phrase: str, label: str, note: str = "") -> None:
            i = text.index(phrase)
            s.add_span(doc, coder, i, i + len(phrase), label, note)

        for coder in ("ana", "ben"):
            s.add_coder(coder)
        add("ana", "The Russia-North Korea-China relationship is not an equilateral triangle"
            " but an evolving alliance with conflicting interests", "skeptical_of_alliance",
            "Classic 'not a real alliance' framing; quotes the expert view.")  # fmt: skip
        add("ana", "reportedly beginning to show signs of fracture and lack of trust",
            "skeptical_of_alliance")  # fmt: skip
        add("ana", "North Korea may dispatch 100,000 troops to Russia", "alarmist",
            "Big number, no source given: alarmist by magnitude.")  # fmt: skip
        add("ben", "The Russia-North Korea-China relationship is not an equilateral triangle",
            "skeptical_of_alliance", "unsure about the end of this span")  # fmt: skip
        add("ben", "North Korea may dispatch 100,000 troops to Russia", "alarmist")
        add("ben", "signs of fracture and lack of trust", "policy_prescription")
        s.set_doc_label(doc, "ana", "dominant_frame", "skeptical_of_alliance")
        s.set_doc_label(doc, "ana", "frames_present", ["alarmist", "skeptical_of_alliance"])
        s.set_doc_label(doc, "ben", "dominant_frame", "alarmist")
        s.set_doc_label(doc, "ben", "frames_present", ["alarmist"])
        s.set_memo(doc, "ana", "Dominant: skeptical — the piece keeps returning to the limits"
                   " of the partnership; the troop figure is the only alarmist passage.")  # fmt: skip
        s.set_memo(doc, "ben", "Went with alarmist because of the headline and the troop"
                   " numbers; not sure.")  # fmt: skip
        s.set_status(doc, "ana", "in_progress")
        r = ids[-1]
        rt = s.document(r).text
        for phrase, label in (
            ("حلف NATO سيعقد", "alarmist"),
            ("في 2025 بمشاركة 32 دولة", "skeptical_of_alliance"),
            ("ראש הממשלה ייפגש עם מזכ״ל NATO", "policy_prescription"),
        ):
            i = rt.index(phrase)
            s.add_span(r, "ana", i, i + len(phrase), label)
        s.set_status(ids[0], "ana", "done")
        s.set_doc_label(ids[0], "ana", "dominant_frame", "alarmist")
    return doc, ids[-1]


def main() -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication, QDialog

    work = Path(tempfile.mkdtemp(prefix="annotator-shots-"))
    doc, rtl = build(work / "labels.db")
    app = QApplication(sys.argv[:1])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qs"))
    from annotator.gui import main_window
    from annotator.gui.review import open_review

    def pump(n: int = 40) -> None:
        for _ in range(n):
            app.processEvents()

    tag = f"{W}x{H}"
    OUT.mkdir(parents=True, exist_ok=True)
    win = main_window(str(work / "labels.db"), "ana", settings=QSettings())
    win.resize(W, H)
    win.show()
    pump(80)
    win.open_document(doc)
    pump()
    first = min(win.store.spans(doc, "ana"), key=lambda sp: sp.start)
    win.labelling.jump_to_span(first.id)
    pump()
    win.grab().save(str(OUT / f"main-{tag}.png"))
    win.edit_note()
    pump()
    dialogs = [d for d in app.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()]
    if dialogs:
        dlg = dialogs[0]
        image = win.grab()
        painter = QPainter(image)
        painter.drawPixmap((win.width() - dlg.width()) // 2, 200, dlg.grab())
        painter.end()
        image.save(str(OUT / f"note-editor-{tag}.png"))
        dlg.reject()
    pump(10)
    win.open_fields()
    pump()
    win.grab().save(str(OUT / f"fields-popup-{tag}.png"))
    win.open_fields()
    win.open_document(rtl)
    pump()
    win.grab().save(str(OUT / f"rtl-{tag}.png"))
    review = open_review(win, doc)
    review.resize(W, H)
    pump(80)
    review.grab().save(str(OUT / f"review-{tag}.png"))
    review.close()
    pump(10)
    win.close()
    pump(10)
    print(f"screenshots at {tag} in {OUT}")


if __name__ == "__main__":
    main()

"""Everything from the data is shown as plain text: titles, file names, coders, the scheme.

Qt shows a tooltip, label or message box as HTML when its text looks like HTML
(``Qt.mightBeRichText``). :func:`shown` reproduces what the user sees from a widget's
text and format; the tests put tags in the data and expect to see the tags.
"""

from __future__ import annotations

import re
from pathlib import Path

from gui_helpers import SIMPLE
from PySide6 import QtGui
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QHelpEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QRadioButton, QWidget

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.scheme import default_scheme_path, parse_scheme
from annotator.store import Store

TITLE = "<b>X</b><img src=x> & <i>co</i>"
SOURCE = "<h2>feed</h2>.txt"
SCHEME_NAME = "<h1>big</h1>"


def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """The characters Qt displays for ``text`` in ``fmt`` (as a label or tooltip does)."""
    rich = fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def label_shows(label: QLabel) -> str:
    return shown(label.text(), label.textFormat())


def tooltip_label() -> QLabel | None:
    for w in QApplication.topLevelWidgets():
        if w.inherits("QTipLabel") and w.isVisible():
            return w
    return None


def hover_tooltip(qtbot, widget: QWidget, pos: QPoint) -> str:
    """Ask ``widget`` for its tooltip at ``pos`` as the mouse does; what the tip shows."""
    event = QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)
    qtbot.waitUntil(lambda: tooltip_label() is not None, timeout=5000)
    return label_shows(tooltip_label())


def html_db(tmp_path: Path) -> Path:
    text = default_scheme_path().read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{SCHEME_NAME}"', text, count=1)
    path = tmp_path / "html.db"
    with Store(path, parse_scheme(text)) as store:
        import_documents(store, [RawDocument(SIMPLE, SOURCE, {"title": TITLE})])
    return path


def test_article_list_tooltip_shows_a_title_and_source_literally(qtbot, open_window, tmp_path):
    w = open_window("alice", html_db(tmp_path))
    view = w.doc_list.view
    [row] = range(view.model().rowCount())
    assert view.model().index(row, 1).data() == TITLE
    pos = view.visualRect(view.model().index(row, 1)).center()
    text = hover_tooltip(qtbot, view.viewport(), pos)
    assert text.splitlines()[:2] == [TITLE, SOURCE]


def test_about_box_shows_the_scheme_name_literally(qtbot, open_window, tmp_path):
    w = open_window("alice", html_db(tmp_path))
    seen: dict = {}

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, read_and_close)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen["text"] = label_shows(label)
        box.accept()

    QTimer.singleShot(0, read_and_close)
    w.findChild(QAction, "about").trigger()  # runs the modal box until it is read
    assert f"Scheme: {SCHEME_NAME} v1" in seen["text"]


def test_messages_and_file_lists_with_html_in_file_names_are_literal(qtbot, open_window, tmp_path):
    w = open_window("alice", html_db(tmp_path))
    target = tmp_path / "<b>out<i>.jsonl"
    w.files.export_as(target, "jsonl")  # announced in a message box
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)
    qtbot.waitUntil(lambda: bool(w.findChildren(QMessageBox)), timeout=5000)
    [box] = w.findChildren(QMessageBox)
    assert f"to {target}." in label_shows(box.findChild(QLabel, "qt_msgbox_label"))
    box.close()

    # File → Import labels… options dialog: the chosen files' names and their tooltip.
    dlg = w.files.ask_import_labels([str(target)])
    files = dlg.findChild(QLabel, "chosenFiles")
    assert label_shows(files) == target.name
    assert hover_tooltip(qtbot, files, QPoint(3, 3)) == str(target)
    dlg.reject()


def test_agreement_documents_table_shows_titles_and_coders_literally(qtbot, open_window, tmp_path):
    db = html_db(tmp_path)
    with Store(db) as s:
        [doc] = s.list_documents()
        for coder in ("<b>ann</b>", "ben"):
            s.add_coder(coder)
            s.add_span(doc.id, coder, 4, 9, "alarmist")
    w = open_window("ben", db)
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    assert "<b>ann</b>, ben" in label_shows(view.meta_label)
    table = view.docs_table
    assert table.item(0, 0).text() == TITLE
    pos = table.visualItemRect(table.item(0, 0)).center()
    assert hover_tooltip(qtbot, table.viewport(), pos) == f"Document {doc.id}: {TITLE}"


def test_alpha_chart_tooltip_and_coder_check_boxes_are_literal(qtbot, open_window, tmp_path):
    from annotator.gui.agreement_charts import AlphaChart, ChartRow

    chart = AlphaChart()
    qtbot.addWidget(chart)
    chart.set_rows([ChartRow("  frame = <b>odd</b> & co", None, None, "<i>one</i> coder")])
    chart.resize(chart.sizeHint())
    chart.show()
    qtbot.waitExposed(chart)
    pos = QPoint(chart.width() // 2, chart.TOP + chart.ROW_H // 2)
    assert chart.row_at(pos.y()) == 0
    text = hover_tooltip(qtbot, chart, pos)
    assert text == "frame = <b>odd</b> & co: n/a — <i>one</i> coder"

    db = html_db(tmp_path)
    with Store(db) as s:
        [doc] = s.list_documents()
        for coder in ("R&D", "ben"):
            s.add_coder(coder)
            s.add_span(doc.id, coder, 4, 9, "alarmist")
    w = open_window("R&D", db)
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    box = view.coder_checks["R&D"]
    assert box.text() == "R&&D"  # shows "R&D", no shortcut mark
    export = w.files.ask_export()
    mine = export.findChild(QRadioButton, "exportMine")
    assert mine.text() == "Only the current coder (R&&D)"  # shows "R&D", no shortcut mark
    export.reject()


def test_plain_tooltip_keeps_plain_text_and_escapes_what_qt_would_render():
    from annotator.gui.plaintext import plain_tooltip

    assert plain_tooltip("just text\nsecond <b>line</b>") == "just text\nsecond <b>line</b>"
    for text in ["<b>X</b>", "a <img src=x> b", "AT&lt;T", "  <h1>t</h1>\n<i>2</i>  x"]:
        assert shown(plain_tooltip(text)) == text


def test_replace_folder_question_shows_the_folder_name_literally(
    qtbot, open_window, tmp_path, monkeypatch
):
    from annotator.gui import file_actions

    w = open_window("alice", html_db(tmp_path))
    folder = tmp_path / "<b>brat<i>"
    folder.mkdir()
    (folder / "old.txt").write_text("x", encoding="utf-8")
    monkeypatch.setattr(file_actions, "choose_save_path", lambda *a, **k: str(folder))
    seen: dict = {}

    def answer_no() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer_no)
            return
        seen["text"] = label_shows(box.findChild(QLabel, "qt_msgbox_label"))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, answer_no)
    options = {"fmt": "brat", "coder": None, "include_unlabelled": False}
    assert w.files._export_chosen(options) is None  # answered No: nothing written
    assert seen["text"].startswith(f"{folder} already exists.")
    assert (folder / "old.txt").exists()


# -- coder names, options, article text: data shown literally everywhere ---------------

CODER = "<b>x</b>&y"  # a tag (rich text?) and an ampersand (a shortcut mark?)
OTHER = "<i>ben</i>&co"
OPTION = "<b>r</b>&d"
IMG_TEXT = "Officials said <img src=x> that <b>it</b> & more was fine."


def odd_db(tmp_path: Path, text: str = SIMPLE) -> Path:
    """A scheme whose field option and label description hold HTML and ``&``."""
    scheme = default_scheme_path().read_text(encoding="utf-8")
    scheme = scheme.replace(
        'options = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]',
        f'options = ["alarmist", "skeptical_of_alliance", "policy_prescription", "{OPTION}"]',
    )
    scheme = scheme.replace(
        'description = """\nPresents', 'description = """\n<h1>Big</h1> Presents'
    )
    assert OPTION in scheme and "<h1>Big</h1>" in scheme
    path = tmp_path / "odd.db"
    with Store(path, parse_scheme(scheme)) as store:
        import_documents(store, [RawDocument(text, "odd.txt", {"title": "Odd"})])
    return path


def test_a_coder_name_with_html_and_an_ampersand_is_shown_literally(qtbot, open_window, tmp_path):
    db = odd_db(tmp_path)
    with Store(db) as s:
        [doc] = s.list_documents()
        s.add_coder(OTHER)
        s.add_span(doc.id, OTHER, 4, 9, "alarmist")
    w = open_window(CODER, db)
    assert w.coder_button.text() == "Coder: <b>x</b>&&y  ▾"  # shows "&y", no shortcut mark
    assert label_shows(w.coder_label) == f"Coder: {CODER}"
    w.refresh_coder_menu()
    entries = {a.objectName(): a.text() for a in w.coder_menu.actions()}
    assert entries[f"coder_{CODER}"] == "<b>x</b>&&y"
    assert entries[f"coder_{OTHER}"] == "<i>ben</i>&&co"
    # The other coder's span in the span list: its tooltip names the coder literally.
    w.set_show_others(True)
    span_list = w.panel.span_list
    qtbot.waitUntil(lambda: span_list.count() == 1, timeout=5000)
    rect = span_list.visualItemRect(span_list.item(0))
    tip = hover_tooltip(qtbot, span_list.viewport(), rect.center())
    assert tip == f"alarmist (by {OTHER}, read-only)"
    # A field option with "&" is shown with it (not as a shortcut), HTML in a description
    # as typed.
    box = w.panel.fields["dominant_frame"]
    assert box.buttons[OPTION].text() == "<b>r</b>&&d"
    descriptions = [label_shows(lab) for lab in w.panel.findChildren(QLabel)]
    assert any(d.startswith("<h1>Big</h1> Presents") for d in descriptions)


def test_a_window_title_keeps_brackets_qt_would_hide(qtbot, open_window, tmp_path):
    w = open_window("alice", odd_db(tmp_path))
    w.show_title(w.doc.id, "Budget [*] cuts")
    qtbot.waitUntil(lambda: "Budget [*] cuts" in w.windowHandle().title(), timeout=5000)


def test_review_tooltips_show_article_text_and_coders_literally(qtbot, tmp_path):
    from annotator.gui.review import ReviewWindow
    from annotator.gui.review_decisions import COL_CODERS, COL_TEXT

    db = odd_db(tmp_path, IMG_TEXT)
    img = IMG_TEXT.index("<img")
    end = IMG_TEXT.index(" more") + len(" more")
    with Store(db) as s:
        [doc] = s.list_documents()
        for coder in (CODER, OTHER):
            s.add_coder(coder)
            s.add_span(doc.id, coder, img, end, "alarmist")
        s.set_doc_label(doc.id, CODER, "dominant_frame", OPTION)
        s.set_doc_label(doc.id, OTHER, "dominant_frame", "alarmist")
    store = Store(db)
    w = ReviewWindow(store, doc.id)
    qtbot.addWidget(w)
    try:
        w.resize(1400, 850)
        w.show()
        qtbot.waitExposed(w)
        tree = w.list
        span_row = next(
            tree.topLevelItem(i)
            for i in range(tree.topLevelItemCount())
            if tree.topLevelItem(i).text(COL_TEXT).startswith("<img")
        )
        viewport = tree.viewport()
        pos = tree.visualItemRect(span_row).center()
        pos.setX(tree.header().sectionViewportPosition(COL_TEXT) + 10)
        assert hover_tooltip(qtbot, viewport, pos) == IMG_TEXT[img:end]
        pos.setX(tree.header().sectionViewportPosition(COL_CODERS) + 10)
        assert hover_tooltip(qtbot, viewport, pos) == f"Marked by {CODER}, {OTHER}"
        # The fields panel: coder names beside their values, the values' buttons.
        names = {label_shows(lab) for lab in w.fields.findChildren(QLabel)}
        assert {CODER, OTHER} <= names
        box = w.fields.boxes["dominant_frame"]
        assert box.value_buttons[CODER].text() == "<b>r</b>&&d"
        assert shown(box.value_buttons[OTHER].toolTip()).startswith(f"Take {OTHER}'s value")
        assert w.layers.boxes[OTHER].text() == "<i>ben</i>&&co"
        assert f"coders: {CODER}, {OTHER}" in label_shows(w.summary_label)
    finally:
        w.close()
        store.close()

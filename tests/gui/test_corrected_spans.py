"""A span whose text a correction changed (``import --update``, issue 16) is marked in the
span list for its coder, and looking at it again (its label key once more) clears it."""

from __future__ import annotations

from gui_helpers import SIMPLE, click_char, correct_in_another_process
from PySide6.QtCore import Qt

from annotator.store import Store
from annotator.updating import update_paths

K = Qt.Key


def test_a_changed_span_is_flagged_until_the_coder_checks_it(
    qtbot, open_window, db, doc_ids, reader, tmp_path
):
    simple = doc_ids["Simple"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        span = s.add_span(simple, "alice", q, q + 11, "alarmist")  # "quick brown"
        source = s.document(simple).source
    corrected = tmp_path / "simple.txt"
    corrected.write_text(SIMPLE.replace("quick brown", "quick red"), encoding="utf-8")
    with Store(db) as s:
        # matched by file name: the test corpus's source is a path elsewhere
        corrected = corrected.rename(tmp_path / source.replace("\\", "/").rsplit("/", 1)[-1])
        report = update_paths(s, [corrected])
        assert [c.outcome for c in report.changes] == ["changed"]
        assert list(s.flagged_spans(simple)) == [span.id]
    w = open_window("alice")
    w.open_document(simple)
    row = w.panel.span_list.item(0)
    assert "⚑ text corrected: check it" in row.text()
    assert "quick red" in row.text()
    click_char(qtbot, w.view, q + 2)
    assert w.view.selected_span == span.id
    qtbot.keyClick(w.view, K.Key_1)  # its own label again: checked
    qtbot.waitUntil(lambda: "⚑" not in w.panel.span_list.item(0).text(), timeout=3000)
    assert reader.flagged_spans(simple) == {}
    assert reader.span(span.id).label == "alarmist"


def test_checking_a_flagged_span_while_the_database_is_busy_waits_like_any_edit(
    qtbot, open_window, db, doc_ids, reader, tmp_path
):
    """Another program holds the write lock: the check is kept pending (no error box),
    the mark goes at once, and the flag is cleared once the database is free."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tests.conftest import write_lock_held

    simple = doc_ids["Simple"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        span = s.add_span(simple, "alice", q, q + 11, "alarmist")
        source = s.document(simple).source
    corrected = tmp_path / source.replace("\\", "/").rsplit("/", 1)[-1]
    corrected.write_text(SIMPLE.replace("quick brown", "quick red"), encoding="utf-8")
    with Store(db) as s:
        update_paths(s, [corrected])
    w = open_window("alice")
    w.open_document(simple)
    click_char(qtbot, w.view, q + 2)
    with write_lock_held(db):
        qtbot.keyClick(w.view, K.Key_1)
        qtbot.wait(100)
        boxes = [x for x in QApplication.topLevelWidgets() if isinstance(x, QMessageBox)]
        assert not any(b.isVisible() for b in boxes)
        assert w.pending.count() == 1
        assert "⚑" not in w.panel.span_list.item(0).text()
        assert reader.flagged_spans(simple) == {span.id: reader.flagged_spans(simple)[span.id]}
    qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert reader.flagged_spans(simple) == {}
    assert "⚑" not in w.panel.span_list.item(0).text()


def test_a_coders_pack_keeps_the_flags_of_their_spans(qtbot, open_window, db, doc_ids, tmp_path):
    """The lead corrects a text (``import --update``), then packs for the coder: the
    coder, in the pack's window, sees their changed span flagged as in the lead's."""
    from click.testing import CliRunner

    from annotator.cli import cli

    simple, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        span = s.add_span(simple, "alice", q, q + 11, "alarmist")
        s.add_span(simple, "bob", q, q + 11, "alarmist")
        source = s.document(simple).source
        s.create_round("main", 7, {})
        s.add_assignments("main", [("alice", simple, False, 1), ("alice", emoji, False, 2)])
    corrected = tmp_path / source.replace("\\", "/").rsplit("/", 1)[-1]
    corrected.write_text(SIMPLE.replace("quick brown", "quick red"), encoding="utf-8")
    with Store(db) as s:
        update_paths(s, [corrected])
        assert len(s.flagged_spans(simple)) == 2  # alice's and bob's
    out = tmp_path / "alice.db"
    res = CliRunner().invoke(cli, ["--db", str(db), "pack", "--coder", "alice", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with Store(out, readonly=True) as p:
        assert list(p.flagged_spans(simple)) == [span.id]  # only the coder's own
    w = open_window("alice", out)
    w.open_document(simple)
    assert "⚑ text corrected: check it" in w.panel.span_list.item(0).text()


def test_a_new_span_on_a_text_corrected_meanwhile_is_not_stored_at_old_offsets(
    qtbot, open_window, db, doc_ids, reader, tmp_path
):
    """``import --update`` (another process) corrects the article the window shows: a
    span the coder then selects on the old text is not stored over other characters;
    the article is shown again, corrected, and the coder is told to select again."""
    simple = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(simple)
    new_text = "A correction first. " + SIMPLE
    correct_in_another_process(db, simple, new_text, tmp_path)
    q = SIMPLE.index("quick")
    w.view.select_cp(q, q + 5)
    qtbot.keyClick(w.view, K.Key_1)
    assert reader.spans(simple, "alice") == []
    assert w.doc.text == new_text  # shown again, corrected
    assert "corrected" in w.statusBar().currentMessage()
    # selected again on the corrected text, it is stored where the coder sees it
    q = new_text.index("quick")
    w.view.select_cp(q, q + 5)
    qtbot.keyClick(w.view, K.Key_1)
    [span] = reader.spans(simple, "alice")
    assert new_text[span.start : span.end] == "quick"

"""Suggestions in the window (issue 15): dashed outlines, the Suggestions keys (accept,
reject, accept the sentence, next/previous, show or hide, accept the suggested fields),
undo and redo with the labels' origins, and blind first: never on a reliability-sample
document, in the lead's database and in a coder's pack made by ``annotator pack``.

Real databases, real widgets and real key events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gui_helpers import EMOJI, SIMPLE, correct_in_another_process
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QColor

from annotator.cli import cli
from annotator.scheme import parse_scheme
from annotator.store import Store

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SRC = "model-x"


def _at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(word, i + 1)
    return i, i + len(word)


@pytest.fixture
def suggested(db, doc_ids):
    """Suggestions of ``model-x`` on Simple and Emoji: spans and a field value."""
    simple, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    spans = [
        (simple, *_at(SIMPLE, "quick"), "alarmist", 0.9),
        (simple, *_at(SIMPLE, "lazy dog"), "policy_prescription", 0.6),
        (simple, *_at(SIMPLE, "amused"), "alarmist", None),
        (simple, *_at(SIMPLE, "second paragraph"), "skeptical_of_alliance", 0.7),
        (emoji, *_at(EMOJI, "party"), "alarmist", 0.8),
    ]
    labels = [(simple, "dominant_frame", "alarmist", 0.83)]
    with Store(db) as s:
        _record_mode(s, "always")  # shown from the first look (the default waits for done)
        s.replace_suggestions(SRC, [simple, emoji], spans, labels)
    return simple, emoji


def _record_mode(s: Store, mode: str) -> None:
    """A new scheme version that shows suggestions in ``mode``."""
    toml = s.scheme_version_toml(s.scheme_versions()[-1])
    toml = "\n".join(ln for ln in toml.splitlines() if not ln.startswith("suggestions = "))
    v = s.scheme.version
    toml = toml.replace(f"version = {v}", f'version = {v + 1}\nsuggestions = "{mode}"', 1)
    s.record_scheme(parse_scheme(toml))
    assert s.scheme.suggestions == mode


def _open(qtbot, w, doc_id: int) -> None:
    w.open_document(doc_id)
    qtbot.waitUntil(
        lambda: (
            w._suggestion_layer is not None
            and w.suggestion_layer.doc_id == doc_id
            and not w._suggestions_waiting
        ),
        timeout=3000,
    )


def _shown(w) -> list[tuple[int, int, str]]:
    """What is outlined, in code points (from the view's UTF-16 positions)."""
    off = w.view.offsets
    return [
        (*off.range_to_codepoint(p.start16, p.end16), p.label) for p in w.view.painted_suggestions
    ]


def _cursor_to(w, cp: int) -> None:
    w.view.select_cp(cp, cp)


def _near(a: QColor, b: QColor, tol: int = 40) -> bool:
    return (abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())) <= tol


def test_suggestions_are_dashed_outlines_not_fills(qtbot, open_window, suggested, reader):
    simple, emoji = suggested
    w = open_window("alice")
    _open(qtbot, w, emoji)
    # UTF-16 offsets: an emoji pair before "party" shifts the outline by Qt's units
    assert _shown(w) == [(*_at(EMOJI, "party"), "alarmist")]
    _open(qtbot, w, simple)
    assert _shown(w) == [
        (*_at(SIMPLE, "quick"), "alarmist"),
        (*_at(SIMPLE, "lazy dog"), "policy_prescription"),
        (*_at(SIMPLE, "amused"), "alarmist"),
        (*_at(SIMPLE, "second paragraph"), "skeptical_of_alliance"),
    ]
    assert w.findChild(type(w.suggestion_layer.hint), "suggestionHint").text() == (
        "4 suggested spans · 1 suggested field — Alt+Enter accepts"
    )
    quick = next(s for s in w.suggestion_layer.shown if s.label == "alarmist")
    color = QColor(w.scheme.palette().paint("alarmist").band)
    fill, band = w.view.span_colors("alarmist", color)
    w.view.clear_selection()
    qtbot.wait(50)
    img = w.view.viewport().grab().toImage()
    [rect] = w.view.suggestion_rects(quick.id)
    y = round(rect.top() + 0.5)
    row = [img.pixelColor(x, y) for x in range(int(rect.left()) + 4, int(rect.right()) - 3)]
    on = [_near(c, band) for c in row]
    assert sum(on) >= 4 and not all(on)  # the band's colour, dashed: with gaps
    # nothing is filled: the label's fill appears nowhere before it is accepted
    w.view.resize(w.view.size())
    grid = [(x, yy) for x in range(0, img.width(), 2) for yy in range(0, img.height(), 2)]
    assert not any(_near(img.pixelColor(x, yy), fill, 6) for x, yy in grid)
    _cursor_to(w, quick.start + 1)
    qtbot.keyClick(w.view, K.Key_Return, ALT)
    qtbot.wait(50)
    img = w.view.viewport().grab().toImage()
    assert any(_near(img.pixelColor(x, yy), fill, 6) for x, yy in grid)


def test_accept_by_key_is_a_span_with_its_origin_undo_and_redo(
    qtbot, open_window, suggested, reader
):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    a, b = _at(SIMPLE, "lazy dog")
    _cursor_to(w, a + 2)
    qtbot.keyClick(w.view, K.Key_Return, ALT)
    [span] = reader.spans(simple, "alice")
    assert (span.start, span.end, span.label, span.origin) == (
        a, b, "policy_prescription", f"suggestion:{SRC}",
    )  # fmt: skip
    assert (a, b, "policy_prescription") not in _shown(w)  # now a label, not an outline
    assert len(_shown(w)) == 3
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.spans(simple, "alice") == []
    assert (a, b, "policy_prescription") in _shown(w)
    qtbot.keyClick(w.view, K.Key_Z, CTRL | SHIFT)
    [again] = reader.spans(simple, "alice")
    assert (again.id, again.origin) == (span.id, f"suggestion:{SRC}")


def test_relabel_of_an_accepted_suggestion_is_edited_and_undo_restores_its_origin(
    qtbot, open_window, suggested, reader
):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    _cursor_to(w, _at(SIMPLE, "quick")[0])
    qtbot.keyClick(w.view, K.Key_Return, ALT)
    [span] = reader.spans(simple, "alice")
    assert w.view.selected_span == span.id  # the accepted span is selected
    qtbot.keyClick(w.view, K.Key_2)  # skeptical_of_alliance's key: relabel it
    assert reader.span(span.id).label == "skeptical_of_alliance"
    assert reader.span(span.id).origin == f"edited:{SRC}"
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert (reader.span(span.id).label, reader.span(span.id).origin) == (
        "alarmist", f"suggestion:{SRC}",
    )  # fmt: skip
    qtbot.keyClick(w.view, K.Key_Z, CTRL | SHIFT)
    assert reader.span(span.id).origin == f"edited:{SRC}"


def test_reject_hides_it_for_good_and_undo_brings_it_back(
    qtbot, open_window, suggested, reader, db
):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    a, b = _at(SIMPLE, "amused")
    _cursor_to(w, b)  # just after the word: still that suggestion
    qtbot.keyClick(w.view, K.Key_Backspace, ALT)
    target = next(s.target for s in reader.suggestions(simple) if s.start == a)
    assert reader.rejected_suggestions(simple, "alice") == {(SRC, target)}
    assert (a, b, "alarmist") not in _shown(w)
    assert reader.spans(simple, "alice") == []
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.rejected_suggestions(simple, "alice") == set()
    assert (a, b, "alarmist") in _shown(w)
    qtbot.keyClick(w.view, K.Key_Z, CTRL | SHIFT)
    assert reader.rejected_suggestions(simple, "alice") == {(SRC, target)}
    w.close()
    again = open_window("alice")  # reopened: still rejected, for alice only
    _open(qtbot, again, simple)
    assert (a, b, "alarmist") not in _shown(again)
    assert len(_shown(again)) == 3
    other = open_window("bob")
    _open(qtbot, other, simple)
    assert (a, b, "alarmist") in _shown(other)


def test_accept_all_in_the_sentence_is_one_undo_step(qtbot, open_window, suggested, reader):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    _cursor_to(w, _at(SIMPLE, "fox")[0])
    qtbot.keyClick(w.view, K.Key_Return, ALT | SHIFT)
    got = [(s.start, s.end, s.label, s.origin) for s in reader.spans(simple, "alice")]
    assert got == [
        (*_at(SIMPLE, "quick"), "alarmist", f"suggestion:{SRC}"),
        (*_at(SIMPLE, "lazy dog"), "policy_prescription", f"suggestion:{SRC}"),
    ]
    assert _shown(w) == [
        (*_at(SIMPLE, "amused"), "alarmist"),
        (*_at(SIMPLE, "second paragraph"), "skeptical_of_alliance"),
    ]
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.spans(simple, "alice") == []
    assert len(_shown(w)) == 4


def test_next_and_previous_suggestion_move_the_selection(qtbot, open_window, suggested):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    _cursor_to(w, 0)
    qtbot.keyClick(w.view, K.Key_Right, ALT)
    assert w.view.selection_cp() == _at(SIMPLE, "quick")
    qtbot.keyClick(w.view, K.Key_Right, ALT)
    assert w.view.selection_cp() == _at(SIMPLE, "lazy dog")
    qtbot.keyClick(w.view, K.Key_Right, ALT)
    qtbot.keyClick(w.view, K.Key_Right, ALT)
    assert w.view.selection_cp() == _at(SIMPLE, "second paragraph")
    qtbot.keyClick(w.view, K.Key_Right, ALT)  # wraps round
    assert w.view.selection_cp() == _at(SIMPLE, "quick")
    qtbot.keyClick(w.view, K.Key_Left, ALT)
    assert w.view.selection_cp() == _at(SIMPLE, "second paragraph")
    qtbot.keyClick(w.view, K.Key_Return, ALT)  # accepts the one gone to
    assert (*_at(SIMPLE, "second paragraph"), "skeptical_of_alliance") not in _shown(w)


def test_the_toggle_hides_and_shows_them_and_is_remembered(qtbot, open_window, suggested):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    assert len(_shown(w)) == 4
    qtbot.keyClick(w.view, K.Key_H, CTRL | SHIFT)
    assert _shown(w) == []
    assert not w.menus.suggestions_action.isChecked()
    assert QSettings().value("suggestions/show") == "false"
    qtbot.keyClick(w.view, K.Key_Return, ALT)  # nothing to accept while hidden
    w.close()
    again = open_window("alice")
    _open(qtbot, again, simple)
    assert _shown(again) == []
    assert not again.menus.suggestions_action.isChecked()
    qtbot.keyClick(again.view, K.Key_H, CTRL | SHIFT)
    assert len(_shown(again)) == 4


def test_the_suggested_field_is_a_hint_accepted_by_key(qtbot, open_window, suggested, reader):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    hint = w.panel.fields["dominant_frame"].suggestion
    assert hint is not None and hint.isVisible()
    assert hint.text() == "suggested: Alarmist · 0.83"
    qtbot.keyClick(w.view, K.Key_D, ALT | SHIFT)
    [label] = [x for x in reader.all_doc_labels(simple) if x.coder == "alice"]
    assert (label.field, label.value, label.origin) == (
        "dominant_frame", "alarmist", f"suggestion:{SRC}",
    )  # fmt: skip
    assert not hint.isVisible()  # chosen: no hint
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.doc_labels(simple, "alice") == {}
    assert hint.isVisible()


# -- blind first ------------------------------------------------------------------------


def _with_round(db: Path, sample: int, other: int) -> None:
    with Store(db) as s:
        s.create_round("main", 7, {})
        s.add_assignments(
            "main",
            [("alice", sample, True, 1), ("bob", sample, True, 1), ("alice", other, False, 2)],
        )


def test_never_on_a_reliability_document_whatever_the_toggle(
    qtbot, open_window, suggested, db, reader
):
    simple, emoji = suggested
    _with_round(db, sample=simple, other=emoji)
    w = open_window("alice")
    _open(qtbot, w, simple)
    assert _shown(w) == []
    assert w.suggestion_layer.hint.text() == ""  # nothing that tells the sample apart
    hint = w.panel.fields["dominant_frame"].suggestion
    assert hint is None or not hint.isVisible()
    _cursor_to(w, _at(SIMPLE, "quick")[0] + 1)
    for mods in (ALT, ALT | SHIFT):
        qtbot.keyClick(w.view, K.Key_Return, mods)
    qtbot.keyClick(w.view, K.Key_D, ALT | SHIFT)
    qtbot.keyClick(w.view, K.Key_Right, ALT)
    assert w.view.selection_cp() is None
    assert reader.spans(simple, "alice") == [] and reader.doc_labels(simple, "alice") == {}
    # the toggle, off and on again, does not bring them
    qtbot.keyClick(w.view, K.Key_H, CTRL | SHIFT)
    qtbot.keyClick(w.view, K.Key_H, CTRL | SHIFT)
    assert w.menus.suggestions_action.isChecked()
    assert _shown(w) == []
    _open(qtbot, w, emoji)  # outside the sample: shown
    assert _shown(w) == [(*_at(EMOJI, "party"), "alarmist")]


def test_never_on_a_reliability_document_of_a_coders_pack(
    qtbot, open_window, suggested, db, tmp_path
):
    simple, emoji = suggested
    _with_round(db, sample=simple, other=emoji)
    pack = tmp_path / "alice.db"
    res = CliRunner().invoke(cli, ["--db", str(db), "pack", "--coder", "alice", "-o", str(pack)])
    assert res.exit_code == 0, res.output
    w = open_window("alice", path=pack)
    assert w.store.reliability_documents() == []  # the pack cannot tell the sample
    _open(qtbot, w, simple)
    assert _shown(w) == []
    assert w.suggestion_layer.hint.text() == ""
    _open(qtbot, w, emoji)
    assert _shown(w) == [(*_at(EMOJI, "party"), "alarmist")]


def test_after_first_pass_they_appear_once_the_document_was_done(
    qtbot, open_window, suggested, db, reader
):
    simple, emoji = suggested
    with Store(db) as s:
        _record_mode(s, "after-first-pass")
    w = open_window("alice")
    _open(qtbot, w, simple)
    assert _shown(w) == []
    assert w.suggestion_layer.hint.text() == "Suggestions after your first pass"
    qtbot.keyClick(w.view, K.Key_Return, CTRL)  # mark done (and go to the next)
    assert reader.done_once(simple, "alice")
    _open(qtbot, w, simple)
    assert len(_shown(w)) == 4
    qtbot.keyClick(w.view, K.Key_Return, CTRL | SHIFT)  # not done again: still shown
    assert len(_shown(w)) == 4


def test_the_keys_are_in_the_suggestions_menu_and_the_shortcut_table(qtbot, open_window):
    w = open_window("alice")
    rows = dict((tip, keys) for keys, tip in w.shortcut_rows)
    assert rows["Accept the suggestion at the cursor: it becomes your span"] == (
        "Alt+Return or Alt+Enter"
    )
    assert rows["Go to the next suggestion"] == "Alt+Right"
    assert rows["Go to the previous suggestion"] == "Alt+Left"
    assert (
        "Ctrl+Shift+H"
        in rows["Show or hide suggestions (dashed outlines; never on documents coded blind)"]
    )
    titles = [a.text() for a in w.menuBar().actions()]
    assert "&Suggestions" in titles


def test_another_coder_on_the_same_document_sees_their_own_rejections(
    qtbot, open_window, suggested
):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    _cursor_to(w, _at(SIMPLE, "amused")[0])
    qtbot.keyClick(w.view, K.Key_Backspace, ALT)
    assert len(_shown(w)) == 3
    w.switch_coder("bob")
    qtbot.waitUntil(lambda: len(_shown(w)) == 4, timeout=3000)
    w.switch_coder("alice")
    qtbot.waitUntil(lambda: len(_shown(w)) == 3, timeout=3000)


def test_thousands_of_suggestions_make_no_widget_each(qtbot, open_window, db, doc_ids):
    simple = doc_ids["Simple"]
    words = [(i, i + 3) for i in range(0, len(SIMPLE) - 3)]
    spans = [(simple, a, b, "alarmist", None) for a, b in words for _ in range(30)]
    with Store(db) as s:
        _record_mode(s, "always")
        s.replace_suggestions(SRC, [simple], spans[:3000])
    w = open_window("alice")
    _open(qtbot, w, doc_ids["Emoji"])
    before = len(w.findChildren(QObject))
    _open(qtbot, w, simple)
    assert len(w.view.painted_suggestions) == 3000
    assert len(w.findChildren(QObject)) - before < 10
    w.view.viewport().grab()  # paints only what is visible


def test_the_fields_popup_marks_the_suggestion_and_the_accept_key_works_in_it(
    qtbot, open_window, suggested, reader
):
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    qtbot.keyClick(w.view, K.Key_D, CTRL)
    picker = w.field_keys.picker
    assert picker is not None and picker.isVisible()
    assert picker.option_text(0, 0) == "○  Alarmist   · suggested"
    assert picker.option_text(0, 1) == "○  Skeptical of alliance"
    qtbot.keyClick(picker, K.Key_D, ALT | SHIFT)
    assert reader.doc_labels(simple, "alice") == {"dominant_frame": "alarmist"}
    assert picker.isVisible()
    assert picker.option_text(0, 0) == "●  Alarmist"


# -- the database busy while accepting ---------------------------------------------------


def test_accepted_while_the_database_is_busy_keeps_its_origin_in_the_queue_and_recovery(
    qtbot, open_window, suggested, reader, db
):
    """Accepted spans and fields wait in the pending queue with their origin: a relabel
    undone there puts ``suggestion:<source>`` back (not ``manual``), and the recovery
    file carries the origins so that ``import-labels`` restores them."""
    from tests.conftest import write_lock_held

    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    with write_lock_held(db):
        _cursor_to(w, _at(SIMPLE, "quick")[0] + 1)
        qtbot.keyClick(w.view, K.Key_Return, ALT)
        _cursor_to(w, _at(SIMPLE, "lazy dog")[0] + 1)
        qtbot.keyClick(w.view, K.Key_Return, ALT)
        qtbot.keyClick(w.view, K.Key_2)  # relabel the pending accepted span ...
        _cursor_to(w, _at(SIMPLE, "amused")[0] + 1)
        qtbot.keyClick(w.view, K.Key_Return, ALT)
        qtbot.keyClick(w.view, K.Key_2)  # ... and this one, then undo this relabel
        qtbot.keyClick(w.view, K.Key_Z, CTRL)
        qtbot.keyClick(w.view, K.Key_D, ALT | SHIFT)  # the suggested field
        _cursor_to(w, _at(SIMPLE, "second paragraph")[0] + 1)
        qtbot.keyClick(w.view, K.Key_Backspace, ALT)  # a rejection waits too
        assert w.pending.count() >= 6
        records, lost = w.pending.recovery_records()
        [rec] = records  # no record without a coder for the rejection ...
        assert rec["_annotator_id"] == "alice"
        # ... which import-labels cannot restore: said so
        assert [x for x in lost if "reject" in x] == [
            f"document {simple}: reject a suggestion of {SRC} in document {simple}; do it again"
        ]
        got = {(s["text"], s["label"], s["origin"]) for s in rec["spans"]}
        assert got == {
            ("quick", "alarmist", f"suggestion:{SRC}"),
            ("lazy dog", "skeptical_of_alliance", f"edited:{SRC}"),
            ("amused", "alarmist", f"suggestion:{SRC}"),
        }
        assert rec["doc_label_origins"] == {"dominant_frame": f"suggestion:{SRC}"}
    qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert len(reader.rejected_suggestions(simple, "alice")) == 1
    got = {(SIMPLE[s.start : s.end], s.label, s.origin) for s in reader.spans(simple, "alice")}
    assert got == {
        ("quick", "alarmist", f"suggestion:{SRC}"),
        ("lazy dog", "skeptical_of_alliance", f"edited:{SRC}"),
        ("amused", "alarmist", f"suggestion:{SRC}"),
    }
    # the recovery file, imported by the real command into a database without them,
    # gives the same origins back
    path = db.parent / "recovery.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    w.close()
    with Store(db) as s:
        for span in s.spans(simple, "alice"):
            s.delete_span(span.id)
        s.set_doc_label(simple, "alice", "dominant_frame", None)
    res = CliRunner().invoke(cli, ["--db", str(db), "import-labels", str(path)])
    assert res.exit_code == 0, res.output
    spans = reader.spans(simple, "alice")
    assert {(SIMPLE[s.start : s.end], s.label, s.origin) for s in spans} == got
    [label] = [x for x in reader.all_doc_labels(simple) if x.coder == "alice"]
    assert (label.value, label.origin) == ("alarmist", f"suggestion:{SRC}")


def test_a_retired_label_is_never_suggested_in_the_window(qtbot, open_window, suggested, reader):
    """A label retired by a new scheme version (or suggested by a model trained before):
    its suggestions are not drawn, nor accepted with the sentence, nor counted."""
    simple, _ = suggested
    with Store(reader.path) as s:
        toml = s.scheme_version_toml(s.scheme_versions()[-1])
        v = s.scheme.version
        toml = toml.replace(f"version = {v}", f"version = {v + 1}", 1)
        toml = toml.replace('name = "alarmist"\n', 'name = "alarmist"\nretired = true\n', 1)
        s.record_scheme(parse_scheme(toml))
        assert s.scheme.label("alarmist").retired
        assert any(x.label == "alarmist" for x in s.suggestions(simple))  # still stored
    w = open_window("alice")
    _open(qtbot, w, simple)
    assert [x[2] for x in _shown(w)] == ["policy_prescription", "skeptical_of_alliance"]
    assert w.suggestion_layer.hint.text().startswith("2 suggested spans")
    _cursor_to(w, _at(SIMPLE, "quick")[0] + 1)
    qtbot.keyClick(w.view, K.Key_Return, ALT | SHIFT)  # the first sentence
    assert [(x.label, x.origin) for x in reader.spans(simple, "alice")] == [
        ("policy_prescription", f"suggestion:{SRC}")
    ]


def test_a_rejection_waiting_for_the_database_stays_rejected_after_switching_documents(
    qtbot, open_window, suggested, reader, db
):
    from tests.conftest import write_lock_held

    simple, emoji = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    quick = (*_at(SIMPLE, "quick"), "alarmist")
    with write_lock_held(db):
        _cursor_to(w, quick[0] + 1)
        qtbot.keyClick(w.view, K.Key_Backspace, ALT)
        assert quick not in _shown(w) and w.pending.count() == 1
        _open(qtbot, w, emoji)
        _open(qtbot, w, simple)
        assert quick not in _shown(w)  # not back while the rejection waits
        assert len(_shown(w)) == 3
    qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert quick not in _shown(w)
    assert len(reader.rejected_suggestions(simple, "alice")) == 1


def test_a_suggestion_shown_before_the_text_was_corrected_is_not_accepted_at_old_offsets(
    qtbot, open_window, suggested, reader, db, tmp_path
):
    """``annotator import --update`` corrects the article's text (and drops its
    suggestions) while the window shows it: accepting what is still drawn is refused
    (it would store a span over other characters), and opening the article again shows
    the new text without the old outlines."""
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    new_text = "A correction first. " + SIMPLE
    correct_in_another_process(db, simple, new_text, tmp_path)
    _cursor_to(w, _at(SIMPLE, "quick")[0] + 1)
    qtbot.keyClick(w.view, K.Key_Return, ALT)
    qtbot.keyClick(w.view, K.Key_Return, ALT | SHIFT)
    assert reader.spans(simple, "alice") == []  # nothing over the wrong characters
    w.open_document(simple)
    qtbot.waitUntil(lambda: not w._suggestions_waiting, timeout=3000)
    assert w.doc.text == new_text
    assert _shown(w) == []  # the corrected text has no suggestions (yet)


def test_a_long_suggested_multi_value_does_not_widen_the_label_panel(
    qtbot, open_window, db, doc_ids
):
    """Every option of a multi field suggested: the hint wraps inside the field's box (it
    pushed the panel's column wider than its visible part, cutting off the Clear
    buttons and the descriptions), in the words the buttons use, as plain text."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QWidget

    simple = doc_ids["Simple"]
    every = ["alarmist", "skeptical_of_alliance", "policy_prescription"]
    with Store(db) as s:
        _record_mode(s, "always")
        s.replace_suggestions(
            SRC, [simple], [], [(simple, "frames_present", every, 0.55),
                                (simple, "dominant_frame", "skeptical_of_alliance", 0.6)],
        )  # fmt: skip
    w = open_window("alice")
    w.resize(1366, 768)
    _open(qtbot, w, simple)
    qtbot.wait(50)
    scroll = w.panel.findChild(QWidget, "labelPanelInner").parentWidget().parentWidget()
    visible = scroll.viewport().width()
    for name, box in w.panel.fields.items():
        hint = box.suggestion
        assert hint is not None and hint.isVisible()
        assert hint.textFormat() == Qt.TextFormat.PlainText
        assert hint.height() >= hint.heightForWidth(hint.width())  # no line cut off
        for part in (hint, box.clear_button):
            if part is None:
                continue
            right = part.mapTo(scroll.viewport(), QPoint(part.width(), 0)).x()
            assert right <= visible, (name, part.objectName(), right, visible)
    assert w.panel.fields["frames_present"].suggestion.text() == (
        "suggested: Alarmist, Skeptical of alliance, Policy prescription · 0.55"
    )


def test_an_accepted_suggestion_undone_takes_the_article_back_to_new(
    qtbot, open_window, suggested, reader
):
    """Accepting a suggestion on an article the coder had not started, then Ctrl+Z: the
    span went but the article stayed "in progress" (counted as coded by the coder, with
    nothing found), where a label key's undo takes it back to "new". Failed before
    ``_AcceptOne`` wrote its span through ``AddSpan``'s one path."""
    simple, _ = suggested
    w = open_window("alice")
    _open(qtbot, w, simple)
    assert reader.status(simple, "alice") == "new"
    a, b = _at(SIMPLE, "lazy dog")
    _cursor_to(w, a + 2)
    qtbot.keyClick(w.view, K.Key_Return, ALT)
    [span] = reader.spans(simple, "alice")
    assert span.origin == f"suggestion:{SRC}"
    assert reader.status(simple, "alice") == "in_progress"
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.spans(simple, "alice") == []
    assert reader.status(simple, "alice") == "new"
    assert w.doc_list.state_of(simple) == "new"
    qtbot.keyClick(w.view, K.Key_Z, CTRL | SHIFT)  # redo: the span and "in progress" back
    [again] = reader.spans(simple, "alice")
    assert (again.id, again.origin) == (span.id, f"suggestion:{SRC}")
    assert reader.status(simple, "alice") == "in_progress"

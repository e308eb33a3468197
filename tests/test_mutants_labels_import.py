"""Tests that kill surviving mutants of annotator/labels_import.py (bench/mutation.md,
"labels_import.py"): its small functions called directly, with literal expected values."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from annotator.formats.tasks import LabelTask, LineError
from annotator.labels_import import (
    FileImport,
    _assign_choices,
    _line_of,
    _Prepared,
    _problems,
    _seconds,
    _shown,
    _stored_form,
    _why_nothing,
)
from annotator.scheme import load_scheme

# the default scheme: dominant_frame (single: alarmist, skeptical_of_alliance,
# policy_prescription, none) and frames_present (multi: the first three)
SCHEME = load_scheme()
LABELS = "alarmist, skeptical_of_alliance, policy_prescription"


def test_the_one_line_summary_of_a_file():
    assert FileImport("f.jsonl", errors=["x"]).summary() == (
        "f.jsonl: refused (1 problem(s)); nothing written"
    )
    assert FileImport("f.jsonl", "prodigy", tasks=2).summary() == (
        "f.jsonl (prodigy): 2 task(s), 0 new document(s), 0 span(s) added, 0 already present,"
        " 0 document label(s) set"
    )
    full = FileImport(
        "f.jsonl", "jsonl", [], 3, 1, 1, 4, 2, 5, 6, 7, new_scheme_version=2
    )  # fmt: skip
    assert full.summary() == (
        "f.jsonl (jsonl): 3 task(s), 1 new document(s), 4 span(s) added, 2 already present,"
        " 5 document label(s) set, 6 document label(s) kept (changed in this database after"
        " the file's record was written), 7 status(es) updated, 1 not accepted (skipped),"
        " scheme v2 recorded"
    )


@pytest.mark.parametrize(
    ("error", "line"),
    [
        ("f.jsonl:12: reason", 12),
        ("f.jsonl:12: span 1: start 3: after: end", 12),  # ": " in the reason
        ("C:\\data\\f.jsonl:3: reason", 3),  # ":" in the path
        ("f.jsonl: no JSON lines", 0),  # the file itself: first
        ("f.jsonl:x: reason", 0),
    ],
)
def test_the_line_number_an_error_is_sorted_by(error, line):
    assert _line_of(error) == line


def test_why_nothing_was_imported():
    answers = Counter({"reject": 2, None: 1})
    assert _why_nothing(Path("f.jsonl"), "jsonl", 3, answers) == (
        "f.jsonl: nothing to import: none of its 3 task(s) is accepted (or without an answer)"
        " (answers: 2 'reject', 1 without one); --all-answers imports them all"
    )
    assert _why_nothing(Path("p.jsonl"), "prodigy", 1, Counter({"ignore": 1})) == (
        "p.jsonl: nothing to import: none of its 1 task(s) is accepted"
        " (answers: 1 'ignore'); --all-answers imports them all"
    )


def test_values_shown_in_messages_and_stored_times():
    assert _shown(("a", "b")) == "['a', 'b']"
    assert _shown(["a"]) == "['a']"
    assert _shown("a") == "'a'"
    assert _seconds("2024-01-02T03:04:05+00:00") == 1704164645
    assert _seconds("not a time") == 0
    assert _seconds(None) == 0


def test_stored_form_of_a_field_value(store):
    assert _stored_form(store, "dominant_frame", ["none"]) == "none"
    assert _stored_form(store, "dominant_frame", "none") == "none"
    assert _stored_form(store, "dominant_frame", ["none", "alarmist"]) == ("alarmist", "none")
    assert _stored_form(store, "frames_present", ["policy_prescription", "alarmist"]) == (
        "alarmist",
        "policy_prescription",
    )
    assert _stored_form(store, "frames_present", ["alarmist"]) == ("alarmist",)
    assert _stored_form(store, "no_such_field", ["b", "a"]) == ("b", "a")


def assigned(choices, field_name=None, add_labels=False):
    doc_labels: dict = {}
    _assign_choices(choices, doc_labels, SCHEME, field_name, add_labels)
    return doc_labels


def test_choices_go_to_their_fields():
    assert assigned(["dominant_frame:none", "frames_present:alarmist"]) == {
        "dominant_frame": "none",
        "frames_present": ["alarmist"],
    }
    assert assigned(["none", "none"]) == {"dominant_frame": "none"}  # the only field with it
    assert assigned(["alarmist", "b", "alarmist"], field_name="frames_present") == {
        "frames_present": ["alarmist", "b"]
    }
    # only the first ":" separates the field (an option may contain one)
    assert assigned(["frames_present:x:y"], add_labels=True) == {"frames_present": ["x:y"]}
    assert assigned(["new_field:x"], add_labels=True) == {"new_field": ["x"]}


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            ["zzz"],
            "category 'zzz' is not an option of any document field (write it as"
            " 'field:option', or give --field)",
        ),
        (
            ["alarmist"],
            "category 'alarmist' is an option of several fields (dominant_frame,"
            " frames_present); write it as 'field:option' or give --field",
        ),
        (
            ["dominant_frame:none", "dominant_frame:alarmist"],
            "single-choice field 'dominant_frame' got several options ['none', 'alarmist']",
        ),
    ],
)
def test_choices_that_cannot_be_placed_are_named(choices, message):
    with pytest.raises(LineError) as err:
        assigned(choices)
    assert str(err.value) == message


def item(spans=(), doc_labels=None):
    task = LabelTask(text="some text")
    return _Prepared(1, task, "some text", "ann", list(spans), dict(doc_labels or {}))


def test_problems_are_all_named_and_values_normalised():
    one = item(
        spans=[(0, 1, "x", "", None), (1, 2, "y", "", None), (2, 3, "x", "", None)],
        doc_labels={
            "nope": "v",
            "dominant_frame": ["none"],
            "frames_present": ["zz", "alarmist", "yy"],
        },
    )
    assert _problems(one, SCHEME) == [
        f"label 'x' is not in the scheme ({LABELS}); use --add-labels to extend it",
        f"label 'y' is not in the scheme ({LABELS}); use --add-labels to extend it",
        "document field 'nope' is not in the scheme; use --add-labels",
        f"'zz' is not an option of field 'frames_present' ({LABELS}); use --add-labels to"
        " extend it",
        f"'yy' is not an option of field 'frames_present' ({LABELS}); use --add-labels to"
        " extend it",
    ]
    assert one.doc_labels["dominant_frame"] == "none"  # one option of a single field
    two = item(doc_labels={"dominant_frame": ["none", "alarmist"], "frames_present": "alarmist"})
    assert _problems(two, SCHEME) == [
        'field \'dominant_frame\' takes one option, got ["none", "alarmist"]'
    ]
    assert two.doc_labels["frames_present"] == ["alarmist"]  # one option of a multi field


def prepared(text="some text", spans=(), coder="ann", override=None, **kw):
    from annotator.formats.tasks import TaskSpan
    from annotator.labels_import import _prepare

    task = LabelTask(text=text, coder=coder, spans=[TaskSpan(*s) for s in spans])
    return _prepare(7, task, override, SCHEME, None, False, **kw)


@pytest.mark.parametrize(
    ("text", "spans", "message"),
    [
        (" \n\t", [], "empty or whitespace-only text"),
        ("a\ud800b", [], "text contains an unpaired surrogate"),
        ("abc", [(2, 2, "alarmist")], "span 1 (alarmist): start 2 is not before end 2"),
        ("abc", [(1, 4, "alarmist")], "span 1 (alarmist): [1, 4) is outside the text (length 3)"),
        ("a\r\nb", [(1, 2, "x")], "span 1 (x) covers only the \\r of a \\r\\n line break"),
    ],
)
def test_a_line_that_cannot_be_imported_says_why(text, spans, message):
    with pytest.raises(LineError) as err:
        prepared(text, spans)
    assert str(err.value) == message


def test_the_gold_layer_only_from_the_canonical_format():
    from annotator.store import GOLD

    assert prepared(coder=GOLD).coder == GOLD  # the default format is the canonical one
    with pytest.raises(LineError) as err:
        prepared(coder=GOLD, fmt="prodigy")
    assert str(err.value) == (
        f"coder name {GOLD!r} is reserved for the adjudicated layer, which only the canonical"
        " JSONL carries (export --format jsonl; or export the coders alone, --annotator NAME)"
    )


def test_repeated_spans_are_a_multiset_and_versions_are_kept_when_known(store, tmp_path):
    import json

    from annotator.corpus import text_hash
    from annotator.labels_import import import_label_files

    text = "North Korea sends troops."
    line = {
        "text": text,
        "_annotator_id": "ann",
        "answer": "accept",
        "spans": [
            {"start": 0, "end": 5, "label": "alarmist", "scheme_version": 1},
            {"start": 0, "end": 5, "label": "alarmist", "scheme_version": 1},
            {"start": 6, "end": 11, "label": "alarmist", "scheme_version": 99},
            {"start": 12, "end": 17, "label": "brand_new"},
        ],
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(line) + "\n", "utf-8")
    [first] = import_label_files(store, [path], "prodigy", add_labels=True)
    assert (first.spans_added, first.spans_present, first.new_scheme_version) == (4, 0, 2)
    assert (first.tasks, first.format) == (1, "prodigy")  # counted once, not in both passes
    doc_id = store.document_id_by_hash(text_hash(text))
    got = sorted((s.start, s.end, s.scheme_version) for s in store.spans(doc_id, "ann"))
    # version 1 is known and kept; 99 is not, nor is a span without one: the current, 2
    assert got == [(0, 5, 1), (0, 5, 1), (6, 11, 2), (12, 17, 2)]
    line["spans"].append({"start": 0, "end": 5, "label": "alarmist"})  # a third copy
    path.write_text(json.dumps(line) + "\n", "utf-8")
    [again] = import_label_files(store, [path], "prodigy")
    assert (again.spans_added, again.spans_present) == (1, 4)
    assert len(store.spans(doc_id, "ann")) == 5


def test_a_record_without_a_coder_may_only_be_new():
    from annotator.labels_import import _prepare

    fresh = LabelTask(text="some text", status="new")
    assert _prepare(7, fresh, None, SCHEME, None, False).coder is None
    for task in (
        LabelTask(text="some text", status="done"),
        LabelTask(text="some text", seconds_spent=5.0),
    ):
        with pytest.raises(LineError) as err:
            _prepare(7, task, None, SCHEME, None, False)
        assert str(err.value) == "no coder named (no _annotator_id); give --annotator NAME"


# --- reading the file: mutants of _Scan.lines/_parse/items/check, import_label_file(s) ---


def import_one(store, path, data, **kw):
    from annotator.labels_import import import_label_files

    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    [result] = import_label_files(store, [path], **kw)
    return result


def task_line(text="Some text here.", coder="ana", **extra):
    import json

    return json.dumps({"text": text, "spans": [], "answer": "accept", "_annotator_id": coder,
                       **extra})  # fmt: skip


def test_lines_are_numbered_from_one_with_their_byte_offsets(tmp_path):
    from annotator.labels_import import _Scan

    path = tmp_path / "p.jsonl"
    # a byte-order mark at the start, a blank line, a CRLF line, a whitespace-only line
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n{"b": "\xc3\xa9"}\r\n \t \n[2]')
    scan = _Scan(path, "auto", None, False, False, None)
    errors: list[str] = []
    assert list(scan.lines(errors)) == [(1, 0, {"a": 1}), (3, 13, {"b": "é"}), (5, 30, [2])]
    assert errors == []
    assert scan.fmt == ""  # "auto" means: detect it
    assert _Scan(path, "prodigy", None, False, False, None).fmt == "prodigy"


def test_a_byte_order_mark_counts_only_at_the_start(tmp_path):
    from annotator.labels_import import _Scan

    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"a": 1}\n\xef\xbb\xbf{"b": 2}\n')
    errors: list[str] = []
    assert list(_Scan(path, "auto", None, False, False, None).lines(errors)) == [(1, 0, {"a": 1})]
    assert errors == [
        f"{path}:2: not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) at column 1)"
    ]


def test_the_digest_covers_every_byte_read(tmp_path):
    import hashlib

    from annotator.labels_import import _Scan

    data = b'{"a": 1}\n\n  \n{"b": 2}'
    path = tmp_path / "p.jsonl"
    path.write_bytes(data)
    digest = hashlib.sha256()
    list(_Scan(path, "auto", None, False, False, None).lines([], digest))
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_unreadable_files_are_named_with_the_reason(tmp_path):
    import os

    from annotator.labels_import import _Scan

    os.mkfifo(tmp_path / "pipe.jsonl")
    for path, reason in [
        (tmp_path / "pipe.jsonl", "not a regular file (a pipe or device); give a file"),
        (tmp_path, "cannot read: Is a directory"),
        (tmp_path / "missing.jsonl", "cannot read: No such file or directory"),
    ]:
        errors: list[str] = []
        assert list(_Scan(path, "auto", None, False, False, None).lines(errors)) == []
        assert errors == [f"{path}: {reason}"]


def test_bytes_that_are_not_utf8_are_named_at_their_offset(store, tmp_path):
    good = task_line().encode()
    for name, data, reason in [
        ("late.jsonl", good + b'\n{"text": "caf\xe9"}\n' + good + b"\n\xff\n",
         f"not UTF-8 text (invalid byte at offset {len(good) + 1 + 13})"),
        ("bom.jsonl", b'\xef\xbb\xbf{"text": "caf\xe9"}\n', "not UTF-8 text (invalid byte at offset 16)"),
        # only the first line can be a whole file in another encoding
        ("second.jsonl", good + b"\n\xff\xfe{\x00}\x00\n",
         f"not UTF-8 text (invalid byte at offset {len(good) + 1})"),
        ("first.jsonl", b'{"text": "caf\xe9"}\n', "not UTF-8 text (invalid byte at offset 13)"),
        ("u16.jsonl", (task_line() + "\n").encode("utf-16"),
         "not UTF-8 but UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"),
    ]:  # fmt: skip
        path = tmp_path / name
        r = import_one(store, path, data)
        assert r.errors == [f"{path}: {reason}"]  # one message: the rest is not read
    assert store.document_count() == 0


def test_lines_that_are_not_json_are_named_by_line(store, tmp_path):
    path = tmp_path / "p.jsonl"
    r = import_one(store, path, task_line() + '\nnot json\n\n{"a": \n[NaN]\r\n\r[x\r\n{"a": 1,\r\n')
    assert r.errors == [
        f"{path}:2: not valid JSON (Expecting value at column 1)",
        f"{path}:4: not valid JSON (Expecting value at column 7)",
        f"{path}:5: NaN is not allowed in JSON",
        f"{path}:6: not valid JSON (Expecting value at column 3)",  # only the end's \r is cut
        f"{path}:7: not valid JSON (Expecting property name enclosed in double quotes at column 9)",
    ]


def test_files_that_import_nothing_say_why_in_one_line(store, tmp_path):
    import json

    for name, data, reason in [
        ("empty.jsonl", "", "no JSON lines"),
        ("blank.jsonl", "\n  \r\n\n", "no JSON lines"),
        ("doccano.jsonl", json.dumps({"text": "Doccano.", "label": [[0, 3, "alarmist"]]}) + "\n"
         + json.dumps({"text": "Other.", "label": [[0, 3, "alarmist"]]}) + "\n",
         "doccano lines do not name the coder (no _annotator_id); give --annotator NAME"),
        ("rejected.jsonl", task_line(answer="reject") + "\n" + task_line("Other.", answer="reject")
         + "\n" + task_line(answer="ignore") + "\n",
         "nothing to import: none of its 3 task(s) is accepted (answers: 2 'reject', 1 'ignore');"
         " --all-answers imports them all"),
        ("canonical.jsonl", task_line(answer="reject", doc_labels={}) + "\n",
         "nothing to import: none of its 1 task(s) is accepted (or without an answer) (answers:"
         " 1 'reject'); --all-answers imports them all"),
    ]:  # fmt: skip
        path = tmp_path / name
        r = import_one(store, path, data)
        assert r.errors == [f"{path}: {reason}"]
        assert r.summary() == f"{path}: refused (1 problem(s)); nothing written"
    path = tmp_path / "unknown.jsonl"
    r = import_one(store, path, '\n{"foo": 1}\n' + task_line() + "\n")
    assert r.errors == [f"{path}:2: cannot tell the format; use --format (jsonl, prodigy, doccano)"]
    assert store.document_count() == 0


def test_a_doccano_file_naming_its_coder_somewhere_reports_the_other_lines(store, tmp_path):
    import json

    path = tmp_path / "d.jsonl"
    lines = [
        {"text": "Doccano one.", "label": [[0, 3, "alarmist"]], "_annotator_id": "dora"},
        {"text": "Doccano two.", "label": [[0, 3, "alarmist"]]},
    ]
    r = import_one(store, path, "".join(json.dumps(x) + "\n" for x in lines))
    assert r.errors == [f"{path}:2: no coder named (no _annotator_id); give --annotator NAME"]
    assert r.not_accepted == 0  # a line with a problem is not a task "not accepted"
    r = import_one(store, path, "".join(json.dumps(x) + "\n" for x in lines), coder="dora")
    assert r.ok and (r.format, r.tasks, r.documents_added, r.spans_added) == ("doccano", 2, 2, 2)


def test_tasks_not_accepted_are_counted_and_the_rest_imported(store, tmp_path):
    path = tmp_path / "p.jsonl"
    data = task_line("One text.") + "\n" + task_line("Two.", answer="reject") + "\n"
    r = import_one(store, path, data + task_line("Three.", answer="ignore") + "\n")
    assert (r.ok, r.format, r.tasks, r.not_accepted, r.documents_added) == (
        True, "prodigy", 1, 2, 1,
    )  # fmt: skip
    r = import_one(store, path, data, all_answers=True)
    assert (r.ok, r.tasks, r.not_accepted, r.documents_added) == (True, 2, 0, 1)


def test_import_label_files_checks_its_arguments_and_reports_progress(store, tmp_path):
    from annotator.errors import AnnotatorError
    from annotator.labels_import import import_label_files

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    span = [{"start": 0, "end": 5, "label": "alarmist"}]
    a.write_text(task_line("First text.", coder="x", spans=span) + "\n", "utf-8")
    b.write_text(task_line("Second text.", coder="x", spans=span) + "\n", "utf-8")
    with pytest.raises(AnnotatorError) as err:
        import_label_files(store, [a], "xml")
    assert str(err.value) == "unknown format 'xml' (choose from auto, jsonl, prodigy, doccano)"
    with pytest.raises(AnnotatorError) as err:
        import_label_files(store, [a], coder="a|b")
    assert "'a|b'" in str(err.value)
    assert store.document_count() == 0
    calls: list[tuple[int, int]] = []
    results = import_label_files(
        store,
        (p for p in [str(a), b]),
        "prodigy",
        "ben",
        progress=lambda i, n: calls.append((i, n)),
    )
    assert calls == [(1, 2), (2, 2)]
    assert [(r.path, r.format, r.tasks, r.documents_added) for r in results] == [
        (str(a), "prodigy", 1, 1),
        (str(b), "prodigy", 1, 1),
    ]
    assert store.coders() == ["ben"]  # the override, not the file's "x"


# --- the gold layer: mutants of _gold_conflicts and _write_gold ---------------------------

GOLD_TEXT = "Moscow and Pyongyang signed a pact."


def gold_line(spans=(), doc_labels=None, sources=None):
    import json

    rec = {
        "text": GOLD_TEXT,
        "spans": [dict(s) for s in spans],
        "doc_labels": dict(doc_labels or {}),
        "answer": "accept",
        "_annotator_id": "gold",
    }
    if sources is not None:
        rec["doc_label_sources"] = sources
    return json.dumps(rec) + "\n"


def gold_doc(store):
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    [doc_id] = import_documents(store, [RawDocument(GOLD_TEXT, "src", {})]).added
    return doc_id


def gold_spans(store, doc_id):
    return [
        (s.start, s.end, s.label, s.note, s.scheme_version) for s in store.spans(doc_id, "gold")
    ]


OVERLAP = (
    "{p}:1: gold span {i} ({label} [{s}, {e})) overlaps the adjudicated {label} span [{gs}, {ge})"
    " of this database{note}; an import never overwrites a gold decision (change it in review"
    " mode)"
)


def test_only_an_overlapping_gold_span_of_the_same_label_is_a_conflict(tmp_path):
    from annotator.store import Store

    path = tmp_path / "g.jsonl"
    for n, (spans, conflict) in enumerate([
        ([(4, 8, "alarmist")], (1, "alarmist", 4, 8, 4, 10, "")),  # after another label's span
        ([(0, 4, "alarmist"), (10, 12, "alarmist")], None),  # touching it on either side
        ([(0, 3, "alarmist"), (4, 10, "skeptical_of_alliance")], None),  # other labels
        ([(11, 20, "alarmist")], None),  # where only ana has one
        ([(20, 25, "alarmist"), (4, 10, "alarmist", "a note")],
         (2, "alarmist", 4, 10, 4, 10, " (another note)")),
    ]):  # fmt: skip
        with Store(tmp_path / f"{n}.db") as store:
            d = gold_doc(store)
            store.add_gold_span(d, 0, 3, "skeptical_of_alliance", [])
            store.add_gold_span(d, 4, 10, "alarmist", [])
            store.add_span(d, "ana", 11, 20, "alarmist")  # a coder's span: no gold decision
            spans_json = [
                {"start": s[0], "end": s[1], "label": s[2], "note": (s[3] if len(s) > 3 else "")}
                for s in spans
            ]
            before = gold_spans(store, d)
            r = import_one(store, path, gold_line(spans_json))
            if conflict is None:
                assert r.ok, r.errors
                assert len(gold_spans(store, d)) == 2 + len(spans)
            else:
                i, label, s, e, gs, ge, note = conflict
                assert r.errors == [
                    OVERLAP.format(p=path, i=i, label=label, s=s, e=e, gs=gs, ge=ge, note=note)
                ]
                assert gold_spans(store, d) == before


def test_a_gold_value_in_another_order_is_the_same_decision(store, tmp_path):
    d = gold_doc(store)
    store.set_gold_label(d, "frames_present", ["alarmist", "policy_prescription"], [])
    store.set_gold_label(d, "dominant_frame", "none", [])
    path = tmp_path / "g.jsonl"
    labels = {"frames_present": ["policy_prescription", "alarmist"], "dominant_frame": ["none"]}
    r = import_one(store, path, gold_line(doc_labels=labels))
    assert r.ok and (r.doc_labels_set, r.spans_added) == (0, 0), r.errors
    r = import_one(store, path, gold_line(doc_labels={"frames_present": ["alarmist"]}))
    assert r.errors == [
        f"{path}:1: gold frames_present is ['alarmist', 'policy_prescription'] in this database;"
        " the file's ['alarmist'] would overwrite an adjudicated decision (change it in review"
        " mode)"
    ]


def test_gold_spans_are_a_multiset_and_their_versions_kept_when_known(store, tmp_path):
    d = gold_doc(store)
    store.add_gold_span(d, 0, 6, "alarmist", [])
    store.add_gold_span(d, 0, 6, "alarmist", [])
    span = {"start": 0, "end": 6, "label": "alarmist", "sources": []}
    spans = [
        span,
        span,
        span,  # a third copy: added
        {"start": 11, "end": 20, "label": "alarmist", "scheme_version": 1, "sources": ["ben"]},
        {"start": 21, "end": 27, "label": "alarmist", "scheme_version": 99, "sources": []},
        {"start": 28, "end": 29, "label": "brand_new", "sources": []},
    ]
    labels = {"dominant_frame": "alarmist", "frames_present": ["alarmist"]}
    path = tmp_path / "g.jsonl"
    r = import_one(
        store, path, gold_line(spans, labels, {"dominant_frame": ["ana"]}), add_labels=True
    )
    assert r.ok, r.errors
    assert (r.spans_added, r.spans_present, r.doc_labels_set, r.new_scheme_version) == (4, 2, 2, 2)
    assert gold_spans(store, d) == [
        (0, 6, "alarmist", "", 1),
        (0, 6, "alarmist", "", 1),
        (0, 6, "alarmist", "", 2),
        (11, 20, "alarmist", "", 1),  # version 1 is known: kept
        (21, 27, "alarmist", "", 2),  # 99 is not: the current one
        (28, 29, "brand_new", "", 2),
    ]
    assert store.coders() == ["ana", "ben"]  # source coders without labels of their own
    assert store.gold_label_sources(d) == {"dominant_frame": ("ana",), "frames_present": ()}


# --- re-reading lines, new documents, a coder's fields: _Scan.items_at, _new_document,
# _write_labels ------------------------------------------------------------------------


def test_lines_read_again_by_their_offsets(tmp_path):
    from annotator.labels_import import _Scan

    good = task_line("Some text here.", spans=[{"start": 0, "end": 4, "label": "alarmist"}])
    bad_span = task_line("Bad span.", spans=[{"start": 3, "end": 2, "label": "alarmist"}])
    lines = [
        b"\xef\xbb\xbf" + good.encode(),  # line 1, offset 0: the mark is skipped
        b"",  # line 2: blank
        b"not json",  # line 3
        b'{"text": "caf\xe9"}',  # line 4: not UTF-8
        bad_span.encode(),  # line 5
    ]
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    offsets = [0]
    for raw in lines[:-1]:
        offsets.append(offsets[-1] + len(raw) + 1)
    scan = _Scan(path, "prodigy", None, False, False, None)
    errors: list[str] = []
    places = [(offsets[i], i + 1) for i in [4, 3, 2, 1, 0]]
    got = list(scan.items_at(places, SCHEME, errors))
    assert got[:4] == [None, None, None, None]
    assert (got[4].line, got[4].text, got[4].coder, got[4].spans) == (
        1, "Some text here.", "ana", [(0, 4, "alarmist", "", None)],
    )  # fmt: skip
    assert errors == [
        f"{path}:5: span 1 (alarmist): start 3 is not before end 2",
        f"{path}: not UTF-8 text (invalid byte at offset {offsets[3] + 13})",
        f"{path}:3: not valid JSON (Expecting value at column 1)",
    ]


def test_a_new_documents_source_and_title(store, tmp_path):
    import json

    text = "North Korea sends troops to Russia. Beijing watches."
    path = tmp_path / "p.jsonl"
    lines = [
        task_line("First text, titled.", meta={"title": "  A \n title ", "source": "wire"}),
        task_line(text, meta={"source": 7, "doc_id": 3, "sha256": "x", "lang": "en"}),
    ]
    r = import_one(store, path, "\n".join(lines) + "\n")
    assert r.ok and r.documents_added == 2, r.errors
    first, second = (store.document(d) for d in store.document_ids())
    assert (first.title, first.source, first.meta) == ("A title", "wire", {})
    assert (second.title, second.source, second.meta) == (text, f"{path}:2", {"lang": "en"})
    assert json.loads(lines[1])["meta"]["doc_id"] == 3  # not kept: it describes the database


def test_a_coders_fields_compared_in_the_schemes_order(store, tmp_path):
    import json

    from annotator.corpus import text_hash

    text = "Moscow and Pyongyang signed a pact."
    path = tmp_path / "p.jsonl"
    r = import_one(store, path, task_line(text) + "\n")
    d = store.document_id_by_hash(text_hash(text))
    store.set_doc_label(d, "ana", "frames_present", ["alarmist", "policy_prescription"])
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    rec = {
        "text": text,
        "doc_labels": {
            "frames_present": ["policy_prescription", "alarmist"],  # the same value
            "dominant_frame": "none",  # a different one, from a newer record
        },
        "_annotator_id": "ana",
        "_timestamp": 4102444800,  # 2100
    }
    r = import_one(store, path, json.dumps(rec) + "\n")
    assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (1, 0), r.errors
    assert store.doc_labels(d, "ana") == {
        "frames_present": ("alarmist", "policy_prescription"),
        "dominant_frame": "none",
    }


# --- a file that changes while it is imported: _tokenise_new_texts and _write ---------------

TEXT_A = "Moscow and Pyongyang signed a pact."
TEXT_B = "Moscow and Pyongyang signed a deal."  # as long: the lines keep their offsets
SPAN = [{"start": 0, "end": 6, "label": "alarmist"}]


def change_while_tokenising(monkeypatch, path, data, back):
    """The file is ``data`` while the texts are read for spaCy, ``back`` before and after."""
    import annotator.labels_import as li

    real = li.tokenize_arrays

    def tokenise(texts, pipeline):
        path.write_bytes(data)
        read = list(texts)
        path.write_bytes(back)
        return real(read, pipeline)

    monkeypatch.setattr(li, "tokenize_arrays", tokenise)


def change_before_writing(monkeypatch, path, data):
    import annotator.labels_import as li

    real = li._tokenise_new_texts

    def tokenise(*args, **kw):
        packed = real(*args, **kw)
        path.write_bytes(data)
        return packed

    monkeypatch.setattr(li, "_tokenise_new_texts", tokenise)


CHANGED = "the file changed while it was imported; nothing written"


@pytest.mark.parametrize(
    "meanwhile",
    [
        task_line(TEXT_B, spans=SPAN).encode() + b"\n",  # another text: its offsets would be wrong
        b'{"text": "caf\xe9"}' + b" " * 100 + b"\n",  # not UTF-8
        b"not json" + b" " * 100 + b"\n",
    ],
)
def test_a_text_changed_only_while_it_is_tokenised_is_refused(
    store, tmp_path, monkeypatch, meanwhile
):
    path = tmp_path / "p.jsonl"
    data = task_line(TEXT_A, spans=SPAN).encode() + b"\n"
    path.write_bytes(data)
    change_while_tokenising(monkeypatch, path, meanwhile, data)
    from annotator.labels_import import import_label_files

    [r] = import_label_files(store, [path])
    assert r.errors == [f"{path}: {CHANGED}"]
    assert (r.documents_added, r.spans_added, store.document_count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("meanwhile", "reason"),
    [
        (task_line(TEXT_A, spans=SPAN) + "\n\n", CHANGED),  # one more byte, the same lines
        (task_line(TEXT_A, spans=SPAN) + "\nnot json\n", CHANGED),
        (task_line(TEXT_A, spans=SPAN) + "\n" + task_line("Another text.") + "\n", CHANGED),
        (task_line(TEXT_B, spans=SPAN) + "\n", CHANGED),  # a text not tokenised
        (task_line(TEXT_A, spans=[{**SPAN[0], "label": "nope"}]) + "\n",
         "line 1 changed while it was imported"),
    ],
)  # fmt: skip
def test_a_file_changed_before_the_writing_pass_writes_nothing(
    store, tmp_path, monkeypatch, meanwhile, reason
):
    from annotator.labels_import import import_label_files

    path = tmp_path / "p.jsonl"
    path.write_text(task_line(TEXT_A, spans=SPAN) + "\n", "utf-8")
    change_before_writing(monkeypatch, path, meanwhile.encode())
    [r] = import_label_files(store, [path])
    assert r.errors == [f"{path}: {reason}"]
    assert (r.documents_added, r.spans_added, store.document_count()) == (0, 0, 0)
    assert store.coders() == []


def test_a_new_document_records_the_pipeline_that_tokenised_it(store, tmp_path):
    from annotator.nlp import DEFAULT_PIPELINE

    import_one(store, tmp_path / "p.jsonl", task_line(TEXT_A) + "\n")
    rows = store.conn.execute("SELECT pipeline FROM documents").fetchall()
    assert [tuple(r) for r in rows] == [(DEFAULT_PIPELINE,)]


def test_a_record_as_old_as_the_stored_value_replaces_it(store, tmp_path):
    """Only a value set *after* the record's ``_timestamp`` (in whole seconds) is kept; a
    field kept does not stop the next field from being set."""
    import json
    from datetime import datetime

    from annotator.corpus import text_hash

    path = tmp_path / "p.jsonl"
    import_one(store, path, task_line(TEXT_A) + "\n")
    d = store.document_id_by_hash(text_hash(TEXT_A))
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    [stored] = store.all_doc_labels(d)
    stamp = int(datetime.fromisoformat(stored.updated_at).timestamp())
    rec = {"text": TEXT_A, "doc_labels": {"dominant_frame": "none"}, "_annotator_id": "ana"}
    r = import_one(store, path, json.dumps({**rec, "_timestamp": stamp - 1}) + "\n")
    assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (0, 1), r.errors
    rec["doc_labels"]["frames_present"] = ["alarmist"]  # after the kept field: still set
    r = import_one(store, path, json.dumps({**rec, "_timestamp": stamp - 1}) + "\n")
    assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (1, 1), r.errors
    assert store.doc_labels(d, "ana") == {
        "dominant_frame": "alarmist",
        "frames_present": ("alarmist",),
    }
    del rec["doc_labels"]["frames_present"]
    r = import_one(store, path, json.dumps({**rec, "_timestamp": stamp}) + "\n")
    assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (1, 0), r.errors
    assert store.doc_labels(d, "ana")["dominant_frame"] == "none"


def test_import_label_file_defaults(store, tmp_path):
    from annotator.labels_import import import_label_file

    path = tmp_path / "p.jsonl"
    span = [{"start": 0, "end": 4, "label": "alarmist"}]
    path.write_text(
        task_line("Kept text.", spans=span) + "\n" + task_line("Rejected.", answer="reject") + "\n",
        "utf-8",
    )
    r = import_label_file(store, path)  # detected format, accepted tasks only
    assert (r.ok, r.format, r.tasks, r.not_accepted, r.spans_added) == (True, "prodigy", 1, 1, 1)
    path.write_text(task_line("New label.", spans=[{**span[0], "label": "nope"}]) + "\n", "utf-8")
    r = import_label_file(store, path)  # the scheme is not extended
    assert r.errors == [
        f"{path}:1: label 'nope' is not in the scheme ({LABELS}); use --add-labels to extend it"
    ]


def test_the_second_pass_of_add_labels_reports_only_what_is_new(store, tmp_path):
    import json

    path = tmp_path / "p.jsonl"
    lines = [
        task_line("A good text.", spans=[{"start": 0, "end": 4, "label": "brand_new"}], doc_labels={}),
        json.dumps({"text": "Two options.", "doc_labels": {"dominant_frame": ["none", "alarmist"]},
                    "_annotator_id": "ana"}),
        "not json",
        "[1]",
    ]  # fmt: skip
    r = import_one(store, path, "\n".join(lines) + "\n", add_labels=True)
    assert r.format == "jsonl"
    assert r.errors == [
        f'{path}:2: field \'dominant_frame\' takes one option, got ["none", "alarmist"]',
        f"{path}:3: not valid JSON (Expecting value at column 1)",
        f"{path}:4: not a JSON object",
    ]


def test_doccano_without_a_coder_is_named_before_the_other_problems(store, tmp_path):
    import json

    path = tmp_path / "d.jsonl"
    data = json.dumps({"text": "Doccano.", "label": [[0, 3, "alarmist"]]}) + "\nnot json\n"
    r = import_one(store, path, data)
    assert r.errors == [
        f"{path}: doccano lines do not name the coder (no _annotator_id); give --annotator NAME",
        f"{path}:2: not valid JSON (Expecting value at column 1)",
    ]
    assert r.format == "doccano"


def test_a_coders_span_over_a_gold_span_is_no_conflict(store, tmp_path):
    d = gold_doc(store)
    store.add_gold_span(d, 0, 6, "alarmist", [])
    span = [{"start": 0, "end": 10, "label": "alarmist"}]
    r = import_one(store, tmp_path / "p.jsonl", task_line(GOLD_TEXT, spans=span) + "\n")
    assert r.ok and r.spans_added == 1, r.errors


def test_problems_are_sorted_by_line_number_not_as_text(store, tmp_path):
    path = tmp_path / "p.jsonl"
    good = task_line("A good text.", spans=[{"start": 0, "end": 4, "label": "brand_new"}])
    lines = [good, "not json", *[good] * 7, "not json"]
    r = import_one(store, path, "\n".join(lines) + "\n", add_labels=True)
    assert r.errors == [
        f"{path}:2: not valid JSON (Expecting value at column 1)",
        f"{path}:10: not valid JSON (Expecting value at column 1)",
    ]


def test_the_open_database_is_never_read_as_a_label_file(store):
    from annotator.errors import AnnotatorError
    from annotator.labels_import import import_label_files

    with pytest.raises(AnnotatorError) as err:
        import_label_files(store, [store.path])
    assert str(store.path) in str(err.value)

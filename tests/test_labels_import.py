"""``annotator import-labels``: canonical, Prodigy and doccano JSONL into the store.

Each file is all or nothing (one transaction), errors are ``file:line: reason``,
offsets are kept as given, and importing a file twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument, text_hash
from annotator.errors import ValidationError
from annotator.export import export, records
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.reliability import compute_agreement
from annotator.store import Store

TEXT = "😀 North Korea sends troops to Russia.\nخبر عاجل about Iran and China."
TABLES = ("schemes", "documents", "annotators", "spans", "doc_labels", "status")


def write_jsonl(path: Path, objs) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), "utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, timestamps included."""
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}


def add_doc(store: Store, text: str, **meta) -> int:
    report = import_documents(store, [RawDocument(text, "src", meta)])
    return (report.added or [store.document_id_by_hash(text_hash(text))])[0]


def without_timestamp(recs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_timestamp"} for r in recs]


def one(results):
    [r] = results
    return r


def span_tuples(store: Store, doc_id: int, coder: str) -> list[tuple]:
    return [(s.start, s.end, s.label, s.note) for s in store.spans(doc_id, coder)]


# --- the canonical JSONL ---------------------------------------------------------


def test_canonical_round_trip_is_lossless(store, tmp_path):
    d1 = add_doc(store, TEXT, url="https://example.org/a", outlet="Daily")
    d2 = add_doc(store, "A second article about Iran.\n\nWith two paragraphs.")
    north = TEXT.index("North")
    store.add_span(d1, "ana", north, TEXT.index(" to Russia"), "alarmist", 'troops, "quoted"')
    store.add_span(d1, "ana", north + 2, north + 9, "skeptical_of_alliance")  # overlap, mid-token
    store.add_span(d1, "ana", 0, 1, "alarmist")  # the emoji alone
    store.add_span(d1, "Chloé B", TEXT.index("خبر"), len(TEXT), "policy_prescription", "a\nb")
    store.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d1, "ana", "frames_present", ["skeptical_of_alliance", "alarmist"])
    store.set_doc_label(d2, "ben", "frames_present", [])  # "none of them"
    first = tmp_path / "first.jsonl"
    assert export(store, first) == 3

    with Store(tmp_path / "new.db") as fresh:
        result = one(import_label_files(fresh, [first]))
        assert result.ok, result.errors
        assert (result.format, result.tasks, result.documents_added) == ("jsonl", 3, 2)
        assert result.spans_added == 4
        second = tmp_path / "second.jsonl"
        export(fresh, second)
        doc = fresh.document(1)
        assert (doc.title, doc.source) == (store.document(d1).title, "src")
        assert doc.meta == {"url": "https://example.org/a", "outlet": "Daily"}
        assert fresh.doc_labels(2, "ben") == {"frames_present": ()}
    assert without_timestamp(read_jsonl(second)) == without_timestamp(read_jsonl(first))


def test_importing_the_same_file_twice_changes_nothing(store, tmp_path):
    d1 = add_doc(store, TEXT)
    store.add_span(d1, "ana", 2, 7, "alarmist", "note")
    store.set_doc_label(d1, "ana", "frames_present", ["alarmist"])
    store.set_doc_label(d1, "ben", "dominant_frame", "none")
    src = tmp_path / "src.jsonl"
    export(store, src)
    prodigy = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "text": "A Prodigy task about Moscow.",
                "spans": [{"start": 2, "end": 9, "label": "alarmist"}],
                "accept": ["dominant_frame:none"],
                "answer": "accept",
                "_annotator_id": "pat",
            }
        ],
    )
    doccano = write_jsonl(
        tmp_path / "d.jsonl",
        [{"text": "A doccano line about Tehran.", "label": [[2, 9, "alarmist"]], "cats": {}}],
    )
    with Store(tmp_path / "twice.db") as s:
        import_label_files(s, [src, prodigy])
        import_label_files(s, [doccano], coder="dora")
        before = dump(s)
        assert len(before["spans"]) == 3 and len(before["doc_labels"]) == 3
        again = import_label_files(s, [src, prodigy]) + import_label_files(
            s, [doccano], coder="dora"
        )
        assert all(r.ok for r in again)
        assert sum(r.spans_added + r.doc_labels_set + r.documents_added for r in again) == 0
        assert sum(r.spans_present for r in again) == 3
        assert dump(s) == before  # row counts and every updated_at


def test_labels_for_a_known_document_are_matched_by_text_hash(store, tmp_path):
    doc = add_doc(store, "Known text, stored before the labels arrive.")
    f = write_jsonl(
        tmp_path / "k.jsonl",
        [
            {
                "text": "Known text, stored before the labels arrive.",
                "meta": {"title": "ignored for a known document"},
                "spans": [{"start": 0, "end": 5, "label": "alarmist"}],
                "answer": "accept",
                "_annotator_id": "ana",
            }
        ],
    )
    r = one(import_label_files(store, [f]))
    assert (r.documents_added, r.spans_added) == (0, 1)
    assert store.document_count() == 1
    assert span_tuples(store, doc, "ana") == [(0, 5, "alarmist", "")]


# --- Prodigy ---------------------------------------------------------------------


def prodigy_task(text, spans=(), answer="accept", coder="ana", **extra):
    task = {"text": text, "spans": [dict(s) for s in spans], "answer": answer, **extra}
    if coder is not None:
        task["_annotator_id"] = coder
    return task


def test_prodigy_only_accepted_tasks_unless_all_answers(store, tmp_path):
    sp = [{"start": 0, "end": 4, "label": "alarmist"}]
    f = write_jsonl(
        tmp_path / "prodigy.jsonl",
        [
            prodigy_task("Accepted task text.", sp),
            prodigy_task("Rejected task text.", sp, answer="reject"),
            prodigy_task("Ignored task text.", sp, answer="ignore"),
        ],
    )
    r = one(import_label_files(store, [f]))
    assert (r.format, r.tasks, r.not_accepted, r.documents_added) == ("prodigy", 1, 2, 1)
    assert store.document_count() == 1
    with Store(tmp_path / "all.db") as s:
        r = one(import_label_files(s, [f], all_answers=True))
        assert (r.tasks, r.not_accepted, r.spans_added) == (3, 0, 3)


def test_prodigy_spans_tokens_meta_and_choices(store, tmp_path):
    text = "Kim and Putin sign a pact. Analysts doubt it."
    tokens = [{"text": w, "start": text.index(w), "end": text.index(w) + len(w), "id": i}
              for i, w in enumerate(["Kim", "and", "Putin"])]  # fmt: skip
    f = write_jsonl(
        tmp_path / "p.jsonl",
        [
            prodigy_task(
                text,
                [
                    {"start": 0, "end": 13, "label": "alarmist", "token_start": 0, "token_end": 2},
                    {"start": 9, "end": 11, "label": "skeptical_of_alliance"},  # inside "Putin"
                ],
                coder=None,
                _session_id="framing-sam",
                tokens=tokens,
                meta={"title": "Kim  and\nPutin", "url": "u", "source": "wire"},
                accept=["frames_present:policy_prescription", "none"],
            )
        ],
    )
    r = one(import_label_files(store, [f]))
    assert r.ok, r.errors
    doc = store.document(1)
    assert (doc.title, doc.source, doc.meta) == ("Kim and Putin", "wire", {"url": "u"})
    # Offsets are kept exactly as given, even inside a token (never re-snapped).
    assert span_tuples(store, 1, "framing-sam") == [
        (0, 13, "alarmist", ""),
        (9, 11, "skeptical_of_alliance", ""),
    ]
    # "field:option", and a bare option that only one field has.
    assert store.doc_labels(1, "framing-sam") == {
        "dominant_frame": "none",
        "frames_present": ("policy_prescription",),
    }


def test_annotator_option_overrides_the_file(store, tmp_path):
    f = write_jsonl(
        tmp_path / "p.jsonl",
        [prodigy_task("Override text here.", [{"start": 0, "end": 8, "label": "alarmist"}])],
    )
    one(import_label_files(store, [f], coder="zoe"))
    assert store.coders() == ["zoe"]
    with pytest.raises(ValidationError, match="whitespace"):  # the name rule: no silent strip
        import_label_files(store, [f], coder="  zoe ")


def test_a_source_named_coder_the_database_has_from_before_the_rule_imports(store, tmp_path):
    """A coder named ``source:x`` before that name was refused (an older database) may
    import labels (as the file's coder, with --annotator, or as a gold label's coder);
    the same file into a database without them is refused, one line per record."""
    with store.conn:
        store.conn.execute("INSERT INTO annotators (name, created_at) VALUES ('source:x', '')")
    text = "Sanctions must be tightened now."
    span = {"start": 0, "end": 9, "label": "alarmist"}
    f = write_jsonl(tmp_path / "p.jsonl", [prodigy_task(text, [span], coder="source:x")])
    assert one(import_label_files(store, [f])).errors == []
    assert span_tuples(store, store.document_id_by_hash(text_hash(text)), "source:x") == [
        (0, 9, "alarmist", "")
    ]
    assert one(import_label_files(store, [f], coder="source:x")).errors == []
    store.add_gold_span(store.document_id_by_hash(text_hash(text)), 0, 9, "alarmist", ["source:x"])
    g = tmp_path / "g.jsonl"
    export(store, g)  # the gold record names source:x among its coders
    assert '"sources": ["source:x"]' in g.read_text("utf-8")
    assert one(import_label_files(store, [g])).errors == []
    with Store(tmp_path / "new.db") as new:
        r = one(import_label_files(new, [f]))
        assert r.errors == [
            f"{f}:1: coder name 'source:x' begins with 'source:', which names a suggestion"
            " source in agreement reports"
        ]
        with pytest.raises(ValidationError, match="begins with 'source:'"):
            import_label_files(new, [f], coder="source:x")


def test_prodigy_labels_without_a_coder_are_refused(store, tmp_path):
    f = write_jsonl(
        tmp_path / "p.jsonl",
        [prodigy_task("No coder text.", [{"start": 0, "end": 2, "label": "alarmist"}], coder=None)],
    )
    r = one(import_label_files(store, [f]))
    assert r.errors == [f"{f}:1: no coder named (no _annotator_id); give --annotator NAME"]
    assert store.document_count() == 0


# --- doccano ---------------------------------------------------------------------


def test_doccano_sequence_entities_and_classification_shapes(store, tmp_path):
    t1 = "Sequence labelling shape: Russia arms Iran."
    t2 = "Entities shape: China hedges its bets."
    t3 = "Classification shape: a neutral piece."
    f = write_jsonl(
        tmp_path / "doccano.jsonl",
        [
            {"text": t1, "label": [[26, 32, "alarmist"], [26, 42, "policy_prescription"]]},
            {
                "id": 7,
                "text": t2,
                "entities": [
                    {
                        "id": 1,
                        "start_offset": 16,
                        "end_offset": 21,
                        "label": "skeptical_of_alliance",
                    }
                ],
                "relations": [],
            },
            {"text": t3, "label": ["none", "frames_present:alarmist"]},
        ],
    )
    r = one(import_label_files(store, [f], coder="dora"))
    assert r.ok, r.errors
    assert (r.format, r.documents_added, r.spans_added, r.doc_labels_set) == ("doccano", 3, 3, 2)
    assert span_tuples(store, 1, "dora") == [
        (26, 32, "alarmist", ""),
        (26, 42, "policy_prescription", ""),
    ]
    assert span_tuples(store, 2, "dora") == [(16, 21, "skeptical_of_alliance", "")]
    assert store.doc_labels(3, "dora") == {
        "dominant_frame": "none",
        "frames_present": ("alarmist",),
    }


def test_doccano_category_goes_to_the_field_option(store, tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [{"text": "Ambiguous category.", "label": ["alarmist"]}])
    r = one(import_label_files(store, [f], coder="dora"))
    assert not r.ok and "option of several fields" in r.errors[0]
    r = one(import_label_files(store, [f], coder="dora", field_name="dominant_frame"))
    assert r.ok, r.errors
    assert store.doc_labels(1, "dora") == {"dominant_frame": "alarmist"}


def test_doccano_without_coder_is_refused(store, tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [{"text": "Some text.", "label": [[0, 4, "alarmist"]]}])
    r = one(import_label_files(store, [f]))
    assert not r.ok
    assert r.errors[0].startswith(f"{f}") and "--annotator" in r.errors[0]
    assert store.document_count() == 0


def test_format_is_detected_per_file_or_forced(store, tmp_path):
    canon_src = tmp_path / "canon.jsonl"
    d = add_doc(store, TEXT)
    store.add_span(d, "ana", 2, 7, "alarmist")
    export(store, canon_src)
    pro = write_jsonl(
        tmp_path / "pro.jsonl",
        [prodigy_task("Prodigy file text.", [{"start": 0, "end": 7, "label": "alarmist"}])],
    )
    doc = write_jsonl(tmp_path / "doc.jsonl", [{"text": "Doccano text.", "label": []}])
    with Store(tmp_path / "mixed.db") as s:
        results = import_label_files(s, [canon_src, pro, doc], coder="x")
        assert [r.format for r in results] == ["jsonl", "prodigy", "doccano"]
        assert all(r.ok for r in results)
    plain = write_jsonl(tmp_path / "plain.jsonl", [{"text": "Only a text."}])
    r = one(import_label_files(store, [plain]))
    assert r.errors == [
        f"{plain}:1: cannot tell the format; use --format (jsonl, prodigy, doccano)"
    ]
    r = one(import_label_files(store, [plain], fmt="prodigy", all_answers=True))
    assert r.ok and r.format == "prodigy" and r.documents_added == 1


# --- refusing bad input ------------------------------------------------------------


def bad_cases(tmp_path):
    good = prodigy_task("A good line first.", [{"start": 0, "end": 6, "label": "alarmist"}])
    text = "Ten chars."
    return {
        "not JSON": (["{not json"], "not valid JSON"),
        "outside": (
            [prodigy_task(text, [{"start": 5, "end": 11, "label": "alarmist"}])],
            "span 1 (alarmist): [5, 11) is outside the text (length 10)",
        ),
        "negative": (
            [prodigy_task(text, [{"start": -1, "end": 3, "label": "alarmist"}])],
            "is outside the text",
        ),
        "start == end": (
            [prodigy_task(text, [{"start": 4, "end": 4, "label": "alarmist"}])],
            "span 1 (alarmist): start 4 is not before end 4",
        ),
        "start > end": (
            [prodigy_task(text, [{"start": 6, "end": 2, "label": "alarmist"}])],
            "start 6 is not before end 2",
        ),
        "label": (
            [prodigy_task(text, [{"start": 0, "end": 3, "label": "hawkish"}])],
            "label 'hawkish' is not in the scheme",
        ),
        "option": (
            [prodigy_task(text, accept=["dominant_frame:hawkish"])],
            "'hawkish' is not an option of field 'dominant_frame'",
        ),
        "field": (
            [prodigy_task(text, accept=["tone:angry"])],
            "category 'tone:angry' is not an option of any document field",
        ),
        "answer": ([prodigy_task(text, answer="maybe")], '"answer" must be accept'),
        "offset type": (
            [prodigy_task(text, [{"start": "0", "end": 3, "label": "alarmist"}])],
            "span 1 start must be an integer",
        ),
    }, good


@pytest.mark.parametrize(
    "case",
    [
        "not JSON", "outside", "negative", "start == end", "start > end", "label", "option",
        "field", "answer", "offset type",
    ],
)  # fmt: skip
def test_a_bad_line_refuses_the_whole_file(store, tmp_path, case):
    cases, good = bad_cases(tmp_path)
    lines, reason = cases[case]
    f = tmp_path / "bad.jsonl"
    f.write_text(
        json.dumps(good)
        + "\n\n"
        + "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        "utf-8",
    )  # the bad line is line 3 (line 2 is blank)
    other = write_jsonl(
        tmp_path / "other.jsonl",
        [prodigy_task("Another good file.", [{"start": 0, "end": 7, "label": "alarmist"}])],
    )
    before = dump(store)
    bad, ok = import_label_files(store, [f, other])
    assert not bad.ok and bad.tasks == 0
    assert any(e.startswith(f"{f}:3: ") and reason in e for e in bad.errors), bad.errors
    assert "refused" in bad.summary() and "nothing written" in bad.summary()
    assert ok.ok and ok.spans_added == 1  # one bad file does not stop the next
    after = dump(store)
    texts = [row[4] for row in after["documents"]]
    assert texts == ["Another good file."]  # nothing at all from the bad file
    assert len(after["spans"]) == len(before["spans"]) + 1


def test_canonical_unknown_field_and_bad_single_value(store, tmp_path):
    base = {"text": "Canonical text.", "_annotator_id": "ana", "answer": "accept", "spans": []}
    f = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {**base, "doc_labels": {"tone": "angry"}},
            {**base, "doc_labels": {"dominant_frame": ["alarmist", "none"]}},
            {**base, "doc_labels": {"frames_present": 3}},
        ],
    )
    r = one(import_label_files(store, [f]))
    assert r.errors == [
        f"{f}:1: document field 'tone' is not in the scheme; use --add-labels",
        f'{f}:2: field \'dominant_frame\' takes one option, got ["alarmist", "none"]',
        f'{f}:3: doc_labels["frames_present"] must be an option or a list of options',
    ]
    assert store.document_count() == 0


def test_every_problem_is_reported_with_its_line(store, tmp_path):
    f = tmp_path / "many.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps(
                    prodigy_task("Okay line.", [{"start": 0, "end": 4, "label": "alarmist"}])
                ),
                "[1, 2",
                json.dumps(prodigy_task("Bad span.", [{"start": 0, "end": 99, "label": "x"}])),
                json.dumps({"spans": []}),
            ]
        ),
        "utf-8",
    )
    r = one(import_label_files(store, [f]))
    lines = [e.split(": ", 1)[0] for e in r.errors]
    assert lines == [f"{f}:2", f"{f}:3", f"{f}:4"]
    assert store.document_count() == 0


def test_add_labels_extends_the_scheme_as_a_new_version(store, tmp_path):
    f = write_jsonl(
        tmp_path / "new.jsonl",
        [
            prodigy_task(
                "Hawks and doves in the text.",
                [{"start": 0, "end": 5, "label": "hawkish"}],
                accept=["tone:angry", "dominant_frame:conciliatory"],
            )
        ],
    )
    assert not one(import_label_files(store, [f])).ok
    assert store.scheme_versions() == [1]
    r = one(import_label_files(store, [f], add_labels=True))
    assert r.ok, r.errors
    assert r.new_scheme_version == 2 and "scheme v2 recorded" in r.summary()
    assert store.scheme_versions() == [1, 2]
    scheme = store.scheme
    assert scheme.label("hawkish") is not None and scheme.label("alarmist") is not None
    assert "conciliatory" in scheme.field("dominant_frame").options
    assert scheme.field("tone").options == ("angry",)
    assert [s.scheme_version for s in store.spans(1, "ana")] == [2]
    assert store.doc_labels(1, "ana") == {"dominant_frame": "conciliatory", "tone": ("angry",)}
    before = dump(store)
    r = one(import_label_files(store, [f], add_labels=True))
    assert r.ok and r.new_scheme_version is None
    assert dump(store) == before


def test_add_labels_refuses_a_label_name_the_scheme_cannot_hold(store, tmp_path):
    f = write_jsonl(
        tmp_path / "bad.jsonl",
        [prodigy_task("Upper case label.", [{"start": 0, "end": 5, "label": "Hawkish Frame"}])],
    )
    r = one(import_label_files(store, [f], add_labels=True))
    assert not r.ok and "cannot extend the scheme" in r.errors[0]
    assert store.scheme_versions() == [1] and store.document_count() == 0


def test_crlf_source_text_is_normalised_and_offsets_shifted(store, tmp_path):
    raw = "Line one\r\nNorth Korea\r\nends."
    a = raw.index("North")
    f = write_jsonl(
        tmp_path / "crlf.jsonl",
        [prodigy_task(raw, [{"start": a, "end": a + len("North Korea"), "label": "alarmist"}])],
    )
    r = one(import_label_files(store, [f]))
    assert r.ok, r.errors
    doc = store.document(1)
    assert doc.text == "Line one\nNorth Korea\nends."
    [span] = store.spans(1)
    assert doc.text[span.start : span.end] == "North Korea"


# --- bugs --------------------------------------------------------------------------


def test_span_of_only_a_carriage_return_is_reported_not_raised(store, tmp_path):
    bad = write_jsonl(
        tmp_path / "cr.jsonl",
        [prodigy_task("ab\r\ncd", [{"start": 2, "end": 3, "label": "alarmist"}])],
    )
    good = write_jsonl(
        tmp_path / "good.jsonl",
        [prodigy_task("Good text.", [{"start": 0, "end": 4, "label": "alarmist"}])],
    )
    r_bad, r_good = import_label_files(store, [bad, good])
    assert not r_bad.ok and r_bad.errors[0].startswith(f"{bad}:1: ")
    assert r_good.ok


def test_multi_field_given_a_string(store, tmp_path):
    f = write_jsonl(
        tmp_path / "m.jsonl",
        [{"text": "Some text here.", "cats": {"frames_present": "alarmist"}}],
    )
    r = one(import_label_files(store, [f], coder="ana"))
    # One option of a multi field, given bare, is that option alone (as a one-item list).
    assert r.ok, r.errors
    assert (r.documents_added, r.doc_labels_set) == (1, 1)
    assert store.doc_labels(1, "ana") == {"frames_present": ("alarmist",)}


def test_text_starting_with_two_byte_order_marks(store, tmp_path):
    f = write_jsonl(tmp_path / "bom.jsonl", [prodigy_task("\ufeff\ufeffHello world.")])
    r = one(import_label_files(store, [f]))
    assert r.ok
    doc = store.document(1)
    assert doc.sha256 == text_hash(doc.text)


def test_text_with_a_nul_character(store, tmp_path):
    """Regression: SQL length() stopped at a NUL, so spans after it were refused."""
    f = write_jsonl(
        tmp_path / "nul.jsonl",
        [prodigy_task("ab\x00cdef", [{"start": 3, "end": 5, "label": "alarmist"}])],
    )
    r = one(import_label_files(store, [f]))
    assert r.ok, r.errors
    assert span_tuples(store, 1, "ana") == [(3, 5, "alarmist", "")]


def test_same_range_and_label_twice_survives_the_round_trip(store, tmp_path):
    d = add_doc(store, "Duplicate spans text.")
    store.add_span(d, "ana", 0, 9, "alarmist", "first reading")
    store.add_span(d, "ana", 0, 9, "alarmist", "second reading")
    out = tmp_path / "dup.jsonl"
    export(store, out)
    with Store(tmp_path / "dup.db") as fresh:
        import_label_files(fresh, [out])
        assert without_timestamp(list(records(fresh))) == without_timestamp(read_jsonl(out))


# --- the command line --------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["--db", "x.db", *args], catch_exceptions=False)


def test_cli_import_labels_good_and_twice(workdir):
    write_jsonl(
        workdir / "p.jsonl",
        [
            prodigy_task("CLI text one.", [{"start": 0, "end": 3, "label": "alarmist"}]),
            prodigy_task("CLI text two.", answer="reject"),
        ],
    )
    res = run("import-labels", "p.jsonl")
    assert res.exit_code == 0, res.output
    assert "p.jsonl (prodigy): 1 task(s), 1 new document(s), 1 span(s) added" in res.output
    assert "1 not accepted (skipped)" in res.output
    res = run("import-labels", "p.jsonl", "--all-answers")
    assert res.exit_code == 0 and "1 new document(s), 0 span(s) added, 1 already" in res.output


def test_cli_bad_files_one_line_per_problem(workdir):
    f = workdir / "bad.jsonl"
    f.write_text(
        json.dumps(prodigy_task("Fine.", [{"start": 0, "end": 4, "label": "alarmist"}]))
        + "\nnot json\n"
        + json.dumps(prodigy_task("Bad.", [{"start": 3, "end": 2, "label": "alarmist"}]))
        + "\n"
        + json.dumps(prodigy_task("Bad.", [{"start": 0, "end": 2, "label": "nope"}]))
        + "\n",
        "utf-8",
    )
    write_jsonl(workdir / "d.jsonl", [{"text": "Doccano.", "label": [[0, 3, "alarmist"]]}])
    res = run("import-labels", "bad.jsonl", "d.jsonl")
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    err = res.stderr.splitlines()
    assert err[0] == "bad.jsonl: refused (3 problem(s)); nothing written"
    assert err[1].startswith("  bad.jsonl:2: not valid JSON")
    assert err[2] == "  bad.jsonl:3: span 1 (alarmist): start 3 is not before end 2"
    assert err[3].startswith("  bad.jsonl:4: label 'nope' is not in the scheme")
    assert err[4] == "d.jsonl: refused (1 problem(s)); nothing written"
    assert "--annotator" in err[5]
    with Store(workdir / "x.db") as s:
        assert s.document_count() == 0 and s.coders() == []
    res = run("import-labels", "d.jsonl", "--annotator", "dora")
    assert res.exit_code == 0, res.output


def test_cli_missing_file_and_not_utf8(workdir):
    (workdir / "latin1.jsonl").write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))
    res = run("import-labels", "missing.jsonl", "latin1.jsonl")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "  missing.jsonl: cannot read" in res.stderr
    assert "  latin1.jsonl: not UTF-8 text" in res.stderr


# --- one rule for coder names (issue 9, point 8) -------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "in_a_file"),
    [
        ("a|b", "contains '|'", None),
        (" ana", "whitespace", None),
        ("ana\t", "whitespace", None),
        ("an\na", "non-printable", None),
        ("an\u200ba", "non-printable", None),  # zero-width space: names that look the same
        ("an\ud800a", "non-printable", "lone surrogate"),  # refused while reading the line
        ("x" * 101, "longer than 100", None),
        ("", "empty", "no coder named"),
        ("   ", "empty", None),
        (7, "must be text", "must be a string"),
        ("gold", "reserved", None),
        ("unlabelled", "reserved", None),
    ],
)
def test_the_name_rule_at_every_entry_point(store, tmp_path, name, reason, in_a_file):
    from annotator.store import check_coder_name

    with pytest.raises(ValidationError, match=reason):
        check_coder_name(name)
    with pytest.raises(ValidationError, match=reason):  # the window's "new coder"
        store.add_coder(name)
    if isinstance(name, str):
        with pytest.raises(ValidationError, match=reason):  # import-labels --annotator
            import_label_files(store, [], coder=name)
    task = prodigy_task("Named text.", [{"start": 0, "end": 5, "label": "alarmist"}], coder=name)
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(task) + "\n", "utf-8")
    r = one(import_label_files(store, [f]))
    assert len(r.errors) == 1 and r.errors[0].startswith(f"{f}:1: "), r.errors
    assert (in_a_file or reason) in r.errors[0]
    assert store.coders() == [] and store.document_count() == 0


def test_names_the_rule_accepts(store):
    for name in ("Chloé B", "長" * 100, "ana@laptop", "O'Brien", "👩‍🔬"[0], "Gold"):
        assert store.add_coder(name) == name


def test_cli_refuses_a_bad_coder_name_in_one_line(workdir):
    write_jsonl(workdir / "p.jsonl", [prodigy_task("Text.", [], coder=None)])
    res = run("import-labels", "p.jsonl", "--annotator", "a|b")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.splitlines() == ["Error: coder name 'a|b' contains '|'"]


# --- files that import nothing, answers, duplicates (point 11) ------------------------


def test_canonical_record_without_answer_counts_as_accepted(store, tmp_path):
    rec = {
        "text": "Hand-written canonical line.",
        "spans": [{"start": 0, "end": 4, "label": "alarmist"}],
        "doc_labels": {"dominant_frame": "alarmist"},
        "_annotator_id": "ana",
    }
    f = write_jsonl(tmp_path / "c.jsonl", [rec, {**rec, "text": "Rejected.", "answer": "reject"}])
    r = one(import_label_files(store, [f]))
    assert r.ok and r.format == "jsonl" and r.tasks == 1 and r.not_accepted == 1, r.errors
    d = store.document_id_by_hash(text_hash("Hand-written canonical line."))
    assert span_tuples(store, d, "ana") == [(0, 4, "alarmist", "")]
    assert store.doc_labels(d, "ana") == {"dominant_frame": "alarmist"}


def test_a_file_that_imports_nothing_says_why_and_fails(workdir):
    write_jsonl(
        workdir / "p.jsonl",
        [
            prodigy_task("One.", [{"start": 0, "end": 3, "label": "alarmist"}], answer="reject"),
            prodigy_task("Two.", [{"start": 0, "end": 3, "label": "alarmist"}], answer="ignore"),
            {k: v for k, v in prodigy_task("Three.").items() if k != "answer"},
        ],
    )
    res = run("import-labels", "p.jsonl")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.splitlines() == [
        "p.jsonl: refused (1 problem(s)); nothing written",
        "  p.jsonl: nothing to import: none of its 3 task(s) is accepted (answers: 1 'reject',"
        " 1 'ignore', 1 without one); --all-answers imports them all",
    ]
    with Store(workdir / "x.db") as s:
        assert s.document_count() == 0
    res = run("import-labels", "p.jsonl", "--all-answers")
    assert res.exit_code == 0, res.output


# --- the gold layer round-trips with its provenance (point 12) ------------------------


def gold_store(store: Store) -> tuple[int, int]:
    d1 = add_doc(store, TEXT)
    d2 = add_doc(store, "A second article about Iran.")
    for coder in ("ana", "ben", "zoe"):  # 'zoe' sorts after 'gold'
        store.add_span(d1, coder, 2, 7, "alarmist")
        store.set_doc_label(d1, coder, "dominant_frame", "alarmist")
    store.add_span(d2, "ana", 0, 1, "alarmist")
    store.add_gold_span(d1, 2, 7, "alarmist", sources=["zoe", "ana", "ben"])
    store.add_gold_span(d1, 8, 13, "skeptical_of_alliance", sources=[], note="mine")
    store.add_gold_span(d1, 8, 13, "skeptical_of_alliance", sources=[], note="mine")
    store.set_gold_label(d1, "dominant_frame", "alarmist", sources=["ben", "ana"])
    store.set_gold_label(d1, "frames_present", ["alarmist"], sources=[])
    store.add_gold_span(d2, 0, 1, "alarmist", sources=["ana"])
    return d1, d2


def gold_state(store: Store) -> list:
    out = []
    for d in store.document_ids():
        spans = store.spans(d, "gold")
        sources = store.gold_span_sources(d)
        out.append(
            (
                sorted((s.start, s.end, s.label, s.note, sources[s.id]) for s in spans),
                store.doc_labels(d, "gold"),
                store.gold_label_sources(d),
            )
        )
    return out


def test_default_export_with_a_gold_layer_imports_again_with_provenance(store, tmp_path):
    gold_store(store)
    out = tmp_path / "all.jsonl"
    export(store, out)
    gold = [r for r in read_jsonl(out) if r["_annotator_id"] == "gold"]
    assert gold[0]["doc_label_sources"] == {"dominant_frame": ["ana", "ben"], "frames_present": []}
    assert [s["sources"] for s in gold[0]["spans"]] == [["ana", "ben", "zoe"], [], []]
    with Store(tmp_path / "back.db") as back:
        r = one(import_label_files(back, [out]))
        assert r.ok, r.errors
        assert gold_state(back) == gold_state(store)
        assert back.coders() == store.coders() == ["ana", "ben", "zoe"]
        again = tmp_path / "again.jsonl"
        export(back, again)
        assert without_timestamp(read_jsonl(again)) == without_timestamp(read_jsonl(out))
        before = dump(back)
        r = one(import_label_files(back, [out]))  # twice: nothing changes
        assert r.ok and r.spans_added == 0 and r.doc_labels_set == 0, r
        assert dump(back) == before and gold_state(back) == gold_state(store)


def test_gold_from_an_export_without_provenance_is_the_adjudicators_own(store, tmp_path):
    rec = {
        "text": "Gold without provenance.",
        "spans": [{"start": 0, "end": 4, "label": "alarmist"}],
        "doc_labels": {"dominant_frame": "alarmist"},
        "answer": "accept",
        "_annotator_id": "gold",
    }
    f = write_jsonl(tmp_path / "g.jsonl", [rec])
    r = one(import_label_files(store, [f]))
    assert r.ok, r.errors
    assert gold_state(store) == [
        ([(0, 4, "alarmist", "", ())], {"dominant_frame": "alarmist"}, {"dominant_frame": ()})
    ]
    assert store.coders() == []


def test_gold_in_a_prodigy_file_or_with_bad_sources_is_one_line(store, tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [prodigy_task("Prodigy gold.", [], coder="gold")])
    r = one(import_label_files(store, [f]))
    assert r.errors == [
        f"{f}:1: coder name 'gold' is reserved for the adjudicated layer, which only the"
        " canonical JSONL carries (export --format jsonl; or export the coders alone,"
        " --annotator NAME)"
    ]
    rec = {
        "text": "Gold.",
        "spans": [{"start": 0, "end": 4, "label": "alarmist", "sources": ["a|b"]}],
        "doc_labels": {},
        "_annotator_id": "gold",
    }
    f = write_jsonl(tmp_path / "c.jsonl", [rec, {**rec, "doc_label_sources": []}])
    r = one(import_label_files(store, [f]))
    assert r.errors == [
        f"{f}:1: coder name 'a|b' contains '|'",
        f'{f}:2: "doc_label_sources" must be an object',
    ]
    assert store.document_count() == 0


# --- hostile JSON is one line, never a traceback (point 15) ----------------------------


def hostile_lines() -> dict[str, tuple[str, str]]:
    base = prodigy_task("Hostile text.", [{"start": 0, "end": 4, "label": "alarmist"}])
    line = json.dumps(base)
    return {
        "nested 1000 deep": ('{"text": "x", "meta": ' + "[" * 1000 + "]" * 1000 + "}", "nested"),
        "5000-digit integer": (
            line.replace('"start": 0', '"start": ' + "9" * 5000),
            "too many digits",
        ),
        "surrogate in a note": (
            line.replace('"label": "alarmist"', '"label": "alarmist", "note": "\\ud800"'),
            "lone surrogate",
        ),
        "surrogate in the coder": (line.replace('"ana"', '"an\\udfffa"'), "lone surrogate"),
        "surrogate in meta": (
            line.replace('"answer"', '"meta": {"k": "\\ud800"}, "answer"'),
            "lone surrogate",
        ),
        "surrogate in an option": (
            line.replace('"answer"', '"accept": ["dominant_frame:\\udc00"], "answer"'),
            "lone surrogate",
        ),
        "NaN": (line.replace('"start": 0', '"start": NaN'), "NaN"),
    }


@pytest.mark.parametrize("case", list(hostile_lines()))
def test_hostile_json_is_one_line_and_writes_nothing(workdir, case):
    bad, reason = hostile_lines()[case]
    good = json.dumps(prodigy_task("Good text.", [{"start": 0, "end": 4, "label": "alarmist"}]))
    (workdir / "h.jsonl").write_text(good + "\n" + bad + "\n", "utf-8")
    with Store(workdir / "x.db") as s:
        before = dump(s)
    res = run("import-labels", "h.jsonl")
    assert res.exit_code == 1 and "Traceback" not in res.output
    err = res.stderr.splitlines()
    assert err[0] == "h.jsonl: refused (1 problem(s)); nothing written"
    assert len(err) == 2 and err[1].startswith("  h.jsonl:2: ") and reason in err[1], err
    with Store(workdir / "x.db") as s:
        assert dump(s) == before


# --- streamed in passes, still all or nothing --------------------------------------------


def test_a_file_changed_between_the_passes_is_refused(store, tmp_path, monkeypatch):
    """The import reads the file several times (bounded memory): if it changes between the
    checking pass and the writing pass, nothing is written."""
    import annotator.labels_import as li

    tasks = [
        prodigy_task(f"Streamed text {i}.", [{"start": 0, "end": 8, "label": "alarmist"}])
        for i in range(3)
    ]
    f = write_jsonl(tmp_path / "p.jsonl", tasks)
    real = li.tokenize_arrays

    def tokenise_then_edit(texts, pipeline):
        out = list(real(texts, pipeline))
        write_jsonl(f, [*tasks[:2], prodigy_task("Another text.", [], coder="eve")])
        return iter(out)

    monkeypatch.setattr(li, "tokenize_arrays", tokenise_then_edit)
    before = dump(store)
    r = one(import_label_files(store, [f]))
    assert r.errors == [f"{f}: the file changed while it was imported; nothing written"]
    assert dump(store) == before
    monkeypatch.setattr(li, "tokenize_arrays", real)
    r = one(import_label_files(store, [f]))
    assert r.ok and r.documents_added == 3 and r.spans_added == 2


def test_repeated_texts_are_added_once_in_file_order(store, tmp_path):
    lines = [
        prodigy_task("First text.", [{"start": 0, "end": 5, "label": "alarmist"}], coder="ana"),
        prodigy_task("Second text.", [], coder="ana"),
        prodigy_task("First text.", [{"start": 6, "end": 10, "label": "alarmist"}], coder="ben"),
    ]
    r = one(import_label_files(store, [write_jsonl(tmp_path / "p.jsonl", lines)]))
    assert r.ok and r.documents_added == 2 and r.tasks == 3
    first, second = store.document_ids()
    assert (
        store.document(first).text == "First text."
        and store.document(second).text == "Second text."
    )
    assert span_tuples(store, first, "ben") == [(6, 10, "alarmist", "")]


def test_an_answer_that_is_not_text_is_one_line(store, tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [{**prodigy_task("Odd answer."), "answer": ["accept"]}])
    r = one(import_label_files(store, [f]))
    assert r.errors == [f'{f}:1: "answer" must be accept, reject or ignore, got ["accept"]']


def test_a_pipe_or_device_is_refused_without_reading_it(tmp_path):
    """A named pipe blocked the import forever at open, and /dev/zero was read as one
    endless line (7 GB of memory in 8 s); /dev/null read as "no JSON lines". Real
    process, so a blocked open fails the test by its timeout."""
    import os
    import subprocess
    import sys

    with Store(tmp_path / "labels.db"):
        pass
    os.mkfifo(tmp_path / "pipe.jsonl")
    for name in ["pipe.jsonl", "/dev/null"]:
        res = subprocess.run(
            [sys.executable, "-m", "annotator", "--db", "labels.db", "import-labels", name],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert res.returncode == 1, res.stderr
        assert f"{name}: not a regular file" in res.stderr, res.stderr
        assert "Traceback" not in res.stderr


def test_a_text_another_process_adds_meanwhile_is_not_counted_as_new(tmp_path, monkeypatch):
    """Another process imports the same article between import-labels' tokenising pass
    and its writing pass: the labels go to that document, and the summary said
    "1 new document(s)" although the database already had it."""
    import annotator.labels_import as li

    text = "Pyongyang and Moscow sign a pact. Beijing watches."
    src = write_jsonl(
        tmp_path / "ana.jsonl",
        [{"text": text, "spans": [{"start": 0, "end": 9, "label": "alarmist"}],
          "_annotator_id": "ana", "answer": "accept"}],
    )  # fmt: skip
    real = li._tokenise_new_texts

    def meanwhile(*args, **kw):
        packed = real(*args, **kw)
        with Store(tmp_path / "labels.db") as other:  # a second connection, as another process
            add_doc(other, text)
        return packed

    monkeypatch.setattr(li, "_tokenise_new_texts", meanwhile)
    with Store(tmp_path / "labels.db") as s:
        r = one(import_label_files(s, [src]))
        assert r.ok, r.errors
        assert (r.documents_added, r.spans_added) == (0, 1)
        assert s.document_count() == 1


def test_the_default_export_round_trips_status_into_a_new_database(tmp_path):
    text_a = "Moscow and Pyongyang signed a pact. Beijing hedged its bets."
    text_b = "Tehran sent drones. Analysts doubt the alliance will last."
    with Store(tmp_path / "a.db") as s:
        a, b = add_doc(s, text_a), add_doc(s, text_b)
        s.add_span(a, "ana", 0, 6, "alarmist")
        s.set_status(a, "ana", "done")
        s.add_time(a, "ana", 42.5)
        s.set_status(a, "ben", "done")  # read it, found no frame: coded with no spans
        s.set_doc_label(b, "ben", "dominant_frame", "none")
        s.set_status(b, "ben", "done")
        s.set_status(b, "cy", "in_progress")  # opened, nothing yet
        before = {d: s.statuses(d) for d in (a, b)}
        agreement = compute_agreement(s, bootstrap=50).to_dict()
        del agreement["database"]
        export(s, tmp_path / "all.jsonl")
        # Re-importing its own export into the database changes no row.
        rows = dump(s)
        r = one(import_label_files(s, [tmp_path / "all.jsonl"]))
        assert r.ok and (r.spans_added, r.doc_labels_set, r.statuses_updated) == (0, 0, 0), r
        assert dump(s) == rows
    recs = read_jsonl(tmp_path / "all.jsonl")
    assert [(r["_annotator_id"], r["status"], r["seconds_spent"]) for r in recs] == [
        ("ana", "done", 42.5),
        ("ben", "done", 0.0),  # no label: exported for its status
        ("ben", "done", 0.0),
        ("cy", "in_progress", 0.0),
    ]
    assert recs[1]["spans"] == [] and recs[1]["doc_labels"] == {}
    with Store(tmp_path / "b.db") as t:
        r = one(import_label_files(t, [tmp_path / "all.jsonl"]))
        assert r.ok and r.statuses_updated == 4, r
        ids = {d: t.document_id_by_hash(text_hash(x)) for d, x in ((a, text_a), (b, text_b))}
        assert {d: t.statuses(ids[d]) for d in (a, b)} == before
        assert {**compute_agreement(t, bootstrap=50).to_dict(), "database": None} == {
            **agreement,
            "database": None,
        }
        rows = dump(t)
        r = one(import_label_files(t, [tmp_path / "all.jsonl"]))  # twice: nothing changes
        assert r.ok and (r.spans_added, r.doc_labels_set, r.statuses_updated) == (0, 0, 0), r
        assert dump(t) == rows


def test_import_labels_moves_a_status_forward_only(tmp_path):
    """Status as merge treats it: the further state and the larger time win; an older
    file never takes a document back from done, nor lowers the time spent."""
    text = "Moscow and Pyongyang signed a pact."
    with Store(tmp_path / "a.db") as s:
        d = add_doc(s, text)
        s.set_status(d, "ana", "in_progress")
        s.add_time(d, "ana", 10.0)
        s.set_status(d, "ben", "done")
        s.add_time(d, "ben", 99.0)
        base = {"text": text, "_timestamp": 1, "answer": "accept"}
        path = write_jsonl(
            tmp_path / "st.jsonl",
            [
                {**base, "_annotator_id": "ana", "status": "done", "seconds_spent": 30},
                {**base, "_annotator_id": "ben", "status": "in_progress", "seconds_spent": 5},
                {**base, "_annotator_id": "cy", "status": "new", "seconds_spent": 0},
            ],
        )
        r = one(import_label_files(s, [path]))
        assert r.ok and r.statuses_updated == 1, r
        assert s.statuses(d) == {"ana": ("done", 30.0), "ben": ("done", 99.0)}


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"status": "finished"}, '"status" must be one of new, in_progress, done'),
        ({"seconds_spent": -1}, '"seconds_spent" must be a finite number of seconds >= 0'),
        ({"seconds_spent": "42"}, '"seconds_spent" must be a finite number'),
        ({"seconds_spent": 10**400}, '"seconds_spent" must be a finite number'),
        ({"_timestamp": "yesterday"}, '"_timestamp" must be a number'),
    ],
)
def test_a_bad_status_or_time_is_a_line_error(tmp_path, extra, reason):
    with Store(tmp_path / "a.db") as s:
        path = write_jsonl(
            tmp_path / "bad.jsonl",
            [{"text": "A pact.", "_annotator_id": "ana", "answer": "accept", **extra}],
        )
        rows = dump(s)
        r = one(import_label_files(s, [path]))
        assert not r.ok and r.errors[0].startswith(f"{path}:1: {reason}"), r.errors
        assert dump(s) == rows


def test_a_status_without_a_coder_is_refused(tmp_path):
    with Store(tmp_path / "a.db") as s:
        path = write_jsonl(tmp_path / "x.jsonl", [{"text": "A pact.", "status": "done"}])
        r = one(import_label_files(s, [path]))
        assert not r.ok and "no coder named" in r.errors[0], r.errors


def gold_db(tmp_path, text: str) -> tuple[Store, int]:
    s = Store(tmp_path / "lead.db")
    d = add_doc(s, text)
    s.add_span(d, "ana", 0, 6, "alarmist")
    s.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    s.add_gold_span(d, 0, 6, "alarmist", ["ana"])
    s.set_gold_label(d, "dominant_frame", "alarmist", ["ana"])
    return s, d


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda r: r["doc_labels"].update(dominant_frame="none"),
            "gold dominant_frame is 'alarmist' in this database; the file's 'none' would"
            " overwrite an adjudicated decision",
        ),
        (
            lambda r: r["spans"][0].update(end=10, text="Moscow and"),
            "gold span 1 (alarmist [0, 10)) overlaps the adjudicated alarmist span [0, 6)",
        ),
        (
            lambda r: r["spans"][0].update(note="changed my mind"),
            "gold span 1 (alarmist [0, 6)) overlaps the adjudicated alarmist span [0, 6) of"
            " this database (another note)",
        ),
    ],
)
def test_an_import_never_overwrites_a_gold_decision(tmp_path, change, reason):
    text = "Moscow and Pyongyang signed a pact."
    s, _d = gold_db(tmp_path, text)
    with s:
        export(s, tmp_path / "all.jsonl")
        recs = read_jsonl(tmp_path / "all.jsonl")
        [gold] = [r for r in recs if r["_annotator_id"] == "gold"]
        change(gold)
        path = write_jsonl(tmp_path / "edited.jsonl", recs)
        rows = dump(s)
        r = one(import_label_files(s, [path]))
        line = recs.index(gold) + 1
        assert not r.ok and r.errors[0].startswith(f"{path}:{line}: {reason}"), r.errors
        assert dump(s) == rows  # all or nothing: not even the other lines
        # The CLI says the same in one line and exits 1.
        out = CliRunner().invoke(cli, ["--db", str(s.path), "import-labels", str(path)])
        assert out.exit_code == 1 and f"{path}:{line}: {reason}" in out.output, out.output
        assert dump(s) == rows


def test_two_gold_lines_of_one_file_that_disagree_are_refused(tmp_path):
    text = "Moscow and Pyongyang signed a pact."
    with Store(tmp_path / "lead.db") as s:
        add_doc(s, text)
        base = {"text": text, "_annotator_id": "gold", "answer": "accept"}
        path = write_jsonl(
            tmp_path / "g.jsonl",
            [
                {**base, "doc_labels": {"dominant_frame": "alarmist"}},
                {**base, "doc_labels": {"dominant_frame": "none"}},
            ],
        )
        rows = dump(s)
        r = one(import_label_files(s, [path]))
        assert not r.ok and r.errors == [
            f"{path}:2: gold dominant_frame is 'alarmist' in this database; the file's"
            " 'none' would overwrite an adjudicated decision (change it in review mode)"
        ], r.errors
        assert dump(s) == rows


def test_new_gold_decisions_beside_existing_ones_are_added(tmp_path):
    """Gold spans elsewhere in the text, another label over the same words and a field the
    database has no gold value for are additions, not overwrites."""
    text = "Moscow and Pyongyang signed a pact."
    s, d = gold_db(tmp_path, text)
    with s:
        base = {"text": text, "_annotator_id": "gold", "answer": "accept"}
        span = {"start": 11, "end": 20, "label": "alarmist", "sources": []}
        other = {"start": 0, "end": 6, "label": "skeptical_of_alliance", "sources": []}
        path = write_jsonl(
            tmp_path / "g.jsonl",
            [
                {
                    **base,
                    "spans": [{"start": 0, "end": 6, "label": "alarmist"}, span, other],
                    "doc_labels": {"dominant_frame": "alarmist", "frames_present": ["alarmist"]},
                }
            ],
        )
        r = one(import_label_files(s, [path]))
        assert r.ok and (r.spans_added, r.spans_present, r.doc_labels_set) == (2, 1, 1), r
        assert s.doc_labels(d, "gold") == {
            "dominant_frame": "alarmist",
            "frames_present": ("alarmist",),
        }
        assert s.gold_label_sources(d)["dominant_frame"] == ("ana",)  # provenance kept


def test_a_coders_value_set_after_the_records_timestamp_is_kept(tmp_path):
    text = "Moscow and Pyongyang signed a pact."
    with Store(tmp_path / "a.db") as s:
        d = add_doc(s, text)
        s.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        s.set_doc_label(d, "ben", "dominant_frame", "alarmist")
        export(s, tmp_path / "old.jsonl")
        recs = read_jsonl(tmp_path / "old.jsonl")
        for rec in recs:
            rec["doc_labels"]["dominant_frame"] = "none"
        recs[0]["_timestamp"] -= 3600  # an older file: ana changed her value since
        recs[1]["_timestamp"] += 3600  # ben's record is newer than the database's value
        path = write_jsonl(tmp_path / "edited.jsonl", recs)
        r = one(import_label_files(s, [path]))
        assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (1, 1), r
        assert "1 document label(s) kept" in r.summary()
        assert s.doc_labels(d, "ana") == {"dominant_frame": "alarmist"}  # newer: kept
        assert s.doc_labels(d, "ben") == {"dominant_frame": "none"}
        # A record that does not say when it was written cannot replace a value either.
        del recs[1]["_timestamp"]
        recs[1]["doc_labels"]["dominant_frame"] = "alarmist"
        r = one(import_label_files(s, [write_jsonl(tmp_path / "no-time.jsonl", recs)]))
        assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (0, 2), r
        assert s.doc_labels(d, "ben") == {"dominant_frame": "none"}
        # A field the coder has not set is set.
        recs[0]["doc_labels"] = {"frames_present": ["alarmist"]}
        r = one(import_label_files(s, [write_jsonl(tmp_path / "new.jsonl", recs[:1])]))
        assert r.ok and (r.doc_labels_set, r.doc_labels_kept) == (1, 0), r


def test_a_new_text_over_the_article_limit_is_refused_in_one_line(workdir):
    """``import`` skips a file or record over 10 MB; a labels file could bring one in as a
    new document (11 MB here, then tokenised whole). Refused, naming the line; nothing
    written. A smaller text in the same file is not written either."""
    from annotator.corpus import MAX_FILE_BYTES

    big = ("Russia arms Iran. " * (MAX_FILE_BYTES // 18 + 2))[: MAX_FILE_BYTES + 10]
    write_jsonl(
        workdir / "big.jsonl",
        [
            prodigy_task("A small article first.", [{"start": 0, "end": 1, "label": "alarmist"}]),
            prodigy_task(big, [{"start": 0, "end": 6, "label": "alarmist"}]),
        ],
    )
    run("import", "--help")  # (the database is made by the first command that opens it)
    with Store("x.db") as s:
        before = s.document_count()
    res = run("import-labels", "big.jsonl", "--annotator", "ana")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.splitlines()[-2:] == [
        "big.jsonl: refused (1 problem(s)); nothing written",
        "  big.jsonl:2: a new article's text larger than the 10 MB limit (as 'annotator"
        " import' refuses)",
    ]
    with Store("x.db") as s:
        assert s.document_count() == before
        assert s.coders() == [] or "ana" not in s.coders()

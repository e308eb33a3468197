"""``annotator agreement --origin manual|assisted|all`` and ``--with-source NAME``.

Independent checks, each on real databases: a document field value accepted from a
suggestion is *missing* under ``--origin manual`` (α against the ``krippendorff`` package,
Castro 2017, https://github.com/pln-fing-udelar/fast-krippendorff, on the reduced
reliability matrix); the span rule (a coder with a span from a suggestion on a document is
left out of that document's span agreement) against a second database where that coder
never coded the document; a source taken as a coder against a second database where the
source's suggestions are a real coder's labels; the source against gold against P/R/F1
computed by hand; the JSON shape of the CLI and the one-line error for an unknown source.
"""

from __future__ import annotations

import json
import subprocess
import sys

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import NotFoundError, ValidationError
from annotator.ingest import import_documents
from annotator.reliability import compute_agreement
from annotator.store import Store

TEXTS = [
    f"Story {i}: Kim visits Moscow to sign a pact while Xi watches warily from afar."
    for i in range(8)
]
FRAMES = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]
SUGGESTED = "suggestion:patterns"


def add_docs(store, texts=TEXTS):
    report = import_documents(store, [RawDocument(t, "test", {}) for t in texts])
    assert len(report.added) == len(texts)
    return report.added


# ------------------------------------------------------------------ fields


# (document index, coder) -> (value, origin); ben's values on documents 1, 3 and 5 were
# accepted from a suggestion (one of them then changed: edited).
FIELD_VALUES = {
    (0, "ana"): ("alarmist", "manual"),
    (0, "ben"): ("alarmist", "manual"),
    (1, "ana"): ("none", "manual"),
    (1, "ben"): ("alarmist", SUGGESTED),
    (2, "ana"): ("policy_prescription", "manual"),
    (2, "ben"): ("policy_prescription", "manual"),
    (3, "ana"): ("skeptical_of_alliance", SUGGESTED),
    (3, "ben"): ("none", "edited:patterns"),
    (4, "ana"): ("alarmist", "manual"),
    (4, "ben"): ("none", "manual"),
    (5, "ana"): ("none", "manual"),
    (5, "ben"): ("policy_prescription", SUGGESTED),
    (6, "ana"): ("skeptical_of_alliance", "manual"),
    (6, "ben"): ("skeptical_of_alliance", "manual"),
}


@pytest.fixture
def fields_db(store):
    docs = add_docs(store)
    for (i, coder), (value, origin) in FIELD_VALUES.items():
        store.set_doc_label(docs[i], coder, "dominant_frame", value, origin=origin)
        store.set_status(docs[i], coder, "done")
    return store


def package_alpha(keep):
    """α of dominant_frame by the krippendorff package, on the values ``keep`` accepts
    (the others are missing: NaN)."""
    data = np.full((2, len(TEXTS)), np.nan)
    for (i, coder), (value, origin) in FIELD_VALUES.items():
        if keep(origin):
            data[["ana", "ben"].index(coder), i] = FRAMES.index(value)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


def test_a_field_value_from_a_suggestion_is_missing_under_manual(fields_db):
    manual = compute_agreement(fields_db, bootstrap=0, origin="manual")
    alpha = manual.doc_fields["dominant_frame"].alpha.value
    assert alpha == pytest.approx(package_alpha(lambda o: o == "manual"), abs=1e-6)
    # by hand: documents 0, 2, 4, 6 remain pairable (ana, ben): 3 agree, 4 disagrees:
    # o = {a:2, p:2, s:2, (a,n):1, (n,a):1}, n = 8, n_a = 3, n_n = 1, n_p = n_s = 2,
    # D_o = 2/8, D_e = (64 - 9 - 1 - 4 - 4) / (8 * 7) = 46/56; α = 1 - D_o/D_e
    assert alpha == pytest.approx(1 - (2 / 8) / (46 / 56), abs=1e-6)
    assert manual.doc_fields["dominant_frame"].n_documents == 4
    # missing, not a different value: the report is not that of ben's value replaced
    assert alpha != pytest.approx(package_alpha(lambda o: True), abs=1e-3)

    everything = compute_agreement(fields_db, bootstrap=0)
    assert everything.doc_fields["dominant_frame"].alpha.value == pytest.approx(
        package_alpha(lambda o: True), abs=1e-6
    )
    assisted = compute_agreement(fields_db, bootstrap=0, origin="assisted")
    dom = assisted.doc_fields["dominant_frame"]
    assert dom.alpha.value == pytest.approx(package_alpha(lambda o: o != "manual"), abs=1e-6)
    assert dom.n_documents == 1  # document 3: both values from a suggestion
    assert dom.cohen_kappa == {"ana|ben": dom.cohen_kappa["ana|ben"]}


def test_manual_and_assisted_are_shown_side_by_side(fields_db):
    report = compute_agreement(fields_db, bootstrap=0)
    data = report.to_dict()
    assert data["origin"] == "all"
    assert set(data["by_origin"]) == {"manual", "assisted"}
    manual = compute_agreement(fields_db, bootstrap=0, origin="manual").to_dict()
    assisted = compute_agreement(fields_db, bootstrap=0, origin="assisted").to_dict()
    for key in ("doc_fields", "spans", "documents", "n_documents", "annotators"):
        assert data["by_origin"]["manual"][key] == manual[key]
        assert data["by_origin"]["assisted"][key] == assisted[key]
    assert data["by_origin"]["manual"]["origin"] == "manual"
    assert "by_origin" not in data["by_origin"]["manual"]
    # the existing keys keep their shape; the human-only report shows the other two
    assert list(data)[:10] == [
        "database", "scheme", "annotators", "n_documents", "bootstrap", "reasons",
        "doc_fields", "spans", "documents", "origin",
    ]  # fmt: skip
    assert manual["origin"] == "manual" and set(manual["by_origin"]) == {"all", "assisted"}

    from annotator.report_html import render_html
    from annotator.report_text import render_text

    text = render_text(report)
    assert "By origin" in text and "human-only" in text and "assisted" in text
    line = next(t for t in text.splitlines() if t.startswith("field dominant_frame: alpha"))
    shown = [
        report.doc_fields["dominant_frame"].alpha.value,
        manual["doc_fields"]["dominant_frame"]["alpha"],
        assisted["doc_fields"]["dominant_frame"]["alpha"],
    ]
    assert line.split()[3:] == [f"{v:.3f}" if v is not None else "n/a" for v in shown]
    assert "labels counted: human-only" in render_text(
        compute_agreement(fields_db, bootstrap=0, origin="manual")
    )
    assert "Human-only and assisted labels side by side" in render_html(report)
    assert "Labels counted: assisted" in render_html(
        compute_agreement(fields_db, bootstrap=0, origin="assisted")
    )


def test_without_suggestions_the_report_is_as_before(store):
    docs = add_docs(store)
    for d in docs[:4]:
        for coder, frame in (("ana", "alarmist"), ("ben", "none")):
            store.set_doc_label(d, coder, "dominant_frame", frame)
            store.add_span(d, coder, 0, 5, "alarmist")
    data = compute_agreement(store, bootstrap=0).to_dict()
    assert "origin" not in data and "by_origin" not in data and "sources" not in data
    manual = compute_agreement(store, bootstrap=0, origin="manual").to_dict()
    assert manual.pop("origin") == "manual"
    assert manual == data
    assisted = compute_agreement(store, bootstrap=0, origin="assisted")
    assert assisted.n_documents == 0 and not assisted.by_origin
    assert "no label of these coders came from a suggestion" in assisted.reasons


# ------------------------------------------------------------------ spans

# per document index: {coder: [(start, end, label, origin)]}
SPANS = {
    0: {"ana": [(0, 5, "alarmist", "manual"), (10, 16, "policy_prescription", "manual")],
        "ben": [(0, 5, "alarmist", "manual"), (10, 20, "policy_prescription", "manual")]},
    1: {"ana": [(0, 8, "alarmist", "manual"), (20, 30, "alarmist", SUGGESTED)],
        "ben": [(0, 8, "alarmist", "manual")]},
    2: {"ana": [(5, 15, "skeptical_of_alliance", "manual")],
        "ben": [(5, 15, "skeptical_of_alliance", "edited:patterns"), (40, 50, "alarmist", "manual")]},
    3: {"ana": [(0, 10, "alarmist", "manual")], "ben": []},
    4: {"ana": [(30, 40, "policy_prescription", "manual")],
        "ben": [(30, 40, "policy_prescription", "manual")]},
}  # fmt: skip


def span_db(path, skip=(), drop_assisted=False):
    """A database with SPANS: ``skip`` lists (document, coder) pairs left out entirely;
    ``drop_assisted`` leaves out only the spans from suggestions."""
    store = Store(path)
    docs = add_docs(store)
    for i, coders in SPANS.items():
        for coder, spans in coders.items():
            if (i, coder) in skip:
                continue
            for start, end, label, origin in spans:
                if drop_assisted and origin != "manual":
                    continue
                store.add_span(docs[i], coder, start, end, label, origin=origin)
            store.set_status(docs[i], coder, "done")
    return store


def span_figures(report):
    return report.to_dict()["spans"], [
        {k: v for k, v in d.items() if k != "coders"} for d in report.to_dict()["documents"]
    ]


def test_a_coder_with_a_span_from_a_suggestion_is_left_out_of_that_documents_spans(tmp_path):
    mixed = span_db(tmp_path / "mixed.db")
    manual = compute_agreement(mixed, bootstrap=30, origin="manual")
    # independent: a database where ana never coded document 1 nor ben document 2
    reduced = span_db(tmp_path / "reduced.db", skip={(1, "ana"), (2, "ben")})
    assert span_figures(manual) == span_figures(compute_agreement(reduced, bootstrap=30))
    # dropping only the assisted spans would count their tokens as "not labelled"
    naive = span_db(tmp_path / "naive.db", drop_assisted=True)
    naive_alpha = compute_agreement(naive, bootstrap=0).spans.overall.alpha_token.value
    assert manual.spans.overall.alpha_token.value != pytest.approx(naive_alpha, abs=1e-3)

    # assisted: only (ana, 1) and (ben, 2): no document has two coders' span coding
    assisted = compute_agreement(mixed, bootstrap=0, origin="assisted")
    assert assisted.n_documents == 2
    assert {d.doc_id: d.coders for d in assisted.documents} == {2: ("ana",), 3: ("ben",)}
    assert assisted.spans.overall.alpha_token.value is None
    for store in (mixed, reduced, naive):
        store.close()


# ------------------------------------------------------------------ sources as coders

# suggestions of the source "patterns" per document index (document 7 nobody coded)
SUGGESTIONS = {
    0: [(0, 5, "alarmist"), (10, 18, "policy_prescription")],
    1: [(0, 8, "alarmist"), (40, 50, "skeptical_of_alliance")],
    2: [],
    3: [(0, 10, "alarmist")],
    4: [(30, 40, "policy_prescription"), (50, 60, "alarmist")],
    7: [(0, 5, "alarmist")],
}
SOURCE_VALUES = {0: "alarmist", 1: "alarmist", 3: "none", 4: "policy_prescription", 7: "none"}
HUMAN_VALUES = {
    0: {"ana": "alarmist", "ben": "alarmist"},
    1: {"ana": "none", "ben": "alarmist"},
    2: {"ana": "skeptical_of_alliance"},
    3: {"ana": "none", "ben": "none"},
    4: {"ana": "policy_prescription", "ben": "alarmist"},
}


def human_db(path, source_as_coder=None):
    """SPANS and HUMAN_VALUES (all manual); the suggestion layer of ``patterns``; with
    ``source_as_coder``, the same suggestions also as that coder's labels on the
    documents the coders coded (marked done there)."""
    store = Store(path)
    docs = add_docs(store)
    for i, coders in SPANS.items():
        for coder, spans in coders.items():
            for start, end, label, _origin in spans:
                store.add_span(docs[i], coder, start, end, label)
            store.set_status(docs[i], coder, "done")
    for i, values in HUMAN_VALUES.items():
        for coder, value in values.items():
            store.set_doc_label(docs[i], coder, "dominant_frame", value)
    store.replace_suggestions(
        "patterns",
        docs,
        [(docs[i], s, e, lab, 0.9) for i, spans in SUGGESTIONS.items() for s, e, lab in spans],
        [(docs[i], "dominant_frame", v, None) for i, v in SOURCE_VALUES.items()],
    )
    if source_as_coder:
        for i in SPANS:
            for s, e, lab in SUGGESTIONS[i]:
                store.add_span(docs[i], source_as_coder, s, e, lab)
            if i in SOURCE_VALUES:
                store.set_doc_label(docs[i], source_as_coder, "dominant_frame", SOURCE_VALUES[i])
            store.set_status(docs[i], source_as_coder, "done")
    return store, docs


def test_a_source_counts_as_a_coder_on_the_documents_the_coders_coded(tmp_path):
    store, _ = human_db(tmp_path / "a.db")
    # independent: the suggestions as the labels of a real coder whose name sorts alike
    other, _ = human_db(tmp_path / "b.db", source_as_coder="source_patterns")
    with_source = compute_agreement(store, bootstrap=40, sources=["patterns"])
    as_coder = compute_agreement(other, bootstrap=40)
    got = with_source.to_dict()
    want = json.loads(as_coder.to_json().replace("source_patterns", "source:patterns"))
    assert got["annotators"] == ["ana", "ben", "source:patterns"]
    for key in ("annotators", "n_documents", "doc_fields", "spans", "documents", "reasons"):
        assert got[key] == want[key], key
    assert "ana|source:patterns" in got["doc_fields"]["dominant_frame"]["cohen_kappa"]

    src = with_source.sources["patterns"]
    assert src.coder == "source:patterns" and src.n_documents == 5  # not document 7
    assert src.vs_gold is None  # no gold yet
    assert set(src.vs_coders) == {"ana", "ben"}
    for coder in ("ana", "ben"):
        key = f"{coder}|source:patterns"
        vs = src.vs_coders[coder]
        assert vs.overall.f1_overlap == got["spans"]["overall"]["f1_pairs"][key]
        for label, block in got["spans"]["by_label"].items():
            assert vs.by_label[label].f1_overlap == block["f1_pairs"][key]
        assert (
            vs.doc_fields["dominant_frame"].cohen_kappa
            == (got["doc_fields"]["dominant_frame"]["cohen_kappa"][key])
        )
        # α of the coder and the source alone, by the krippendorff package
        data = np.full((2, 5), np.nan)
        for i in range(5):
            if coder in HUMAN_VALUES[i]:
                data[0, i] = FRAMES.index(HUMAN_VALUES[i][coder])
            if i in SOURCE_VALUES:
                data[1, i] = FRAMES.index(SOURCE_VALUES[i])
        ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert vs.doc_fields["dominant_frame"].alpha == pytest.approx(ref, abs=1e-6)
    # ana's exact F1 against the source, by hand: documents 0..4, ana's 6 spans, the
    # source's 8; same start, end and label: (0,5) d0, (0,8) d1, (0,10) d3, (30,40) d4
    assert src.vs_coders["ana"].overall.f1_exact == pytest.approx(2 * 4 / (6 + 8), abs=1e-6)
    store.close()
    other.close()


def test_a_source_against_gold_precision_recall_and_f1_by_hand(tmp_path):
    store = Store(tmp_path / "g.db")
    d1, d2 = add_docs(store, TEXTS[:2])
    for d in (d1, d2):
        store.add_span(d, "ana", 0, 5, "alarmist")
        store.add_span(d, "ben", 0, 5, "alarmist")
    store.add_gold_span(d1, 0, 5, "alarmist", ["ana"])
    store.add_gold_span(d1, 10, 20, "alarmist", [])
    store.add_gold_span(d1, 30, 40, "policy_prescription", [])
    store.set_gold_label(d1, "dominant_frame", "alarmist", [])
    store.set_gold_label(d1, "frames_present", ["policy_prescription", "alarmist"], [])
    store.set_gold_label(d2, "dominant_frame", "skeptical_of_alliance", [])
    store.replace_suggestions(
        "llm",
        [d1, d2],
        [(d1, 0, 5, "alarmist", None), (d1, 12, 18, "alarmist", None),
         (d1, 50, 55, "policy_prescription", None), (d1, 60, 65, "skeptical_of_alliance", None)],
        [(d1, "dominant_frame", "alarmist", 0.8), (d2, "dominant_frame", "none", 0.6),
         (d1, "frames_present", ["alarmist", "policy_prescription"], None)],
    )  # fmt: skip
    gold = compute_agreement(store, bootstrap=0, sources=["llm"]).sources["llm"].vs_gold
    assert gold is not None and gold.n_documents == 2
    prf = gold.to_dict()["spans"]

    def p(precision, recall, f1, tp, fp, fn):
        return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}

    # exact: alarmist 1 of 2 both ways; policy and skeptical only wrong
    assert prf["overall"]["exact"] == p(0.25, round(1 / 3, 6), round(2 / 7, 6), 1, 3, 2)
    assert prf["by_label"]["alarmist"]["exact"] == p(0.5, 0.5, 0.5, 1, 1, 1)
    assert prf["by_label"]["policy_prescription"]["exact"] == p(0.0, 0.0, 0.0, 0, 1, 1)
    assert prf["by_label"]["skeptical_of_alliance"]["exact"] == p(0.0, None, 0.0, 0, 1, 0)
    # overlap: (12, 18) shares characters with gold's (10, 20)
    assert prf["overall"]["overlap"] == p(0.5, round(2 / 3, 6), round(4 / 7, 6), 2, 2, 1)
    assert prf["by_label"]["alarmist"]["overlap"] == p(1.0, 1.0, 1.0, 2, 0, 0)
    fields = gold.to_dict()["doc_fields"]
    assert fields["dominant_frame"] == {"accuracy": 0.5, "n_documents": 2, "n_predicted": 2}
    assert fields["frames_present"] == {"accuracy": 1.0, "n_documents": 1, "n_predicted": 1}
    store.close()


def test_the_cli_json_and_text_with_a_source_and_an_origin(tmp_path):
    store, _ = human_db(tmp_path / "a.db")
    db = str(store.path)
    store.close()
    run = CliRunner().invoke
    res = run(cli, ["--db", db, "agreement", "--json", "--bootstrap", "0",
                    "--with-source", "patterns", "--origin", "manual"])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["origin"] == "manual"
    assert "by_origin" not in data  # every label here is manual
    source = data["sources"]["patterns"]
    assert set(source) == {"coder", "n_documents", "n_trained_on_left_out", "vs_coders", "vs_gold"}
    assert source["vs_gold"] is None
    assert source["n_trained_on_left_out"] == 0  # patterns learn from nothing
    assert set(source["vs_coders"]["ana"]) == {"spans", "doc_fields"}
    assert set(source["vs_coders"]["ana"]["spans"]["by_label"]) == set(data["spans"]["by_label"])
    assert source["vs_coders"]["ben"]["doc_fields"]["dominant_frame"].keys() == {
        "alpha",
        "cohen_kappa",
    }
    res = run(cli, ["--db", db, "agreement", "--bootstrap", "0", "--with-source", "patterns",
                    "--report", str(tmp_path / "r.html")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Source patterns (the coder source:patterns, on 5 document(s)) against each coder" in (
        res.stdout
    )
    assert "source:patterns" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_an_unknown_source_is_one_line_naming_the_known_ones(tmp_path):
    store, _ = human_db(tmp_path / "a.db")
    with pytest.raises(NotFoundError, match=r"unknown suggestion source 'gpt' \(known: patterns\)"):
        compute_agreement(store, bootstrap=0, sources=["gpt"])
    store.add_span(1, "source:patterns", 0, 3, "alarmist")
    with pytest.raises(ValidationError, match="coder 'source:patterns' has the name"):
        compute_agreement(store, bootstrap=0, sources=["patterns"])
    store.close()
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(tmp_path / "a.db"), "agreement",
         "--with-source", "gpt", "--bootstrap", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 1
    assert res.stderr == "Error: unknown suggestion source 'gpt' (known: patterns)\n"
    assert res.stdout == ""


def test_with_the_reliability_sample_a_source_is_counted_on_the_sample_only(tmp_path):
    store, docs = human_db(tmp_path / "a.db")
    store.create_round("main", 7, {"method": "by hand"})
    # documents 0 and 1 are the reliability sample (both coders); 2 and 3 are ana's alone
    store.add_assignments(
        "main",
        [
            (c, docs[i], i < 2, i + 1)
            for c in ("ana", "ben")
            for i in range(4)
            if i < 2 or c == "ana"
        ],
    )
    report = compute_agreement(store, bootstrap=0, sample="reliability", sources=["patterns"])
    assert report.n_documents == 2 and report.sources["patterns"].n_documents == 2
    assert report.coders == ("ana", "ben", "source:patterns")
    assert report.design is not None and report.design.coders == ("ana", "ben")
    whole = compute_agreement(store, bootstrap=0, sources=["patterns"])
    assert whole.sources["patterns"].n_documents == 5
    store.close()

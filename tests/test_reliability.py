"""The agreement report built from a real database, its CLI, and its HTML."""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from annotator.agreement import krippendorff_alpha
from annotator.cli import cli
from annotator.reliability import compute_agreement
from annotator.store import Store

TEXTS = [
    "Kim visits Moscow to sign a pact. Xi watches warily from Beijing.",
    "Sanctions must follow. Allies should coordinate deterrence now.",
    "The axis is fragile and driven by opportunism, analysts say.",
]


@pytest.fixture
def coded(store, make_doc):
    docs = [make_doc(t) for t in TEXTS]
    d0, d1, d2 = docs
    for coder in ("ana", "ben"):
        store.add_span(d0, coder, 0, 17, "alarmist")
        store.add_span(d1, coder, 0, 21, "policy_prescription")
    store.add_span(d2, "ana", 4, 20, "skeptical_of_alliance")
    store.add_span(d2, "ben", 4, 24, "skeptical_of_alliance")  # overlapping, not exact
    store.set_status(d2, "cy", "done")  # cy coded d2 and found nothing
    store.set_doc_label(d0, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d0, "ben", "dominant_frame", "alarmist")
    store.set_doc_label(d1, "ana", "dominant_frame", "policy_prescription")
    store.set_doc_label(d1, "ben", "dominant_frame", "none")
    store.set_doc_label(d2, "ana", "dominant_frame", "skeptical_of_alliance")
    return docs


def test_report_shape_and_values(store, coded):
    r = compute_agreement(store, bootstrap=200).to_dict()
    assert r["annotators"] == ["ana", "ben", "cy"]
    f = r["doc_fields"]["dominant_frame"]
    units = {
        0: {"ana": "alarmist", "ben": "alarmist"},
        1: {"ana": "pp", "ben": "none"},
        2: {"ana": "s"},
    }
    assert f["alpha"] == pytest.approx(krippendorff_alpha(units).value, abs=1e-6)
    assert f["n_documents"] == 2
    assert set(f["cohen_kappa"]) == {"ana|ben", "ana|cy", "ben|cy"}
    assert f["cohen_kappa"]["ana|cy"] is None  # no document both coded
    fp = r["doc_fields"]["frames_present"]
    assert fp["alpha"] is None and fp["reasons"]["alpha"]  # nobody filled it: null + reason
    assert set(fp["options"]) == {"alarmist", "skeptical_of_alliance", "policy_prescription"}
    overall = r["spans"]["overall"]
    for key in ("f1_exact", "f1_overlap", "alpha_token", "alpha_u"):
        assert key in overall
    # cy never opened d0: only ana|ben counts there, and they agree exactly.
    assert r["spans"]["by_label"]["alarmist"]["f1_exact"] == 1.0
    skeptical = r["spans"]["by_label"]["skeptical_of_alliance"]
    assert skeptical["f1_exact"] == 0.0
    # ana and ben overlap on d2; cy coded d2 and marked nothing, so pairs with cy score 0.
    assert skeptical["f1_pairs"] == {"ana|ben": 1.0, "ana|cy": 0.0, "ben|cy": 0.0}
    assert skeptical["f1_overlap"] == pytest.approx(1 / 3, abs=1e-6)
    assert overall["f1_overlap"] > overall["f1_exact"]
    assert overall["alpha_token_ci"] is not None
    docs = r["documents"]
    assert [d["doc_id"] for d in docs][0] == coded[2]  # the disputed one first
    assert {"doc_id", "title", "f1_overlap", "alpha_token", "alpha_u"} <= set(docs[0])
    again = compute_agreement(store, bootstrap=200).to_dict()
    assert again == r  # seeded: repeated runs agree


def test_one_coder_gives_nulls_with_reasons_not_numbers(store, make_doc):
    d = make_doc(TEXTS[0])
    store.add_span(d, "ana", 0, 3, "alarmist")
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    r = compute_agreement(store, bootstrap=50).to_dict()
    assert r["reasons"] and "at least two" in r["reasons"][0]
    assert r["doc_fields"]["dominant_frame"]["alpha"] is None
    assert r["spans"]["overall"]["alpha_u"] is None
    assert r["spans"]["overall"]["reasons"]


def test_gold_is_not_a_coder_and_subsets_work(store, coded):
    store.add_gold_span(coded[0], 0, 17, "alarmist", ["ana", "ben"])
    r = compute_agreement(store, ["ana", "ben"], bootstrap=0).to_dict()
    assert r["annotators"] == ["ana", "ben"]
    assert r["spans"]["overall"]["alpha_token_ci"] is None  # no bootstrap asked
    with pytest.raises(Exception, match="unknown coder 'gold'"):
        compute_agreement(store, ["ana", "gold"])


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_cli_text_json_and_html_report(tmp_path, monkeypatch, coded, store):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", "labels.db", "agreement", "--bootstrap", "100"])
    assert res.exit_code == 0, res.output
    assert "Krippendorff's alpha" in res.output and "alpha_U" in res.output
    res = runner.invoke(
        cli,
        ["--db", "labels.db", "agreement", "--json", "--bootstrap", "100", "--report", "r.html"],
    )
    data = json.loads(res.stdout)
    assert data["doc_fields"]["dominant_frame"]["cohen_kappa"]["ana|ben"] is not None
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    parsed = _Collector()
    parsed.feed(page)
    assert "svg" in parsed.tags and "table" in parsed.tags
    assert "src=" not in page and "href=" not in page  # self-contained
    assert TEXTS[2][:20] in "".join(parsed.text)
    res = runner.invoke(cli, ["--db", "labels.db", "agreement", "--annotators", "ana,zed"])
    assert res.exit_code == 1 and "unknown coder 'zed'" in res.output


def test_html_escapes_titles(store, make_doc):
    from annotator.report_html import render_html

    d = make_doc("<script>alert(1)</script> is not markup here.", title="<b>x</b>")
    store.add_span(d, "ana", 0, 8, "alarmist")
    store.add_span(d, "ben", 0, 8, "alarmist")
    page = render_html(compute_agreement(store, bootstrap=0))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_store_fixture_is_a_real_file(store):
    assert isinstance(store, Store) and store.path.exists()


# issue 16: the coefficients beside α, after a field's (or an option's) own keys
COEFFICIENT_KEYS = [
    "gwet_ac1", "brennan_prediger", "categories", "alpha_below", "prevalence",
    "coefficient_reasons",
]  # fmt: skip


def test_the_json_is_the_typed_report_as_plain_data_in_its_documented_order(
    tmp_path, monkeypatch, coded, store
):
    r = compute_agreement(store, bootstrap=30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.n_documents = 0  # type: ignore[misc]
    d = r.to_dict()
    assert json.loads(r.to_json()) == d
    assert list(d) == [
        "database", "scheme", "annotators", "n_documents", "bootstrap", "reasons",
        "doc_fields", "spans", "documents",
    ]  # fmt: skip
    assert d["annotators"] == list(r.coders) == ["ana", "ben", "cy"]
    assert d["bootstrap"] == {"resamples": 30, "seed": 0, "level": 0.95}
    single, multi = d["doc_fields"]["dominant_frame"], d["doc_fields"]["frames_present"]
    fewer = r.doc_fields["dominant_frame"].alpha.used  # its interval over fewer resamples
    assert fewer is not None and single["alpha_ci_resamples"] == fewer < 30
    assert list(single) == [
        "kind", "alpha", "alpha_ci", "alpha_ci_resamples", "percent", "fleiss_kappa",
        "cohen_kappa", "n_documents", "reasons", *COEFFICIENT_KEYS,
    ]  # fmt: skip
    assert [k for k in multi if k != "alpha_ci_resamples"] == [
        *(k for k in single if k != "alpha_ci_resamples"),
        "options",
    ]  # options only for a multi field
    assert single["alpha_ci"] == list(r.doc_fields["dominant_frame"].alpha.ci)
    option = multi["options"]["alarmist"]
    assert list(option) == ["alpha", "alpha_ci", "reason", *COEFFICIENT_KEYS]
    assert option["alpha"] is None
    assert option["reason"] == r.doc_fields["frames_present"].options["alarmist"].reason
    assert multi["reasons"] == r.doc_fields["frames_present"].reasons()
    assert set(multi["reasons"]) == {"alpha", "fleiss_kappa"}
    block = d["spans"]["by_label"]["skeptical_of_alliance"]
    typed = r.spans.by_label["skeptical_of_alliance"]
    assert [block.get(k) for k in ("alpha_token_ci_resamples", "alpha_u_ci_resamples")] == [
        typed.alpha_token.used,
        typed.alpha_u.used,
    ]  # beside an interval over fewer resamples than asked for only
    assert [k for k in block if not k.endswith("_ci_resamples")] == [
        "f1_exact", "f1_overlap", "alpha_token", "alpha_u", "alpha_token_ci", "alpha_u_ci",
        "f1_pairs", "reasons", "alpha_token_below", "alpha_u_below",
    ]  # fmt: skip
    assert list(d["spans"]["by_label"]) == list(store.scheme.label_names)
    assert list(d["documents"][0]) == [
        "doc_id", "title", "coders", "f1_exact", "f1_overlap", "alpha_token", "alpha_u",
        "agreement_dominant_frame", "agreement_frames_present",
    ]  # fmt: skip
    assert d["documents"][0]["coders"] == list(r.documents[0].coders)
    # what the CLI prints is exactly this JSON
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(
        cli, ["--db", str(store.path), "agreement", "--json", "--bootstrap", "30"]
    )
    assert res.exit_code == 0, res.output
    assert {**json.loads(res.stdout), "database": None} == {**d, "database": None}
    assert (
        res.stdout
        == r.to_json().replace(
            json.dumps(r.database), json.dumps(json.loads(res.stdout)["database"])
        )
        + "\n"
    )


def test_the_json_names_a_reason_only_for_an_undefined_statistic():
    from annotator.agreement.report import Estimate, FieldAgreement, LabelAgreement

    field = FieldAgreement(
        kind="multi",
        alpha=Estimate(0.5, (0.25, 0.75)),
        percent=Estimate(None, None, "no pairs"),
        fleiss_kappa=Estimate(None, None, ""),
        cohen_kappa={"a|b": None},
        n_documents=3,
        options={"x": Estimate(1.0, None), "y": Estimate(None, None, "no variation")},
    )
    assert field.to_dict() == {
        "kind": "multi",
        "alpha": 0.5,
        "alpha_ci": [0.25, 0.75],
        "percent": None,
        "fleiss_kappa": None,
        "cohen_kappa": {"a|b": None},
        "n_documents": 3,
        "reasons": {"fleiss_kappa": ""},  # the % agreement's reason was never in the JSON
        "options": {
            "x": {"alpha": 1.0, "alpha_ci": None},
            "y": {"alpha": None, "alpha_ci": None, "reason": "no variation"},
        },
    }
    block = LabelAgreement(
        f1_exact=Estimate(None, None, "nobody"),
        f1_overlap=Estimate(0.0),
        alpha_token=Estimate(0.1, (0.0, 0.2)),
        alpha_u=Estimate(None, None, "one coder"),
        f1_pairs={"a|b": 0.0},
    )
    assert block.reasons() == {"f1_exact": "nobody", "alpha_u": "one coder"}
    assert block.to_dict()["alpha_token_ci"] == [0.0, 0.2]
    assert block.to_dict()["alpha_u_ci"] is None


def test_the_report_hands_field_alpha_units_coded_as_they_were_read(store, coded, monkeypatch):
    """The report collects each field's units as ``FieldUnits`` (coded while read), so
    nominal α takes the arrays and not a second walk over every document's dict
    (issue 16's speed against the ``krippendorff`` package, ``bench/agreement.py``)."""
    import annotator.reliability as reliability
    from annotator.agreement import FieldUnits

    seen = []

    def spy(units, *args, **kwargs):
        seen.append(type(units))
        return krippendorff_alpha(units, *args, **kwargs)

    monkeypatch.setattr(reliability, "krippendorff_alpha", spy)
    r = compute_agreement(store).to_dict()
    assert FieldUnits in seen
    plain = {0: {"ana": "a", "ben": "a"}, 1: {"ana": "p", "ben": "n"}, 2: {"ana": "s"}}
    alpha = r["doc_fields"]["dominant_frame"]["alpha"]
    assert alpha == pytest.approx(krippendorff_alpha(plain).value, abs=1e-12)

"""``agreement --by`` (agreement across rounds, scheme versions and weeks) and
``agreement --methods`` (the drafted reliability paragraph); issue 16."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from annotator.agreement_trend import DROP, compute_trend
from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.methods_text import apa, methods_paragraph
from annotator.reliability import compute_agreement
from annotator.scheme import extend_scheme
from annotator.store import Store

OPTIONS = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]
WEEK1 = "2026-03-03T10:00:00.000+00:00"  # ISO week 2026-W10
WEEK2 = "2026-03-11T10:00:00.000+00:00"  # 2026-W11


def _code(store, docs, agree, at, rng):
    """Three coders set dominant_frame on ``docs``; they agree on a share ``agree``."""
    for d in docs:
        truth = rng.choice(OPTIONS)
        for coder in ("ana", "ben", "cy"):
            value = truth if rng.random() < agree else rng.choice(OPTIONS)
            store.set_doc_label(d, coder, "dominant_frame", value, at=at)
        store.add_span(d, "ana", 0, 5, "alarmist", at=at)
        store.add_span(d, "ben", 0, 5, "alarmist", at=at)


@pytest.fixture
def study(tmp_path):
    rng = random.Random(7)
    path = tmp_path / "lead.db"
    with Store(path) as s:
        texts = [
            RawDocument(f"Article {i}: the alliance is a threat. " * 3, f"{i}.txt")
            for i in range(40)
        ]
        ids = import_documents(s, texts).added
        first, second = ids[:20], ids[20:]
        s.create_round("pilot", 1, {"method": "test"})
        s.add_assignments(
            "pilot",
            [(c, d, True, i + 1) for c in ("ana", "ben", "cy") for i, d in enumerate(first)],
        )
        s.create_round("main", 2, {"method": "test"})
        s.add_assignments(
            "main",
            [(c, d, True, i + 1) for c in ("ana", "ben", "cy") for i, d in enumerate(second)],
        )
        _code(s, first, 0.95, WEEK1, rng)  # the pilot agrees well
        s.record_scheme(extend_scheme(s.scheme, 2, labels=["economic_threat"]))
        _code(s, second, 0.35, WEEK2, rng)  # after the codebook change, much less
    return path


def test_each_group_is_exactly_the_report_of_its_documents(study):
    with Store(study, readonly=True) as s:
        for by in ("round", "scheme-version", "week"):
            trend = compute_trend(s, by, bootstrap=50, seed=3)
            assert [g.key for g in trend.groups] == {
                "round": ["pilot", "main"],
                "scheme-version": ["1", "2"],
                "week": ["2026-W10", "2026-W11"],
            }[by]
            for group in trend.groups:
                if by == "round":
                    direct = compute_agreement(s, None, 50, 3, 10, round=group.key)
                else:
                    keys, _ = s.document_groups(by)
                    docs = [d for d, k in keys.items() if str(k) == group.key]
                    direct = compute_agreement(s, None, 50, 3, 10, documents=docs)
                assert group.report.to_dict() == direct.to_dict()
                assert group.report.n_documents == 20


def test_codebook_changes_are_marked_and_falls_flagged(study):
    with Store(study, readonly=True) as s:
        trend = compute_trend(s, "week", bootstrap=0)
    assert trend.changes == (("2026-W11", 2),)
    first, second = trend.series["dominant_frame (alpha)"]
    assert first is not None and second is not None and first - second > DROP
    assert any(f.startswith("dominant_frame (alpha):") and "2026-W11" in f for f in trend.flags)
    # a statistic that does not fall is not flagged (spans agree perfectly in both weeks)
    assert not any(f.startswith("alarmist (token alpha)") for f in trend.flags)


def _cli(db, *args):
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "agreement", *args],
        capture_output=True,
        text=True,
        cwd=db.parent,
    )


def test_cli_by_json_wraps_the_report_in_groups_and_writes_html(study, tmp_path):
    html = tmp_path / "trend.html"
    done = _cli(study, "--by", "round", "--bootstrap", "20", "--json", "--report", str(html))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [g["key"] for g in data["groups"]] == ["pilot", "main"]
    assert set(data["groups"][0]["report"]) >= {"doc_fields", "spans", "annotators", "design"}
    assert data["codebook_changes"] == [{"group": "main", "scheme_version": 2}]
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "codebook v2" in page and "round main" in page
    text = _cli(study, "--by", "week", "--bootstrap", "0")
    assert text.returncode == 0, text.stderr
    assert "2026-W10" in text.stdout and "Codebook changed before week 2026-W11" in text.stdout
    bad = _cli(study, "--by", "week", "--round", "pilot")
    assert bad.returncode != 0 and "cannot be combined" in bad.stderr


def test_apa_numbers():
    assert apa(0.8123) == ".81"
    assert apa(-0.054) == "-.05"
    assert apa(1.0) == "1.00"
    assert apa(-0.001) == ".00"
    assert apa(0.996) == "1.00"


def test_methods_paragraph_takes_every_number_from_the_report(study, tmp_path):
    with Store(study, readonly=True) as s:
        report = compute_agreement(s, None, 200, 1, round="pilot", sample="reliability")
        text = methods_paragraph(report, s.stats()["gold"])
    alpha = report.doc_fields["dominant_frame"].alpha
    assert alpha.value is not None and alpha.ci is not None
    assert f"α = {apa(alpha.value)}, 95% CI [{apa(alpha.ci[0])}, {apa(alpha.ci[1])}]" in text
    assert "Three coders (ana, ben, and cy)" in text
    assert "round 'pilot'" in text and "20 documents" in text
    assert "200 resamples, seed 1" in text
    assert "No disagreements have been adjudicated" in text
    done = _cli(
        study,
        "--round",
        "pilot",
        "--sample",
        "reliability",
        "--methods",
        "--bootstrap",
        "200",
        "--seed",
        "1",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == text
    args = ["--round", "pilot", "--sample", "reliability", "--bootstrap", "200", "--seed", "1"]
    both = _cli(study, *args, "--json", "--methods")  # the paragraph is in the JSON too
    alone = _cli(study, *args, "--json")
    assert both.returncode == 0 and alone.returncode == 0, both.stderr + alone.stderr
    assert json.loads(both.stdout) == {**json.loads(alone.stdout), "methods": text}
    html = tmp_path / "r.html"
    _cli(study, "--report", str(html), "--bootstrap", "0")
    assert "Methods paragraph (draft)" in html.read_text(encoding="utf-8")


def test_alphas_axis_reaches_below_minus_half_for_a_value_there():
    """α has no lower bound: the charts' axis starts at -0.5, or at the multiple of 0.5
    below the lowest value, never cutting a point off at -0.5."""
    from annotator.agreement.axis import axis_start, axis_ticks

    assert axis_start([]) == axis_start([0.3, None, float("nan")]) == axis_start([-0.5]) == -0.5
    assert axis_start([0.9, -0.51]) == -1.0 and axis_start([-3.2]) == -3.5
    assert axis_ticks(-0.5) == (-0.5, 0.0, 0.5)
    assert axis_ticks(-2.0) == (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5)
    assert axis_ticks(-4.0) == (-4.0, 0.0, 0.5)  # not a tick every 0.5 down to -4
    assert axis_ticks(axis_start([-1e12])) == (-1e12, 0.0, 0.5)  # at once, not 2e12 steps


def test_the_html_trend_chart_draws_an_alpha_below_minus_half_where_it_is():
    import re
    from types import SimpleNamespace

    from annotator.agreement_trend import TrendReport
    from annotator.report_trend import trend_chart

    groups = (SimpleNamespace(key="pilot"), SimpleNamespace(key="main"))
    trend = TrendReport("round", groups, {"dominant_frame (alpha)": [0.9, -1.2]}, (), ())  # type: ignore[arg-type]
    svg = trend_chart(trend)
    assert ">-1.5</text>" in svg and ">-1</text>" in svg
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    top, plot_h = 20, 320 - 20 - 60  # trend_chart's margins
    assert [round((y - top) / plot_h, 3) for y in ys] == [
        round((1 - v) / 2.5, 3) for v in (0.9, -1.2)
    ]

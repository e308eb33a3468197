"""Review 18: the agreement statistics a methods section prints, held against independent
references (the ``krippendorff`` package, Krippendorff 2011 "Computing Krippendorff's
Alpha-Reliability", Krippendorff 2004 on α_U) and against each other (text, JSON, methods)."""

from __future__ import annotations

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.methods_text import methods_paragraph
from annotator.reliability import compute_agreement

TEXT = "Kim visits Moscow to sign a pact; Xi watches warily from Beijing today."


def _docs(store, n, tag="d"):
    return import_documents(
        store, [RawDocument(f"{tag} {i}: {TEXT}", f"{tag}{i}.txt", {}) for i in range(n)]
    ).added


def test_methods_never_rounds_an_alpha_up_to_the_threshold_it_falls_short_of(store):
    """Two coders, 20 documents: 7 both 'alarmist', 11 both 'none', 2 split. Nominal α =
    1 - (n-1)(n-Σo_cc)/(n²-Σn_c²) = 1 - 39·4/(1600-16²-24²) = .796875 (Krippendorff 2011,
    eq. for nominal data; the ``krippendorff`` package agrees). Rounded to two decimals
    that is ".80", and the paragraph then said "α = .80" next to "fell short of .800": a
    reader sees a value meeting the standard and a sentence saying it does not. The value
    must be written with the decimals that keep it below the threshold (".797")."""
    import krippendorff
    import numpy as np

    docs = _docs(store, 20)
    pairs = [("alarmist",) * 2] * 7 + [("none",) * 2] * 11 + [("alarmist", "none")] * 2
    for d, (a, b) in zip(docs, pairs, strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", a)
        store.set_doc_label(d, "ben", "dominant_frame", b)
    report = compute_agreement(store, None, 0, 1)
    alpha = report.doc_fields["dominant_frame"].alpha.value
    code = {"alarmist": 0, "none": 1}
    ref = krippendorff.alpha(
        reliability_data=np.array([[code[p[i]] for p in pairs] for i in (0, 1)], dtype=float),
        level_of_measurement="nominal",
    )
    assert alpha == round(ref, 6) == 0.796875
    text = methods_paragraph(report, store.stats()["gold"])
    assert "dominant frame (α = .797;" in text, text
    assert "α = .80" not in text
    assert "dominant frame" in text.split("By this standard, ")[1]  # fell short of .800


def test_a_coder_who_coded_nothing_does_not_make_alpha_u_undefined(store):
    """Opening the window as 'lead' registers a coder who codes nothing. α_U (Krippendorff
    2004, Quality & Quantity 38) is computed on the continua every coder unitized; the
    report required every *registered* coder, so one look at the window turned α_U into
    "no document annotated by every coder" for every label, overall and per document. It
    must be the α_U of the coders who coded (here: the same as without 'lead', and the
    corpus function :func:`unitizing_alpha` on ana's and ben's spans)."""
    from annotator.agreement.spans import unitizing_alpha

    docs = _docs(store, 4)
    spans, lengths = {}, {}
    for i, d in enumerate(docs):
        lengths[d] = len(store.document(d).text)
        for coder, (a, b) in (("ana", (3, 20)), ("ben", (3 + i, 22))):
            store.add_span(d, coder, a, b, "alarmist")
            spans.setdefault(d, {})[coder] = [(a, b, "alarmist")]
    before = compute_agreement(store, None, 50, 1)
    assert before.coders == ("ana", "ben")
    store.add_coder("lead")  # as the window does for whoever opens it
    after = compute_agreement(store, None, 50, 1)
    assert after.coders == ("ana", "ben", "lead")
    ref = unitizing_alpha(spans, lengths, "alarmist")
    assert ref.value is not None and 0.9 < ref.value < 1
    for report in (before, after):
        got = report.spans.by_label["alarmist"].alpha_u
        assert got.value == round(ref.value, 6), got
        assert report.spans.overall.alpha_u == before.spans.overall.alpha_u
        assert all(row.alpha_u is not None for row in report.documents)


def test_methods_does_not_count_a_coder_who_coded_nothing_as_having_coded(store):
    """'lead' opened the window (a registered coder) and coded nothing. The paragraph said
    "Three coders (ana, ben, and lead) coded the material": false, and a reviewer would
    read three-coder reliability. It must name the two who coded, and say that 'lead'
    coded none of the documents; the JSON says how many documents each coder coded."""
    docs = _docs(store, 3)
    for d in docs:
        for coder in ("ana", "ben"):
            store.set_doc_label(d, coder, "dominant_frame", "alarmist" if d % 2 else "none")
    store.add_coder("lead")
    report = compute_agreement(store, None, 0, 1)
    assert report.to_dict()["coded_documents"] == {"ana": 3, "ben": 3, "lead": 0}
    text = methods_paragraph(report, store.stats()["gold"])
    assert text.startswith("Two coders (ana and ben) coded the material;"), text
    assert "lead was registered as a coder but coded none of these documents" in text
    from annotator.report_html import render_html
    from annotator.report_text import render_text

    note = "lead coded none of these documents (no statistic counts them)"
    assert f"Note: {note}" in render_text(report)
    assert note in render_html(report)

    alone = compute_agreement(store, ["ana", "lead"], 0, 1)
    text = methods_paragraph(alone, store.stats()["gold"])
    assert text.startswith("One coder (ana) coded the material (3 documents); with fewer"), text


def test_an_interval_over_fewer_resamples_than_requested_says_so(store, tmp_path):
    """Three documents: two coded 'alarmist' by both coders, one split. α = 0 (Krippendorff
    2011: n = 6, Σo_cc = 4, n_c = 5, 1; 1 - 5·2/(36 - 26) = 0). A resample drawing only the
    two agreeing documents has no variation, so α is undefined there and the percentile
    interval and P(α < .800) are over the other resamples only: 723 of 1,000 with seed 0
    (the same draws as :func:`krippendorff_alpha`'s own bootstrap). The report printed
    "[-0.667, 0.000]", "P(alpha < .800) 1.000" and "1,000 resamples" with no word that
    the 277 resamples of perfect agreement were left out. Text, HTML and the methods
    paragraph must say so."""
    from html import escape

    from annotator.agreement import krippendorff_alpha
    from annotator.report_html import render_html
    from annotator.report_text import render_text

    docs = _docs(store, 3)
    units = {}
    for d, b in zip(docs, ("alarmist", "alarmist", "none"), strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", b)
        units[d] = {"ana": "alarmist", "ben": b}
    ref = krippendorff_alpha(units, bootstrap=1000, seed=0)
    assert ref.value == 0.0 and ref.ci is not None and ref.ci.used == 723
    report = compute_agreement(store, None, 1000, 0)
    alpha = report.doc_fields["dominant_frame"].alpha
    assert (alpha.value, alpha.used) == (0.0, 723)
    note = "dominant_frame: alpha's interval is over the 723 of 1000 resamples where it was defined"
    assert note in render_text(report)
    assert escape(note) in render_html(report)
    text = methods_paragraph(report, store.stats()["gold"])
    assert "in 277 resamples for dominant frame; its interval is over the remaining" in text, text
    field = report.to_dict()["doc_fields"]["dominant_frame"]  # --json says it too
    assert field["alpha_ci_resamples"] == 723
    full = compute_agreement(store, None, 0, 0)  # no bootstrap: nothing to say
    assert full.doc_fields["dominant_frame"].alpha.used is None
    assert "alpha_ci_resamples" not in full.to_dict()["doc_fields"]["dominant_frame"]


def test_percent_agreement_is_not_headed_as_a_percentage(store):
    """Percent agreement is reported as a proportion (0.667 for two agreeing pairs of
    three), under a header "% agree": 0.667 % to a reader. The header must say what the
    number is: a share from 0 to 1 (the methods paragraph writes it as 67%)."""
    from annotator.report_html import render_html
    from annotator.report_text import render_text

    docs = _docs(store, 3)
    for d, b in zip(docs, ("alarmist", "alarmist", "none"), strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", b)
    report = compute_agreement(store, None, 0, 0)
    assert report.doc_fields["dominant_frame"].percent.value == 0.666667
    text = render_text(report)
    assert "% agree" not in text and "agreement (0-1)" in text
    assert "0.667" in text.split("dominant_frame", 1)[1].splitlines()[0]
    assert "% agreement" not in render_html(report)
    assert "67% agreement" in methods_paragraph(report, store.stats()["gold"])


def test_alpha_u_does_not_say_no_spans_when_they_are_on_documents_it_cannot_use(store):
    """α_U takes the documents every coder unitized (Krippendorff 2004 assumes each coder
    unitized the whole continuum). ana and ben mark 'alarmist' on two documents; cy codes
    a third (done, nothing found), which ana and ben also coded. α_U then has one document
    and no span on it, and the report said "no spans of label 'alarmist'" beside an F1 of
    1 on those very spans. The reason must say where it looked."""
    docs = _docs(store, 3)
    for d in docs[:2]:
        store.add_span(d, "ana", 3, 20, "alarmist")
        store.add_span(d, "ben", 3, 22, "alarmist")
    for coder in ("ana", "ben"):
        store.set_doc_label(docs[2], coder, "dominant_frame", "none")
    store.set_status(docs[2], "cy", "done")
    report = compute_agreement(store, None, 0, 0)
    block = report.spans.by_label["alarmist"]
    assert block.f1_overlap.value == 1.0
    assert block.alpha_u.value is None
    assert block.alpha_u.reason == (
        "no spans of label 'alarmist' on the 1 of 3 documents annotated by every coder"
        " (alpha_U uses only those)"
    )
    assert report.spans.overall.alpha_u.reason.startswith("no spans on the 1 of 3 documents")


def test_the_trend_table_writes_numbers_as_every_other_report_does(store):
    """A group's α of -0.0004 (rounded to six decimals, a real negative α just below
    zero) is "0.000" in that group's own report (``report_text.number``, the one way
    every shown number is written) but was "-0.000" in the ``--by`` table, HTML and
    flags: two outputs of one run disagreeing on the same number."""
    from annotator.agreement_trend import TrendGroup, TrendReport, render_trend_text
    from annotator.report_text import number
    from annotator.report_trend import render_trend_html

    report = compute_agreement(store, None, 0, 0)
    trend = TrendReport(
        "week",
        (TrendGroup("2026-W01", 0, None, report), TrendGroup("2026-W02", 0, None, report)),
        {"dominant_frame (alpha)": [-0.0004, 0.5]},
        (),
        (),
    )
    assert number(-0.0004) == "0.000"
    for out in (render_trend_text(trend), render_trend_html(trend)):
        assert "-0.000" not in out
        assert "0.000" in out


def test_methods_names_an_empty_choice_of_a_multi_field_as_such(store):
    """A multi field where most codings choose no option: its commonest value is the
    empty set. The paragraph wrote "one value ('') holds 90% of the codings"; it must
    say that no option was chosen (as the text report's "nothing chosen")."""
    docs = _docs(store, 5)
    for i, d in enumerate(docs):
        for coder in ("ana", "ben"):
            chosen = ["alarmist"] if i == 0 and coder == "ana" else []
            store.set_doc_label(d, coder, "frames_present", chosen)
    report = compute_agreement(store, None, 0, 0)
    field = report.doc_fields["frames_present"]
    assert field.chance is not None and field.chance.prevalence is not None
    assert field.chance.prevalence.share == 0.9 and field.alpha.value is not None
    text = methods_paragraph(report, store.stats()["gold"])
    assert "('')" not in text, text
    assert "one value (no option chosen) holds 90% of the codings" in text


def test_methods_says_punctuation_tokens_are_units_of_token_alpha(store):
    """Token α's units are the stored non-whitespace tokens (``Store.word_tokens``), and
    spaCy makes a token of every punctuation mark: "pact;" is two units. The paragraph
    said "each word a unit", which a reader would reproduce without the punctuation and
    get another α. It must say what the units are."""
    (doc,) = _docs(store, 1)
    text = store.document(doc).text
    starts, ends = store.word_tokens(doc)
    units = [text[a:b] for a, b in zip(starts, ends, strict=True)]
    assert ";" in units and ":" in units and "." in units  # punctuation marks are units
    for coder, end in (("ana", 9), ("ben", 14)):
        store.add_span(doc, coder, 0, end, "alarmist")
    paragraph = methods_paragraph(compute_agreement(store, None, 0, 0), store.stats()["gold"])
    assert "each word a unit" not in paragraph
    assert "each word or punctuation mark a unit" in paragraph, paragraph


def test_methods_counts_the_gold_of_the_documents_it_reports_on(store):
    """Round 'pilot' was adjudicated (gold on its two documents); round 'main' was not.
    ``agreement --round main --methods`` said "Disagreements were resolved by
    adjudication: 2 documents were reviewed ..." about main, from the whole database's
    gold count (``Store.stats``). The count must be that of the documents reported on."""
    pilot, main = _docs(store, 2, "p"), _docs(store, 3, "m")
    for name, docs in (("pilot", pilot), ("main", main)):
        store.create_round(name, None, {})
        store.add_assignments(name, [(c, d, True, i + 1) for c in ("ana", "ben")
                                     for i, d in enumerate(docs)])  # fmt: skip
        for d in docs:
            for coder in ("ana", "ben"):
                store.add_span(d, coder, 0, 9, "alarmist")
    for d in pilot:
        store.add_gold_span(d, 0, 9, "alarmist", ["ana", "ben"])
    assert store.stats()["gold"] == {"documents": 2, "spans": 2}
    text = methods_paragraph(
        compute_agreement(store, None, 0, 0, round="main"), store.stats()["gold"]
    )
    assert "No disagreements have been adjudicated into a gold standard yet." in text, text
    assert "2 documents were reviewed" not in text
    text = methods_paragraph(
        compute_agreement(store, None, 0, 0, round="pilot"), store.stats()["gold"]
    )
    assert "2 documents were reviewed and their 2 adjudicated passages" in text, text
    whole = compute_agreement(store, None, 0, 0)
    assert whole.gold == {**store.stats()["gold"], "document_codes": 0}


def test_a_coder_with_only_assisted_codes_is_not_said_to_have_coded_nothing(store):
    """In the human-only view (``--origin manual``) a coder whose every span came from a
    suggestion has nothing counted (their spans are left out of each such document); the paragraph must not say they "coded none of these
    documents" (they did, with suggestions), only that they made no human-only codes."""
    docs = _docs(store, 3)
    for d in docs:
        store.add_span(d, "ana", 0, 9, "alarmist")
        store.add_span(d, "ben", 0, 9, "alarmist")
        store.add_span(d, "cy", 0, 9, "alarmist", origin="suggestion:model")
    report = compute_agreement(store, None, 0, 0, origin="manual")
    assert report.coded["cy"] == 0
    text = methods_paragraph(report, store.stats()["gold"])
    assert "coded none" not in text, text
    assert "cy made no human-only codes on these documents and was not counted here." in text
    from annotator.report_text import render_text

    assert "Note: cy has no human-only labels on these documents" in render_text(report)


def test_methods_says_which_variables_are_below_even_the_tentative_threshold(store):
    """Krippendorff (2004, p. 241): α ≥ .800 reliable, .667 ≤ α < .800 for tentative
    conclusions only, below .667 not even that. With α = 0 the paragraph said only "fell
    short of .800", as for an α of .79: a reader could take the variable as usable for
    tentative conclusions. It must say which fall below .667 too."""
    docs = _docs(store, 3)
    for d, b in zip(docs, ("alarmist", "alarmist", "none"), strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", b)  # α = 0 (see above)
    report = compute_agreement(store, None, 0, 0)
    assert report.doc_fields["dominant_frame"].alpha.value == 0.0
    text = methods_paragraph(report, store.stats()["gold"])
    assert (
        "By this standard, dominant frame fell short of .800 and also of .667, too low even"
        " for tentative conclusions." in text
    ), text


def test_methods_never_writes_100_percent_agreement_when_coders_disagreed(store):
    """Percent agreement 249/250 = .996 was written "100% agreement" (rounded to a whole
    percent): a reader takes that as no disagreement at all. A share short of 1 must be
    written with the decimals that keep it short (99.6%); 2/3 stays "67%"."""
    import dataclasses

    from annotator.agreement.report import Estimate

    docs = _docs(store, 3)
    for d, b in zip(docs, ("alarmist", "alarmist", "none"), strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", b)
    report = compute_agreement(store, None, 0, 0)
    assert "67% agreement" in methods_paragraph(report, None)
    field = report.doc_fields["dominant_frame"]
    nearly = dataclasses.replace(field, percent=Estimate(0.996))
    report = dataclasses.replace(report, doc_fields={"dominant_frame": nearly})
    text = methods_paragraph(report, None)
    assert "100% agreement" not in text, text
    assert "99.6% agreement" in text


def test_a_prevalence_short_of_all_codings_is_not_written_100_percent(store):
    """One 'none' among 250 codings: the commonest value holds 99.6% of them, written
    "(100%) SKEWED" in the text report and "holds 100% of the codings" in the paragraph,
    next to a defined α (which needs variation). Both must keep it short of 100%."""
    import dataclasses

    from annotator.agreement.chance_report import PrevalenceInfo
    from annotator.report_text import render_text

    docs = _docs(store, 3)
    for d, b in zip(docs, ("alarmist", "alarmist", "none"), strict=True):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", b)
    report = compute_agreement(store, None, 0, 0)
    field = report.doc_fields["dominant_frame"]
    assert field.chance is not None
    chance = dataclasses.replace(
        field.chance, prevalence=PrevalenceInfo("alarmist", 0.996, 250, True)
    )
    field = dataclasses.replace(field, chance=chance)
    report = dataclasses.replace(report, doc_fields={"dominant_frame": field})
    assert "alarmist (99.6%) SKEWED" in render_text(report)
    text = methods_paragraph(report, None)
    assert "one value ('alarmist') holds 99.6% of the codings" in text, text

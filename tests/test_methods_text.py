"""The methods paragraph (``agreement --methods``) never states what the data do not
support: how documents were chosen, how many coders each had, whether coders were blind
to the sample, "every variable" when some α is undefined, and plurals."""

from __future__ import annotations

from annotator.assign import assign
from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.methods_text import methods_paragraph
from annotator.reliability import compute_agreement

TEXT = "Kim visits Moscow to sign a pact; Xi watches warily from Beijing today."


def _docs(store, n, tag="d"):
    return import_documents(
        store, [RawDocument(f"{tag} {i}: {TEXT}", f"{tag}{i}.txt", {}) for i in range(n)]
    ).added


def _agree(store, docs, coders):
    """The coders agree on every document: the same frame (varying over documents) and
    the same 'alarmist' span."""
    frames = ["alarmist", "none", "policy_prescription"]
    for i, d in enumerate(docs):
        for c in coders:
            store.set_doc_label(d, c, "dominant_frame", frames[i % 3])
            store.add_span(d, c, 0, 9, "alarmist")


def _paragraph(store, coders=None, **kw):
    report = compute_agreement(store, coders, 0, 1, **kw)
    return methods_paragraph(report, store.stats()["gold"])


def test_a_whole_round_is_not_called_a_random_sample_coded_by_two(store):
    docs = _docs(store, 10)
    result = assign(store, ("ana", "ben"), round="main", seed=3, overlap_docs=4)
    for c, queue in result.queues.items():
        _agree(store, queue, [c])
    _agree(store, sorted(result.reliability), ["ana", "ben"])
    text = _paragraph(store, round="main")
    assert len(docs) == 10
    assert "at random" not in text
    assert "did not show coders" not in text and "not told" not in text
    assert "Of these, 4 were assigned to two coders and 6 to one coder." in text
    assert "In all, 4 documents were coded by at least two coders" in text

    sample = _paragraph(store, round="main", sample="reliability")
    method = store.get_round("main").design["method"]
    assert "The reliability sample of 4 documents was drawn at random from the round's" in sample
    assert f"({method}; seed 3)" in sample
    assert "Each was assigned to two coders, to be coded independently." in sample
    assert "The coding tool did not show coders which documents were in the sample." in sample


def test_a_round_without_a_recorded_draw_says_so(store):
    docs = _docs(store, 3)
    store.create_round("pilot", None, {})  # as a round merged from a coder's pack
    store.add_assignments("pilot", [(c, d, True, i + 1) for c in ("ana", "ben")
                                    for i, d in enumerate(docs)])  # fmt: skip
    _agree(store, docs, ["ana", "ben"])
    for kw in ({"round": "pilot"}, {"round": "pilot", "sample": "reliability"}):
        text = _paragraph(store, **kw)
        assert "at random" not in text, text
        assert "did not show coders" not in text and "not told" not in text
        assert "how its documents were chosen is not recorded" in text


def test_one_coder_and_one_document_read_as_english(store):
    (doc,) = _docs(store, 1)
    store.set_doc_label(doc, "cy", "dominant_frame", "none")
    text = _paragraph(store)
    assert text.startswith("One coder (cy) coded the material (1 document);"), text
    assert "One coders" not in text and "1 documents" not in text
    assert "at least one of them" not in text


def test_every_variable_is_not_claimed_when_some_alpha_is_undefined(store):
    docs = _docs(store, 6)
    _agree(store, docs, ["ana", "ben"])  # α = 1 on the frame and 'alarmist'
    text = _paragraph(store)
    assert "could not be computed for" in text  # e.g. frames present: nobody coded it
    assert "Every variable reached this standard." not in text
    assert "Every variable for which α could be computed reached this standard." in text


def test_a_suggestion_source_is_not_presented_as_a_human_coder(store):
    docs = _docs(store, 4)
    _agree(store, docs, ["ana", "ben"])
    store.replace_suggestions(
        "model", docs, [(d, 0, 9, "alarmist", 0.9) for d in docs],
        [(d, "dominant_frame", "none", None) for d in docs],
    )  # fmt: skip
    report = compute_agreement(store, None, 0, 1, sources=["model"])
    assert "source:model" in report.coders  # the figures count the source as a coder
    text = methods_paragraph(report, store.stats()["gold"])
    assert text.startswith("Two coders (ana and ben) coded the material"), text
    assert "suggestions of the automated source 'model' as a further coder" in text


def test_the_documents_a_model_was_trained_on_are_said_to_be_left_out(store):
    """``--with-source`` leaves out the documents the source's model was trained on: the
    paragraph (and the text report) must not claim the source coded every document the
    coders coded."""
    from annotator.report_text import render_text

    docs = _docs(store, 4)
    _agree(store, docs, ["ana", "ben"])
    store.replace_suggestions(
        "model", docs, [(d, 0, 9, "alarmist", 0.9) for d in docs], trained_on=docs[:1]
    )
    report = compute_agreement(store, None, 0, 1, sources=["model"])
    assert report.sources["model"].n_trained_on == 1
    text = methods_paragraph(report, store.stats()["gold"])
    assert (
        "A source's model is counted only on documents it was not trained on (1 document(s)"
        " of 'model' left out)." in text
    ), text
    assert (
        "Source model (the coder source:model, on 3 document(s); 1 more left out: its model"
        " was trained on them)" in render_text(report)
    )
    store.replace_suggestions("model", docs, [(d, 0, 9, "alarmist", 0.9) for d in docs])
    plain = compute_agreement(store, None, 0, 1, sources=["model"])
    assert "trained on" not in methods_paragraph(plain, store.stats()["gold"])


def test_a_source_beside_a_designed_sample_is_named_too(store):
    docs = _docs(store, 4)
    store.create_round("main", 5, {"method": "m"})
    store.add_assignments("main", [(c, d, True, i + 1) for c in ("ana", "ben")
                                   for i, d in enumerate(docs)])  # fmt: skip
    _agree(store, docs, ["ana", "ben"])
    store.replace_suggestions("model", docs, [(d, 0, 9, "alarmist", 0.9) for d in docs])
    report = compute_agreement(store, None, 0, 1, round="main", sources=["model"])
    text = methods_paragraph(report, store.stats()["gold"])
    assert "Two coders (ana and ben) took part" in text
    assert "suggestions of the automated source 'model' as a further coder" in text


def test_without_a_bootstrap_no_report_speaks_of_intervals(store):
    from annotator.report_html import render_html
    from annotator.report_text import render_text

    docs = _docs(store, 3)
    _agree(store, docs, ["ana", "ben"])
    report = compute_agreement(store, None, 0, 1)
    for text in (render_text(report), render_html(report), _paragraph(store)):
        assert "0 resamples" not in text
        assert "bootstrap intervals over documents" not in text
    assert "no bootstrap (no intervals)" in render_text(report)
    assert "no bootstrap (no intervals)" in render_html(report)


def test_one_adjudicated_document_is_singular(store):
    docs = _docs(store, 2)
    _agree(store, docs, ["ana", "ben"])
    store.add_gold_span(docs[0], 0, 9, "alarmist", ["ana", "ben"])
    assert store.stats()["gold"]["documents"] == 1
    text = _paragraph(store)
    assert "1 document was reviewed and their 1 adjudicated passage forms the gold" in text


def test_a_gold_layer_of_document_codes_alone_is_counted_as_such(store):
    """``gold --auto`` accepting one document field value: the paragraph said "their 0
    adjudicated passages and document codes form the gold standard"."""
    docs = _docs(store, 2)
    _agree(store, docs, ["ana", "ben"])
    store.set_gold_label(docs[0], "dominant_frame", "alarmist", ["ana", "ben"])
    text = _paragraph(store)
    assert "1 document was reviewed and their 1 adjudicated document code forms the gold" in text, (
        text
    )
    store.add_gold_span(docs[0], 0, 9, "alarmist", ["ana", "ben"])
    store.add_gold_span(docs[1], 0, 9, "alarmist", ["ana", "ben"])
    text = _paragraph(store)
    assert (
        "2 documents were reviewed and their 2 adjudicated passages and 1 adjudicated"
        " document code form the gold standard" in text
    ), text


def test_the_paragraph_says_which_codes_count_when_some_came_from_suggestions(store):
    docs = _docs(store, 4)
    _agree(store, docs, ["ana", "ben"])
    store.set_doc_label(docs[0], "ben", "dominant_frame", "none", origin="suggestion:model")
    manual = _paragraph(store, origin="manual")
    assert "Only codes the coders made without an automated suggestion count" in manual
    assisted = _paragraph(store, origin="assisted")
    assert "Only codes accepted from automated suggestions count here" in assisted
    everything = _paragraph(store)
    assert "the coefficients count them as the coders' own" in everything


def test_a_study_without_suggestions_says_nothing_of_them(store):
    docs = _docs(store, 3)
    _agree(store, docs, ["ana", "ben"])
    assert "suggestion" not in _paragraph(store)


def test_a_multi_choice_field_says_how_its_values_were_compared(store):
    docs = _docs(store, 4)
    _agree(store, docs, ["ana", "ben"])
    sets = [["alarmist"], ["alarmist", "policy_prescription"]]
    for i, d in enumerate(docs):
        for c in ("ana", "ben"):
            store.set_doc_label(d, c, "frames_present", sets[i % 2])
    text = _paragraph(store)
    assert "frames present (α = 1.00" in text
    assert "For frames present, where coders could choose several options, each" in text


def test_a_skewed_field_reports_its_prevalence_and_ac1_beside_alpha(store):
    docs = _docs(store, 10)
    for i, d in enumerate(docs):
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        store.set_doc_label(d, "ben", "dominant_frame", "none" if i == 0 else "alarmist")
    report = compute_agreement(store, None, 0, 1)
    chance = report.doc_fields["dominant_frame"].chance
    assert chance is not None and chance.skewed
    text = methods_paragraph(report, store.stats()["gold"])
    assert "For dominant frame, one value ('alarmist') holds 95% of the codings" in text
    ac1 = chance.gwet_ac1
    assert ac1 is not None and f"Gwet's AC1 = .{round(ac1 * 100):02d}" in text
    assert "Feinstein & Cicchetti, 1990" in text

"""Review of issue 15 (suggestions: patterns, a trained model, outside predictions, their
provenance): what a hostile but fair user found, each with the test that failed before."""

from __future__ import annotations

import textwrap

import pytest

from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.ingest import import_documents
from annotator.scheme import parse_scheme
from annotator.store import Store
from annotator.suggesting import PATTERNS, suggest_patterns


def one_label(patterns: str) -> str:
    return textwrap.dedent(
        f"""\
        name = "cues"
        version = 1

        [[span_labels]]
        name = "policy"
        key = "1"
        color = "#2ca02c"
        patterns = [{patterns}]
        """
    )


# -- a pattern with + or * gave every run it matches: quadratic in the document ----------


@pytest.mark.parametrize(
    "pattern", ['[{OP = "*"}]', '[{IS_ALPHA = true, OP = "+"}]', '[{LOWER = "a"}, {OP = "*"}]']
)
def test_a_repeating_pattern_suggests_at_most_one_span_per_token(tmp_path, pattern):
    words = " ".join(["a", "b", "c", "d"] * 100) + "."
    with Store(tmp_path / "l.db", scheme=parse_scheme(one_label(pattern))) as store:
        import_documents(store, [RawDocument(words, "t.txt")])
        (doc,) = store.document_ids()
        report = suggest_patterns(store)
        n_tokens = len(store.tokenization(doc).token_starts)
        got = store.suggestions(doc, PATTERNS)
    # before: 80,000+ overlapping suggestions (every run of the matched tokens)
    assert 0 < len(got) == report.spans <= n_tokens
    for s, t in zip(got, got[1:], strict=False):
        assert s.end <= t.start  # the longest match of a pattern, never overlapping itself


# -- a pattern spaCy refuses was read into the scheme and failed only at suggest time -----

PATTERNS_TRIED = [
    # spaCy takes these
    '[{LOWER = "calls"}, {LOWER = "for"}]', '[{OP = "?"}]', '[{}]', '[{LOWER = {}}]',
    '[{LOWER = {FUZZY = "x"}}]', '[{LOWER = {FUZZY5 = {IN = ["cat"]}}}]', '[{OP = "{1}"}]',
    '[{LOWER = "a", OP = "{0,}"}]', '[{LOWER = "a", OP = "{,3}"}]', '[{LOWER = "a", OP = "{2,2}"}]',
    '[{LENGTH = 3}]', '[{LENGTH = {">=" = 2, "<" = 9}}]', '[{LENGTH = {IN = [1, 2]}}]',
    '[{TEXT = {REGEX = "^[A-Z]"}}]', '[{LOWER = {NOT_IN = ["a"]}, IS_ALPHA = false}]',
    '[{SHAPE = "dd"}, {LIKE_NUM = true}]', '[{LOWER = {IN = []}}]', '[{NORM = {INTERSECTS = ["a"]}}]',
    # spaCy refuses these (before: read, then refused by the first suggest --patterns)
    '[{LENGTH = "x"}]', '[{REGEX = "a"}]', '[{IN = ["a"]}]', '[{PREFIX = "a"}]', '[{SUFFIX = "a"}]',
    '[{OP = "{}"}]', '[{OP = "{,}"}]', '[{LOWER = "a", OP = "{2,1}"}]', '[{LOWER = "a", OP = "1"}]',
    '[{LOWER = {REGEX = 5}}]', '[{IS_ALPHA = "yes"}]', '[{IS_ALPHA = 1}]', '[{LENGTH = true}]',
    '[{LOWER = {"==" = "x"}}]', '[{LOWER = {IN = [1, 2]}}]', '[{LOWER = {IS_SUBSET = "x"}}]',
    '[{LENGTH = {">=" = "a"}}]', '[{TEXT = {REGEX = "[a-"}}]', '[{LOWER = {FUZZY = {REGEX = "("}}}]',
    '[{LOWER = 5}]', '[{LENGTH = {IN = ["a"]}}]', '[{LENGTH = {REGEX = "("}}]',
]  # fmt: skip


def spacy_takes(pattern: list) -> bool:
    from spacy.lang.en import English
    from spacy.matcher import Matcher

    nlp = English()
    matcher = Matcher(nlp.vocab, validate=True)
    try:
        matcher.add("k", [pattern])
        matcher(nlp("The cat sat on 12 mats."))
    except Exception:  # noqa: BLE001 - any refusal
        return False
    return True


@pytest.mark.parametrize("pattern", PATTERNS_TRIED)
def test_a_pattern_is_read_exactly_when_spacy_takes_it(pattern):
    import tomllib

    takes = spacy_takes(tomllib.loads(f"p = {pattern}")["p"])
    try:
        scheme = parse_scheme(one_label(pattern), "codebook.toml")
    except AnnotatorError as e:
        message = str(e)
        assert not takes, message
        assert "\n" not in message
        assert message.startswith("codebook.toml: span label 'policy': patterns[1] token 1")
    else:
        assert takes, f"read, but spaCy refuses {pattern}"
        assert scheme.span_labels[0].patterns


# -- a model trained before a codebook rename was refused outright ------------------------


def _record_scheme(model, name, version):
    """What 'annotator train' records in the model's meta: the scheme it was trained on."""
    import json

    from annotator import learn

    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    meta[learn.META_KEY] = {"scheme": {"name": name, "version": version}}
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def test_a_model_trained_before_a_codebook_rename_suggests_under_the_new_names(tmp_path):
    from annotator import codebook
    from annotator.suggesting import suggest_model

    from .test_suggest_cli import TEXTS, build_model

    model = build_model(tmp_path / "model")
    untold = build_model(tmp_path / "untold")  # a pipeline that does not say its scheme
    other = build_model(tmp_path / "other")
    _record_scheme(model, "alliance-framing", 1)
    _record_scheme(other, "another-scheme", 1)
    with Store(tmp_path / "l.db") as store:
        assert (store.scheme.name, store.scheme.version) == ("alliance-framing", 1)
        import_documents(store, [RawDocument(t, n) for n, t in TEXTS.items()])
        codebook.rename_label(store, "alarmist", "alarm")
        codebook.rename_option(store, "dominant_frame", "none", "no_frame")
        codebook.rename_field(store, "dominant_frame", "main_frame")
        report = suggest_model(store, model, threshold=0.0)
        labels = {s.label for d in store.document_ids() for s in store.suggestions(d, "tiny")}
        values = [v for d in store.document_ids() for v in store.suggested_labels(d, "tiny")]
        for refused in (untold, other):
            with pytest.raises(AnnotatorError, match="span label\\(s\\) 'alarmist'"):
                suggest_model(store, refused, source="x")
    # before: refused, "the model predicts span label(s) 'alarmist'; field 'dominant_frame'"
    assert labels == {"policy_prescription", "alarm"}
    assert report.by_label.keys() == labels and report.by_field == {"main_frame": 2}
    assert {v.field for v in values} == {"main_frame"}
    assert {v.value for v in values} <= {"alarmist", "policy_prescription", "no_frame"}


def test_labels_merged_since_the_model_was_trained_give_each_span_once(tmp_path):
    from annotator import codebook
    from annotator.suggesting import suggest_model

    from .test_suggest_cli import TEXTS, build_model

    model = build_model(tmp_path / "model")
    _record_scheme(model, "alliance-framing", 1)
    with Store(tmp_path / "l.db") as store:
        import_documents(store, [RawDocument(t, n) for n, t in TEXTS.items()])
        codebook.merge_labels(store, ["alarmist", "policy_prescription"], "frame")
        report = suggest_model(store, model, threshold=0.0)
        got = [
            (d, s.start, s.end, s.label)
            for d in store.document_ids()
            for s in store.suggestions(d, "tiny")
        ]
    assert report.by_label.keys() == {"frame"} and len(got) == report.spans > 0
    assert len(set(got)) == len(got)


# -- inside a coder's pack, suggestions reached the (hidden) reliability sample -----------


def test_suggestions_cannot_be_made_inside_a_coders_pack(tmp_path):
    """A pack cannot tell its coder which documents are in the reliability sample, so its
    window would show suggestions on them: suggestions are made in the lead's database
    (the pack takes those outside the sample)."""
    import json

    from click.testing import CliRunner

    from annotator.cli import cli

    from .test_coder_pack import build_lead

    build_lead(tmp_path / "lead.db").close()
    pack = tmp_path / "ana.db"
    res = CliRunner().invoke(cli, ["--db", str(tmp_path / "lead.db"), "pack", "--coder", "ana",
                                   "-o", str(pack)], catch_exceptions=False)  # fmt: skip
    assert res.exit_code == 0, res.output
    with Store(tmp_path / "lead.db", readonly=True) as lead:
        mine = {a.doc_id for a in lead.assignments(coder="ana")}
        doc = min(mine & set(lead.reliability_documents()))  # in ana's pack, hidden
        text = lead.document(doc).text
        label = lead.scheme.span_labels[0].name
    outside = tmp_path / "llm.jsonl"
    outside.write_text(
        json.dumps({"text": text, "spans": [{"start": 0, "end": 3, "label": label}]}) + "\n",
        encoding="utf-8",
    )
    for args in (
        ["import-suggestions", str(outside), "--source", "llm"],
        ["suggest", "--patterns"],
    ):
        res = CliRunner().invoke(cli, ["--db", str(pack), *args])
        assert res.exit_code == 1, res.output
        (line,) = res.output.strip().splitlines()
        assert line.startswith("Error: ") and "pack" in line and "lead" in line, line
    with Store(pack, readonly=True) as p:
        assert p.suggestion_sources() == []


# -- a retired label's suggestions came back with the next run -----------------------------


def test_a_retired_label_is_never_suggested_again(tmp_path):
    """retire-label removes the label's suggestions (it is no longer offered); the next
    suggest --patterns, suggest --model or import-suggestions brought them back."""
    import json

    from annotator import codebook
    from annotator.suggesting import suggest_model
    from annotator.suggestions_io import import_suggestions

    from .test_suggest_cli import TEXTS, build_model

    toml = one_label('[{LOWER = "must"}]') + textwrap.dedent(
        """
        [[span_labels]]
        name = "alarmist"
        key = "2"
        color = "#d62728"
        phrases = ["war"]

        [[doc_fields]]
        name = "dominant_frame"
        kind = "single"
        options = ["a", "b"]
        """
    )
    model = build_model(tmp_path / "model", labels=("policy", "alarmist"), options=("a", "b"))
    with Store(tmp_path / "l.db", scheme=parse_scheme(toml)) as store:
        import_documents(store, [RawDocument(t, n) for n, t in TEXTS.items()])
        suggest_patterns(store)
        doc = store.document_ids()[1]
        assert "alarmist" in {s.label for s in store.suggestions(doc, PATTERNS)}
        codebook.retire_label(store, "alarmist")
        report = suggest_patterns(store)
        assert report.by_label.keys() == {"policy"}
        suggest_model(store, model, threshold=0.0, doc_ids=[doc])
        text = store.document(doc).text
        llm = tmp_path / "llm.jsonl"
        llm.write_text(
            json.dumps({"text": text, "spans": [{"start": 0, "end": 7, "label": "alarmist"}]}),
            encoding="utf-8",
        )
        imported = import_suggestions(store, llm, "llm")
        labels = {s.label for d in store.document_ids() for s in store.suggestions(d)}
    assert "alarmist" not in labels and "policy" in labels
    assert not imported.ok and "retired" in imported.errors[0]


# -- train: a label the model never predicts had F1 "undefined", hiding a recall of 0 -------


def test_span_f1_is_zero_not_undefined_when_the_model_misses_everything():
    from annotator.learn import _prf

    missed = _prf(tp=0, n_pred=0, n_gold=6)  # 6 spans to find, none predicted
    assert missed["precision"] is None and missed["recall"] == 0.0
    assert missed["f1"] == 0.0  # before: None, shown "-" beside a recall of 0.000
    invented = _prf(tp=0, n_pred=3, n_gold=0)  # nothing to find, 3 predicted
    assert invented["precision"] == 0.0 and invented["recall"] is None
    assert invented["f1"] == 0.0
    assert _prf(0, 0, 0)["f1"] is None  # nothing either way: undefined
    assert _prf(2, 4, 2)["f1"] == round(2 * 2 / (4 + 2), 6)


# -- predict's output over an archive could not be imported: one text outside the database
#    refused the whole file ----------------------------------------------------------------


def test_predictions_over_an_archive_import_for_the_documents_in_the_database(tmp_path):
    """README: 'annotator import-suggestions OUT.jsonl --source NAME can bring the
    predictions of documents that are in a database into its suggestion layer'; predict
    runs over the whole archive, the database holds the coded sample."""
    import json

    from click.testing import CliRunner

    from annotator.cli import cli

    from .test_suggest_cli import TEXTS, build_model

    model = build_model(tmp_path / "model")
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in TEXTS.items():
        (archive / name).write_text(text, encoding="utf-8")
    (archive / "c.txt").write_text("An article nobody coded. Sanctions must come.", "utf-8")
    out = tmp_path / "pred.jsonl"
    db = tmp_path / "l.db"

    def run(*args):
        return CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])

    res = run("predict", "--model", model, archive, "-o", out, "--threshold", "0")
    assert res.exit_code == 0, res.output
    with Store(db) as store:
        import_documents(store, [RawDocument(t, n) for n, t in TEXTS.items()])
    refused = run("import-suggestions", out, "--source", "tiny")
    assert refused.exit_code == 1 and "--skip-missing" in refused.output
    res = run("import-suggestions", out, "--source", "tiny", "--skip-missing", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert (data["records"], data["documents"], data["not_in_database"]) == (3, 2, 1)
    with Store(db, readonly=True) as store:
        assert [s for s, _n, _m in store.suggestion_sources()] == ["tiny"]
        assert all(store.suggested_labels(d, "tiny") for d in store.document_ids())
    res = run("import-suggestions", out, "--source", "tiny", "--skip-missing")
    assert res.exit_code == 0 and "1 record(s) of texts not in the database" in res.output


# -- train: a large --eval-split held out every document and blamed the reliability sample --


def test_a_large_eval_split_keeps_one_document_to_train_on(tmp_path):
    from annotator.training import plan

    from .test_train import fill
    from .train_corpus import synthetic_articles

    with Store(tmp_path / "l.db") as store:
        fill(store, synthetic_articles(10, seed=1), coder="ana")
        split = plan(store, "ana", eval_split=0.96)  # round(9.6) = 10 of 10
    # before: "nothing to train on: the 0 document(s) coder ana coded are all in the
    # reliability sample" (there is no sample)
    assert (len(split.train_ids), len(split.eval_ids)) == (1, 9)


# -- import-labels read a file of suggestions as a coder's labels (manual, in agreement) ----


def test_import_labels_refuses_suggestion_files_naming_the_line(tmp_path):
    """export --suggestions writes _annotator_id "suggest:<source>", predict "model:<name>";
    import-labels made each a coder (the export's spans even with origin manual), counted
    in agreement among the people."""
    import json

    from annotator.labels_import import import_label_file
    from annotator.suggestions_io import export_suggestions

    with Store(tmp_path / "l.db") as store:
        import_documents(store, [RawDocument("Sanctions must be tightened now.", "a.txt")])
        (doc,) = store.document_ids()
        store.replace_suggestions("llm", [doc], [(doc, 0, 9, "policy_prescription", 0.9)])
        export_suggestions(store, tmp_path / "sugg.jsonl")
        predicted = dict(json.loads((tmp_path / "sugg.jsonl").read_text("utf-8")))
        predicted["_annotator_id"] = "model:framing-v1"
        (tmp_path / "pred.jsonl").write_text(json.dumps(predicted) + "\n", "utf-8")
        for name, who in (("sugg.jsonl", "suggest:llm"), ("pred.jsonl", "model:framing-v1")):
            result = import_label_file(store, tmp_path / name)
            assert not result.ok
            (error,) = result.errors
            assert error.startswith(f"{tmp_path / name}:1: ") and who in error, error
            assert "import-suggestions" in error
        assert store.coders() == [] and store.spans(doc) == []


# -- train learned retired labels (never suggested again, yet in the model and its scores) --


def test_train_learns_only_the_labels_offered(tmp_path):
    from annotator import codebook
    from annotator.learn import load_model
    from annotator.training import train

    from .test_train import fill
    from .train_corpus import synthetic_articles

    with Store(tmp_path / "l.db") as store:
        fill(store, synthetic_articles(30, seed=2))
        codebook.retire_label(store, "alarmist")
        result = train(store, tmp_path / "model", "gold", 0.2, 0, 1)
    assert "alarmist" not in result["spans"]["by_label"]
    assert any("retired" in w and "alarmist" in w for w in result["warnings"]), result["warnings"]
    labels = load_model(tmp_path / "model").get_pipe("spancat").labels
    assert set(labels) == {"policy_prescription", "skeptical_of_alliance"}


# -- predict wrote a multi field no option of which reached the threshold as [] (a value) ---


def test_predict_writes_only_field_values_that_reach_the_threshold():
    """README: 'Only spans and field values scoring at least --threshold are written'; a
    multi field with no option at the threshold was written as [] with its best (lower)
    score, which import-suggestions stored as a suggestion of "none of them", while
    suggest --model with the same model stores nothing there."""
    from annotator.learn import ModelLabel
    from annotator.predict import prediction_record

    doc = RawDocument("Sanctions must come.", "a.txt")
    labels = [ModelLabel("frames_present", (), 0.33), ModelLabel("dominant_frame", "x", 0.9)]
    record = prediction_record(doc, [], labels, "m1")
    assert record["doc_labels"] == {"dominant_frame": "x"}
    assert record["doc_label_scores"] == {"dominant_frame": 0.9}
    assert record["doc_label_origins"] == {"dominant_frame": "suggestion:m1"}


# -- train crashed (spaCy's E867, a traceback) on a single field with one option ------------


def test_a_single_field_with_one_option_is_left_out_of_training(tmp_path):
    from annotator.learn import fields_of, load_model
    from annotator.training import train

    toml = one_label('[{LOWER = "must"}]') + textwrap.dedent(
        """
        [[doc_fields]]
        name = "relevant"
        kind = "single"
        options = ["yes"]

        [[doc_fields]]
        name = "tone"
        kind = "multi"
        options = ["angry"]
        """
    )
    with Store(tmp_path / "l.db", scheme=parse_scheme(toml)) as store:
        import_documents(store, [RawDocument(f"Text {i} must act.", f"{i}.txt") for i in range(6)])
        for d in store.document_ids():
            store.set_gold_label(d, "relevant", "yes", ())
            store.set_gold_label(d, "tone", ("angry",) if d % 2 else (), ())
        result = train(store, tmp_path / "model", "gold", 0.2, 0, 1)
    assert set(result["doc_fields"]) == {"tone"}  # a multi field's one option is learnable
    assert any("'relevant'" in w and "one option" in w for w in result["warnings"])
    assert set(fields_of(load_model(tmp_path / "model"))) == {"tone"}


# -- train crashed (spaCy's E088, a traceback) on a document longer than max_length --------


def test_a_document_longer_than_the_pipeline_takes_is_left_out_of_training(tmp_path, monkeypatch):
    from annotator import learn
    from annotator.training import train

    monkeypatch.setattr(learn, "MAX_TRAIN_CHARS", 200)  # spaCy's 1,000,000, made small
    texts = ["Sanctions must come. " * 20] + [f"Doc {i}: sanctions must come." for i in range(5)]
    with Store(tmp_path / "l.db") as store:
        import_documents(store, [RawDocument(t, f"{i}.txt") for i, t in enumerate(texts)])
        for d in store.document_ids():
            store.add_gold_span(d, 0, 9, "policy_prescription", ())
        result = train(store, tmp_path / "model", "gold", 0.0, 0, 1)
    assert result["n_train"] == 5
    assert any("longer than 200 characters" in w for w in result["warnings"]), result


# -- a doccano export read back with import-labels made every assisted label "manual" -------


def test_origins_survive_a_doccano_export_and_import(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    text = "Sanctions must be tightened now. War looms."
    with Store(tmp_path / "a.db") as store:
        import_documents(store, [RawDocument(text, "a.txt")])
        (d,) = store.document_ids()
        store.add_span(d, "ana", 0, 9, "policy_prescription", origin="suggestion:m1")
        store.add_span(d, "ana", 33, 43, "alarmist", origin="edited:m1")
        store.add_span(d, "ana", 10, 14, "alarmist")
        store.set_doc_label(d, "ana", "dominant_frame", "alarmist", origin="suggestion:m1")
        store.set_doc_label(d, "ana", "frames_present", ("alarmist",))
    res = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "export", "--format",
                                   "doccano", "-o", str(tmp_path / "dc")])  # fmt: skip
    assert res.exit_code == 0, res.output
    (path,) = (tmp_path / "dc").glob("*.jsonl")
    res = CliRunner().invoke(cli, ["--db", str(tmp_path / "b.db"), "import-labels", str(path)])
    assert res.exit_code == 0, res.output
    with Store(tmp_path / "b.db", readonly=True) as store:
        (d,) = [i for i in store.document_ids() if store.document(i).text == text]
        spans = sorted((s.start, s.label, s.origin) for s in store.spans(d, "ana"))
        origins = {dl.field: dl.origin for dl in store.all_doc_labels(d) if dl.coder == "ana"}
    assert spans == [
        (0, "policy_prescription", "suggestion:m1"),
        (10, "alarmist", "manual"),
        (33, "alarmist", "edited:m1"),
    ]
    assert origins == {"dominant_frame": "suggestion:m1", "frames_present": "manual"}


@pytest.mark.parametrize(
    ("origins", "problem"),
    [(["bogus"], "span 1 origin"), (["manual", "manual"], '"origins" must be a list'),
     ("manual", '"origins" must be a list')],
)  # fmt: skip
def test_bad_doccano_origins_refuse_the_file_naming_the_line(tmp_path, origins, problem):
    import json

    from annotator.labels_import import import_label_file

    line = {"text": "Sanctions must come.", "label": [[0, 9, "policy_prescription"]],
            "origins": origins, "_annotator_id": "ana"}  # fmt: skip
    (tmp_path / "d.jsonl").write_text(json.dumps(line) + "\n", "utf-8")
    with Store(tmp_path / "l.db") as store:
        result = import_label_file(store, tmp_path / "d.jsonl", fmt="doccano")
        assert store.coders() == []
    (error,) = result.errors
    assert error.startswith(f"{tmp_path / 'd.jsonl'}:1: ") and problem in error, error


# -- --threshold below the pipeline's own spancat threshold (0.5) found no more spans -------


def test_a_lower_threshold_suggests_every_span_scoring_at_least_it(tmp_path):
    """spancat drops spans under its configured threshold (0.5, as 'annotator train' sets
    it) before annotator sees them: suggest --model and predict --threshold 0.1 gave the
    spans of 0.5."""
    import json

    from annotator import learn
    from annotator.predict import predict
    from annotator.suggesting import suggest_model

    from .test_suggest_cli import TEXTS, build_model

    model = build_model(tmp_path / "model")
    nlp = learn.load_model(model)
    nlp.get_pipe("spancat").cfg["threshold"] = 0.0  # every candidate, scored
    texts = list(TEXTS.values())
    scores = [s.score for doc in nlp.pipe(texts) for s in learn.predict_doc(doc, 0.0)[0]]
    low = sorted(scores)[len(scores) // 4]
    assert low < 0.5 and sum(s >= 0.5 for s in scores) < sum(s >= low for s in scores)
    expected = sum(s >= low for s in scores)
    with Store(tmp_path / "l.db") as store:
        import_documents(store, [RawDocument(t, n) for n, t in TEXTS.items()])
        report = suggest_model(store, model, threshold=low)
    assert report.spans == expected
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, "utf-8")
    out = tmp_path / "pred.jsonl"
    predict(model, [tmp_path / n for n in TEXTS], out, threshold=low)
    lines = [json.loads(ln) for ln in out.read_text("utf-8").splitlines()]
    assert sum(len(r["spans"]) for r in lines) == expected


# -- IS_SENT_START in a pattern matched only the document's first token --------------------


def test_is_sent_start_matches_at_every_stored_sentence_start(tmp_path):
    text = "Critics doubt it. Critics agree, critics say.\n\nCritics again."
    toml = one_label('[{IS_SENT_START = true, LOWER = "critics"}]')
    with Store(tmp_path / "l.db", scheme=parse_scheme(toml)) as store:
        import_documents(store, [RawDocument(text, "t.txt")])
        (doc,) = store.document_ids()
        sentences = store.tokenization(doc).sentence_starts
        suggest_patterns(store)
        got = [s.start for s in store.suggestions(doc, PATTERNS)]
    assert len(sentences) == 3
    assert got == [0, text.index("Critics agree"), text.index("Critics again")]  # before: [0]

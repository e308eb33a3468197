"""``annotator train`` (issue 15): a spaCy pipeline trained on the project's labels.

The key test trains on a synthetic corpus whose labels are learnable
(tests/train_corpus.py) and asserts the held-out span F1 reaches 0.8: the training loop
really learns. Tests that train are marked ``slow`` (``-m "not slow"`` skips them while
working; the suite and CI run them); one model is trained per module and shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.ingest import import_documents
from annotator.learn import META_KEY, fields_of, load_model, predict_doc
from annotator.store import Store
from annotator.training import coded_by, plan, train

from .train_corpus import article, synthetic_articles

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "dominant_frame": ("alarmist", "skeptical_of_alliance", "policy_prescription", "none"),
    "frames_present": ("alarmist", "skeptical_of_alliance", "policy_prescription"),
}


def fill(store: Store, articles, *, coder: str | None = None) -> list[int]:
    """Import the articles and store their labels in the gold layer (or for ``coder``,
    marked done); returns the document ids in order."""
    report = import_documents(
        store, [RawDocument(text, "synthetic", {"n": i}) for i, (text, *_r) in enumerate(articles)]
    )
    ids = list(report.added)
    assert len(ids) == len(articles)
    with store.transaction():
        for doc_id, (_text, spans, dominant, present) in zip(ids, articles, strict=True):
            for start, end, label in spans:
                if coder is None:
                    store.add_gold_span(doc_id, start, end, label, ())
                else:
                    store.add_span(doc_id, coder, start, end, label)
            if coder is None:
                store.set_gold_label(doc_id, "dominant_frame", dominant, ())
                store.set_gold_label(doc_id, "frames_present", present, ())  # () is "none"
            else:
                store.set_doc_label(doc_id, coder, "dominant_frame", dominant)
                store.set_doc_label(doc_id, coder, "frames_present", present)
                store.set_status(doc_id, coder, "done")
    return ids


def sample(store: Store, doc_ids: list[int]) -> None:
    """Put ``doc_ids`` in a round's reliability sample (two coders each)."""
    store.create_round("main", 1, {})
    rows = [(c, d, True, i + 1) for i, d in enumerate(doc_ids) for c in ("ana", "ben")]
    store.add_assignments("main", rows)


def without(result: dict, *keys: str) -> dict:
    return {k: v for k, v in result.items() if k not in keys}


# -- the model trained once for the module (slow) ------------------------------------

N_DOCS = 150
N_SAMPLE = 10


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """150 synthetic articles in the gold layer, the first 10 in the reliability sample;
    a model trained on them (5 epochs, seed 0) in ``models/framing-v1``."""
    root = tmp_path_factory.mktemp("train")
    store = Store(root / "labels.db")
    ids = fill(store, synthetic_articles(N_DOCS, seed=0))
    sample(store, ids[:N_SAMPLE])
    (root / "models").mkdir()
    out = root / "models" / "framing-v1"
    epochs: list[tuple[int, float]] = []
    result = train(store, out, "gold", 0.2, 0, 5, lambda e, loss: epochs.append((e, loss)))
    yield store, ids, out, result, epochs
    store.close()


@pytest.mark.slow
def test_training_learns_the_synthetic_spans_on_held_out_documents(trained):
    _store, _ids, _out, result, epochs = trained
    assert result["n_train"] == 112 and result["n_eval"] == 28  # 140 outside the sample
    assert result["n_reliability_excluded"] == N_SAMPLE
    assert result["reliability_in_training"] is False
    spans = result["spans"]
    assert spans["n_gold"] > 20
    assert spans["f1"] >= 0.8, spans
    for label, scores in spans["by_label"].items():
        assert scores["n_gold"] > 0 and scores["f1"] >= 0.6, (label, scores)
    assert result["doc_fields"]["frames_present"]["macro_f1"] >= 0.8, result["doc_fields"]
    assert result["doc_fields"]["dominant_frame"]["n_eval"] == 28
    assert result["doc_fields"]["frames_present"]["n_eval"] == 28
    # one progress call per epoch, the loss falling
    assert [e for e, _ in epochs] == [1, 2, 3, 4, 5]
    assert epochs[-1][1] < epochs[0][1]
    assert result["losses"] == [loss for _, loss in epochs]
    assert result["alignment"]["spans_expanded"] == 0 and result["warnings"] == []


@pytest.mark.slow
def test_the_model_folder_is_a_plain_spacy_pipeline_in_a_fresh_process(trained):
    _store, _ids, out, _result, _epochs = trained
    assert sorted(p.name for p in out.parent.iterdir()) == ["framing-v1"]  # no part left
    text = (
        "Dispatch 9999. Europe needs to tighten export controls and sanctions on Iran."
        " The meeting took place on Tuesday in Tehran."
    )
    script = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp(sys.argv[2])\n"
        "print(json.dumps({'name': nlp.meta['name'], 'pipes': nlp.pipe_names,"
        " 'spans': [[s.text, s.label_] for s in doc.spans['sc']],"
        " 'cats': sorted(doc.cats)}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", script, str(out), text],
        capture_output=True, text=True, timeout=120, cwd=out.parent,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert got["name"] == "framing-v1"
    assert got["pipes"] == ["spancat", "textcat_dominant_frame", "textcat_frames_present"]
    assert got["spans"] == [
        ["Europe needs to tighten export controls and sanctions on Iran.", "policy_prescription"]
    ]
    assert got["cats"] == sorted(f"{f}={o}" for f, opts in FIELDS.items() for o in opts)


@pytest.mark.slow
def test_predict_doc_gives_the_spans_of_the_expected_text(trained):
    _store, _ids, out, _result, _epochs = trained
    nlp = load_model(out)
    fields = fields_of(nlp)
    assert fields == {
        "dominant_frame": ("single", FIELDS["dominant_frame"]),
        "frames_present": ("multi", FIELDS["frames_present"]),
    }
    text, spans, dominant, present = article([
        ("Dispatch 4242.", None),
        ("Critics doubt that the partnership with China will last beyond this year.",
         "skeptical_of_alliance"),
        ("Reporters gathered outside the ministry building in the afternoon.", None),
        ("Experts warn that Russia is pushing the region toward nuclear disaster.", "alarmist"),
        ("Their interests conflict so often that the bloc may soon fracture.",
         "skeptical_of_alliance"),
    ])  # fmt: skip
    got, labels = predict_doc(nlp(text), 0.5, fields)
    assert [(text[s.start : s.end], s.label) for s in got] == [
        (text[s:e], lab) for s, e, lab in spans
    ]
    assert all(0.5 <= s.score <= 1.0 for s in got)
    by_field = {lab.field: lab.value for lab in labels}
    assert by_field["dominant_frame"] == dominant == "skeptical_of_alliance"
    assert by_field["frames_present"] == present == ("alarmist", "skeptical_of_alliance")


@pytest.mark.slow
def test_the_meta_records_scheme_source_split_evaluation_and_reliability(trained):
    _store, _ids, out, result, _epochs = trained
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "framing-v1" and meta["lang"] == "en"
    info = meta[META_KEY]
    assert info["scheme"] == {"name": "alliance-framing", "version": 1}
    assert info["span_labels"] == ["alarmist", "skeptical_of_alliance", "policy_prescription"]
    assert info["doc_fields"] == {
        "dominant_frame": {"kind": "single", "options": list(FIELDS["dominant_frame"])},
        "frames_present": {"kind": "multi", "options": list(FIELDS["frames_present"])},
    }
    assert info["trained_from"] == "gold" and info["seed"] == 0
    assert (info["n_train"], info["n_eval"]) == (112, 28)
    assert info["reliability_excluded"] is True and info["n_reliability_in_training"] == 0
    assert info["evaluation"] == {"spans": result["spans"], "doc_fields": result["doc_fields"]}


@pytest.mark.slow
def test_a_model_is_compared_out_of_sample_only(trained, tmp_path):
    """The meta lists the SHA-256 of the texts trained on (not the held-out ones);
    ``suggest --model`` records which suggested documents those are; ``agreement
    --with-source`` leaves them out of the source's comparisons with the coders and the
    gold layer (README "--with-source"). On a copy of the module's database."""
    import sqlite3

    from annotator.corpus import text_hash
    from annotator.learn import TRAINED_ON
    from annotator.reliability import compute_agreement
    from annotator.suggesting import suggest_model

    store, ids, out, _result, _epochs = trained
    split = plan(store, "gold", 0.2, 0)
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))[META_KEY]
    assert info[TRAINED_ON] == sorted(text_hash(store.document(d).text) for d in split.train_ids)
    assert not set(info[TRAINED_ON]) & {text_hash(store.document(d).text) for d in split.eval_ids}
    with sqlite3.connect(tmp_path / "copy.db") as target:
        store.conn.backup(target)
    with Store(tmp_path / "copy.db") as copy:
        report = suggest_model(copy, out)
        assert report.documents == N_DOCS and report.trained_on == len(split.train_ids) == 112
        assert "112 of them trained on" in report.summary()
        assert copy.trained_on("framing-v1") == set(split.train_ids)
        # ana and ben code four trained-on and four held-out documents alike
        both = split.train_ids[:4] + split.eval_ids[:4]
        for d in both:
            for coder in ("ana", "ben"):
                copy.add_span(d, coder, 0, 5, "alarmist")
                copy.set_status(d, coder, "done")
        got = compute_agreement(copy, ["ana", "ben"], bootstrap=0, sources=["framing-v1"])
        src = got.sources["framing-v1"]
        assert (src.n_documents, src.n_trained_on) == (4, 4)
        assert src.vs_gold is not None
        assert src.vs_gold.n_documents == N_DOCS - len(split.train_ids)  # gold everywhere
        assert got.to_dict()["sources"]["framing-v1"]["n_trained_on_left_out"] == 4
        # suggestions replaced by a source that learned nothing: nothing is left out
        copy.replace_suggestions("framing-v1", both, [], [])
        assert copy.trained_on("framing-v1") == set(split.train_ids) - set(both[:4])
        copy.delete_suggestions("framing-v1")
        assert copy.trained_on("framing-v1") == set()


@pytest.mark.slow
def test_a_corrected_article_the_model_learned_from_stays_out_of_sample(trained, tmp_path):
    """A document whose text ``import --update`` corrected after the model was trained on
    it counts as trained on (the model learned this article); a corrected held-out one
    does not. On a copy of the module's database."""
    import sqlite3

    from annotator.corpus import text_hash
    from annotator.nlp import tokenize
    from annotator.suggesting import suggest_model

    store, _ids, out, _result, _epochs = trained
    split = plan(store, "gold", 0.2, 0)
    learned, held_out = split.train_ids[0], split.eval_ids[0]
    with sqlite3.connect(tmp_path / "copy.db") as target:
        store.conn.backup(target)
    with Store(tmp_path / "copy.db") as copy:
        for d in (learned, held_out):
            doc = copy.document(d)
            text = doc.text + " A correction was appended."
            tokens, sentences = next(iter(tokenize([text], copy.document_pipeline(d)))).packed()
            new = {"sha256": text_hash(text), "title": doc.title, "text": text,
                   "meta": doc.meta, "tokens": tokens, "sentences": sentences,
                   "pipeline": copy.document_pipeline(d)}  # fmt: skip
            copy.replace_text(d, new, [])
        report = suggest_model(copy, out, doc_ids=[learned, held_out])
        assert report.trained_on == 1
        assert copy.trained_on("framing-v1") == {learned}
        assert copy.earlier_text_hashes([learned, held_out, split.eval_ids[1]]) == {
            learned: {text_hash(store.document(learned).text)},
            held_out: {text_hash(store.document(held_out).text)},
        }


# -- the split: the reliability sample is never held out ------------------------------


def test_the_reliability_sample_is_never_held_out_and_trained_on_only_when_asked(store):
    ids = fill(store, synthetic_articles(40, seed=3))
    reliability = ids[5:13]
    sample(store, reliability)
    for seed in range(6):
        p = plan(store, "gold", 0.25, seed)
        assert p.reliability_ids == reliability
        assert not set(p.eval_ids) & set(reliability)
        assert not set(p.train_ids) & set(reliability)
        assert sorted(p.train_ids + p.eval_ids) == sorted(set(ids) - set(reliability))
        assert len(p.eval_ids) == 8  # a quarter of the 32 outside the sample
        q = plan(store, "gold", 0.25, seed, include_reliability=True)
        assert q.eval_ids == p.eval_ids
        assert q.train_ids == sorted(p.train_ids + reliability)
    assert plan(store, "gold", 0.25, 0).eval_ids == plan(store, "gold", 0.25, 0).eval_ids
    assert plan(store, "gold", 0.25, 0).eval_ids != plan(store, "gold", 0.25, 1).eval_ids


def test_too_little_data_is_one_line(store, tmp_path):
    out = tmp_path / "model"
    with pytest.raises(AnnotatorError, match=r"^nothing to train on: the gold layer coded no"):
        train(store, out, "gold")
    ids = fill(store, synthetic_articles(3, seed=1))
    sample(store, ids[:2])
    with pytest.raises(AnnotatorError, match=r"coded 1 document\(s\) outside the reliability"):
        train(store, out, "gold", eval_split=0.2)
    with pytest.raises(AnnotatorError, match="unknown coder 'zoe'"):
        train(store, out, "zoe")
    with pytest.raises(AnnotatorError, match="--eval-split must be"):
        train(store, out, "gold", eval_split=1.0)
    with pytest.raises(AnnotatorError, match="--name: a source name must start"):
        train(store, out, "gold", name="-x")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "labels.db",
        "labels.db-shm",
        "labels.db-wal",
    ]


def test_an_output_folder_that_is_not_empty_is_refused_and_nothing_is_written(store, tmp_path):
    fill(store, synthetic_articles(6, seed=2))
    out = tmp_path / "model"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(AnnotatorError) as e:
        train(store, out, "gold", epochs=1)
    assert str(e.value) == (
        f"{out}: the folder is not empty (it holds notes.txt); a model is written to a new or"
        " empty folder, never over other files"
    )
    with pytest.raises(AnnotatorError, match="exists and is not a folder"):
        train(store, tmp_path / "labels.db", "gold", epochs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


# -- the sources of the training data --------------------------------------------------


def test_agreed_takes_only_what_every_coder_of_a_document_agreed_on(store, make_doc):
    text = "Sanctions must bite. War is coming. Nobody trusts anybody. The end."
    a = make_doc(text)
    b = make_doc("Only one coder finished this one. Sanctions now.")
    c = make_doc("Three coders. War is coming.")
    for coder in ("ana", "ben"):
        store.add_span(a, coder, 0, 20, "policy_prescription")  # agreed
        store.add_span(a, coder, 21, 35, "alarmist")  # agreed
        store.set_doc_label(a, coder, "dominant_frame", "alarmist")  # agreed
        store.set_status(a, coder, "done")
    store.add_span(a, "ana", 36, 58, "skeptical_of_alliance")  # ana only
    store.add_span(a, "ben", 36, 57, "skeptical_of_alliance")  # other end
    store.add_span(a, "ben", 21, 35, "skeptical_of_alliance")  # other label
    store.set_doc_label(a, "ana", "frames_present", ("alarmist", "policy_prescription"))
    store.set_doc_label(a, "ben", "frames_present", ("policy_prescription", "alarmist"))
    store.add_span(a, "cy", 59, 67, "alarmist")  # cy is still coding: not counted
    store.set_status(a, "cy", "in_progress")
    store.add_span(b, "ana", 34, 48, "policy_prescription")
    store.set_status(b, "ana", "done")  # one coder done: no agreement to speak of
    for coder in ("ana", "ben", "cy"):
        store.add_span(c, coder, 14, 28, "alarmist")
        store.set_status(c, coder, "done")
        store.set_doc_label(c, coder, "dominant_frame", "none" if coder == "cy" else "alarmist")
    store.set_doc_label(c, "ana", "frames_present", ("alarmist",))  # the others left it empty
    what, coded = coded_by(store, "agreed")
    assert what.startswith("the spans and values every coder")
    assert coded == {
        a: (
            ((0, 20, "policy_prescription"), (21, 35, "alarmist")),
            {"dominant_frame": "alarmist", "frames_present": ("alarmist", "policy_prescription")},
        ),
        c: (((14, 28, "alarmist"),), {}),
    }
    # one coder: the documents they marked done, all their labels
    assert set(coded_by(store, "ana")[1]) == {a, b, c}
    assert coded_by(store, "cy")[1] == {c: (((14, 28, "alarmist"),), {"dominant_frame": "none"})}
    assert coded_by(store, "ana")[1][c][1] == {
        "dominant_frame": "alarmist", "frames_present": ("alarmist",)
    }  # fmt: skip
    assert coded_by(store, "coder:ben")[1][a][0] == (
        (0, 20, "policy_prescription"), (21, 35, "alarmist"), (21, 35, "skeptical_of_alliance"),
        (36, 57, "skeptical_of_alliance"),
    )  # fmt: skip


@pytest.mark.slow
def test_training_is_deterministic_for_a_seed_and_trains_on_a_coder(tmp_path):
    store = Store(tmp_path / "labels.db")
    fill(store, synthetic_articles(30, seed=5), coder="ana")
    first = train(store, tmp_path / "a", "ana", 0.2, seed=7, epochs=2)
    second = train(store, tmp_path / "b", "ana", 0.2, seed=7, epochs=2)
    assert without(first, "seconds", "name") == without(second, "seconds", "name")
    assert first["n_train"] == 24 and first["source"] == "ana"
    other = train(store, tmp_path / "c", "ana", 0.2, seed=8, epochs=2)
    assert other["losses"] != first["losses"]
    meta_a = json.loads((tmp_path / "a" / "meta.json").read_text(encoding="utf-8"))
    meta_b = json.loads((tmp_path / "b" / "meta.json").read_text(encoding="utf-8"))
    assert meta_a[META_KEY] == meta_b[META_KEY]
    assert (tmp_path / "a" / "spancat" / "model").read_bytes() == (
        tmp_path / "b" / "spancat" / "model"
    ).read_bytes()
    store.close()


@pytest.mark.slow
def test_cli_json_and_table(tmp_path):
    db = tmp_path / "labels.db"
    store = Store(db)
    ids = fill(store, synthetic_articles(20, seed=4, labels=("alarmist", "policy_prescription")))
    sample(store, ids[:4])
    store.close()
    runner = CliRunner()
    res = runner.invoke(
        cli, ["--db", str(db), "train", "-o", str(tmp_path / "m"), "--epochs", "1", "--json",
              "--include-reliability", "--seed", "3", "--name", "mine"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = res.stdout
    data = json.loads(lines)
    assert list(data)[:4] == ["n_train", "n_eval", "spans", "doc_fields"]
    assert (data["n_train"], data["n_eval"]) == (4 + 13, 3)
    assert set(data["spans"]) == {"precision", "recall", "f1", "n_gold", "n_predicted", "by_label"}
    assert set(data["spans"]["by_label"]) == {
        "alarmist", "skeptical_of_alliance", "policy_prescription"
    }  # fmt: skip
    assert set(data["spans"]["by_label"]["alarmist"]) == {
        "precision", "recall", "f1", "n_gold", "n_predicted"
    }  # fmt: skip
    assert set(data["doc_fields"]) == set(FIELDS)
    assert set(data["doc_fields"]["dominant_frame"]) == {"accuracy", "macro_f1", "n_eval"}
    assert data["reliability_in_training"] is True and data["n_reliability_excluded"] == 0
    assert data["name"] == "mine" and data["seed"] == 3 and data["epochs"] == 1
    assert data["warnings"] == [
        "span label 'skeptical_of_alliance' has no example in the training data: the model"
        " will not predict it"
    ]
    assert "Warning: span label 'skeptical_of_alliance'" in res.stderr
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "mine" and meta[META_KEY]["reliability_excluded"] is False
    assert meta[META_KEY]["n_reliability_in_training"] == 4

    # the human table, as a real process; a second run into the same folder is refused
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "train", "-o", str(tmp_path / "t"),
         "--epochs", "1", "--from", "gold"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    assert out[0].startswith("Trained 't' on 13 document(s) from gold (1 epochs, seed 0,")
    assert out[0].endswith("evaluated on 3 held-out; 4 reliability-sample document(s) left out.")
    assert out[1] == f"Model written to {tmp_path / 't'}"
    assert out[3].split() == ["spans", "precision", "recall", "f1", "gold", "predicted"]
    assert out[4].split()[0] == "all"
    assert "epoch 1/1" not in res.stderr  # progress only on a terminal
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "train", "-o", str(tmp_path / "t")],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        f"Error: {tmp_path / 't'}: the folder is not empty (it holds config.cfg); a model is"
        " written to a new or empty folder, never over other files"
    ]


def test_a_pipeline_is_saved_whole_into_an_empty_folder_and_named_from_it(tmp_path):
    import spacy

    from annotator.learn import name_from_folder, save_pipeline

    assert name_from_folder(tmp_path / "framing v2 (ana)") == "framing_v2__ana_"
    assert name_from_folder(tmp_path / "-.été") == "t_"
    assert name_from_folder(tmp_path / "___") == "model"
    assert name_from_folder(tmp_path / ("m" * 80)) == "m" * 64
    out = tmp_path / "empty"
    out.mkdir()
    nlp = spacy.blank("en")
    nlp.meta["name"] = "empty"
    assert save_pipeline(nlp, out) == out
    assert spacy.load(out).meta["name"] == "empty"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # no part folder left
    with pytest.raises(AnnotatorError, match="the folder is not empty"):
        save_pipeline(nlp, out)
    with pytest.raises(AnnotatorError, match="does not exist"):
        save_pipeline(nlp, tmp_path / "no" / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_spans_are_aligned_to_tokens_and_what_cannot_be_used_is_counted():
    from annotator.learn import TrainDoc, train_pipeline

    text = "Allies should coordinate new financial sanctions targeting Iran.   Then nothing."
    start = text.index("sanctions")
    docs = [
        TrainDoc(1, text, (
            (start + 1, start + 9, "policy_prescription"),  # "anctions": widened to the token
            (0, text.index("."), "policy_prescription"),  # whole tokens already
            (text.index("   ") + 1, text.index("   ") + 2, "alarmist"),  # whitespace only
            (0, 6, "no_such_label"),
        ), {"dominant_frame": "policy_prescription", "frames_present": ("nonsense",)}),
    ]  # fmt: skip
    fields = {"dominant_frame": ("single", FIELDS["dominant_frame"])}
    fields["frames_present"] = ("multi", FIELDS["frames_present"])
    trained = train_pipeline(
        docs, [], lang="en", span_labels=("alarmist", "policy_prescription"),
        doc_fields=fields, epochs=1, seed=0,
    )  # fmt: skip
    assert trained.alignment == {
        "spans_expanded": 1,
        "spans_dropped": 1,
        "spans_unknown_label": 1,
        "values_unknown_option": 1,
        "spans_too_long": 0,
    }
    assert trained.suggester == (1, 8)  # "sanctions" to "Allies ... Iran" (8 tokens)
    assert trained.evaluation["spans"]["f1"] is None  # nothing held out: undefined
    assert trained.evaluation["doc_fields"]["dominant_frame"] == {
        "accuracy": None, "macro_f1": None, "n_eval": 0
    }  # fmt: skip

"""Review 19: the start-up cuts in the core (records without dataclasses, the settings'
caches as Python literals, json imported where used); each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from annotator import scheme as S
from annotator.ingest import import_paths
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture
def seeded(tmp_path) -> Path:
    path = tmp_path / "labels.db"
    with Store(path) as store:
        import_paths(store, [SEEDS])
    return path


@pytest.fixture(autouse=True)
def forget():
    S._REMEMBERED.clear()
    yield
    S._REMEMBERED.clear()


def _text_and_scheme(db: Path):
    with Store(db) as s:
        return s.scheme_version_toml(s.scheme_versions()[-1]), s.scheme


def _hostile(tables):
    labels = tables["span_labels"]
    first = dict(labels[0])
    return {
        "tuple": dict(tables, span_labels=tuple(labels)),
        "set": dict(tables, span_labels={1, 2}),
        "bytes": dict(tables, name=b"x"),
        "non-str key": {**tables, 1: 2},
        "complex colour": dict(tables, span_labels=[{**first, "color": 1j}, *labels[1:]]),
        "other name": dict(tables, name="Hijacked"),
    }


def test_a_cache_whose_tables_do_not_match_its_text_is_not_trusted(seeded):
    """The settings' ``scheme/parsed`` holds the database's TOML text with other tables
    (edited by hand, another version): the database did not open (SchemeError, so the
    window did not start) or showed another codebook than its own. Now the tables are
    bound to the text by a check sum and the text decides."""
    text, parsed = _text_and_scheme(seeded)
    for what, tables in _hostile(tomllib.loads(text)).items():
        S._REMEMBERED.clear()
        S.remember_toml(repr((text, tables)))
        _, scheme = _text_and_scheme(seeded)
        assert scheme == parsed, what


def test_tables_that_make_no_scheme_are_parsed_from_the_text(seeded):
    """Even tables taken as the text's (a check sum made to match them) that make no
    valid scheme do not stop the database from opening: the text is parsed."""
    text, parsed = _text_and_scheme(seeded)
    for what, tables in _hostile(tomllib.loads(text)).items():
        if what == "other name":
            continue  # a valid scheme: only the check sum tells it apart
        S._REMEMBERED.clear()
        S._REMEMBERED[text] = tables
        _, scheme = _text_and_scheme(seeded)
        assert scheme == parsed, what


def test_the_stored_cache_round_trips_and_an_edit_breaks_it(seeded):
    text, parsed = _text_and_scheme(seeded)
    stored = S.toml_as_literal(text)
    assert stored is not None and S.remember_toml(stored) == text
    assert S._REMEMBERED[text] == tomllib.loads(text)
    S._REMEMBERED.clear()
    edited = stored.replace(repr(parsed.name), repr("Hijacked"), 1)
    assert edited != stored
    assert S.remember_toml(edited) is None


@pytest.mark.parametrize("bad", ["#-12345", "#+fffff", "# 12345", "#1_2345", "#12345\n"])
def test_a_cached_palette_with_a_colour_qt_cannot_read_is_not_taken(seeded, bad):
    """``palette/derived`` edited by hand: ``int(v, 16)`` took "#-12345", "#+fffff",
    "# 12345" and "#1_2345" as colours (a span filled with an invalid QColor)."""
    import ast

    from annotator import colours as C

    _, scheme = _text_and_scheme(seeded)
    labels = tuple((lab.name, lab.color) for lab in scheme.span_labels)
    good = C.palette_to_literal(labels, C._derive_palette(labels, C.PAGE, C.TEXT))
    assert C.palette_from_literal(good, labels) is not None
    d = ast.literal_eval(good)
    d["labels"][0][2] = bad  # the first label's fill
    assert C.palette_from_literal(repr(d), labels) is None
    d = ast.literal_eval(good)
    d["selection"][0] = bad
    assert C.palette_from_literal(repr(d), labels) is None


def _twin(cls):
    """A real ``@dataclass(frozen=True)`` with ``cls``'s fields and defaults."""
    import dataclasses

    spec = [
        (f.name, object)
        if f.default is dataclasses.MISSING
        else (f.name, object, dataclasses.field(default=f.default))
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(f"{cls.__name__}Twin", spec, frozen=True)


def test_records_replace_does_what_dataclasses_replace_does():
    """Held (a property test): ``records.replace`` on a record and ``dataclasses.replace``
    on a real frozen dataclass twin give the same fields, refuse the same names, and the
    record's ``fields``/``astuple``/``asdict``/copies/pickle agree."""
    import copy
    import dataclasses
    import pickle

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from annotator.models import Span
    from annotator.records import replace

    names = [f.name for f in dataclasses.fields(Span)]
    Twin = _twin(Span)
    value = st.one_of(st.integers(), st.text(max_size=5), st.none())

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(value, min_size=len(names), max_size=len(names)),
        st.dictionaries(st.sampled_from([*names, "nope"]), value, max_size=4),
    )
    def check(values, changes):
        span, twin = Span(*values), Twin(*values)
        assert dataclasses.astuple(span) == dataclasses.astuple(twin)
        assert dataclasses.asdict(span) == dataclasses.asdict(twin)
        if "nope" in changes:
            with pytest.raises(TypeError):
                replace(span, **changes)
            with pytest.raises(TypeError):
                dataclasses.replace(twin, **changes)
            return
        got = replace(span, **changes)
        assert type(got) is Span
        assert dataclasses.astuple(got) == dataclasses.astuple(dataclasses.replace(twin, **changes))
        assert dataclasses.replace(span, **changes) == got
        for same in (copy.copy(got), copy.deepcopy(got), pickle.loads(pickle.dumps(got))):
            assert same == got and hash(same) == hash(got)

    check()
    from annotator.records import FrozenRecord, MutableRecord, Record

    assert not any(map(dataclasses.is_dataclass, (FrozenRecord, MutableRecord, Record)))

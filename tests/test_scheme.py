"""The framing scheme: the shipped default, and refusal of malformed scheme files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError, SchemeError
from annotator.scheme import (
    DocField,
    Scheme,
    SpanLabel,
    default_scheme_path,
    extend_scheme,
    load_scheme,
    parse_scheme,
    scheme_to_toml,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")

GOOD = """\
name = "test-scheme"
version = 2

[[span_labels]]
name = "alarmist"
key = "1"
color = "#D62728"
description = "  Threat language.  "

[[span_labels]]
name = "skeptic-2"
key = "s"
color = "#1f77b4"

[[doc_fields]]
name = "dominant_frame"
kind = "single"
options = ["alarmist", "none"]
description = "One frame."

[[doc_fields]]
name = "frames_present"
kind = "multi"
options = ["alarmist"]
"""


def bad(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


# --- the default scheme ------------------------------------------------------------


@pytest.fixture(scope="module")
def default():
    return load_scheme()


def test_default_scheme_loads(default):
    assert default_scheme_path().name == "labels.toml"
    assert default.name == "alliance-framing"
    assert default.version >= 1
    assert default.label_names == LABELS
    assert [lab.key for lab in default.span_labels] == ["1", "2", "3"]
    assert len({lab.color for lab in default.span_labels}) == 3
    for lab in default.span_labels:
        assert re.fullmatch(r"#[0-9a-f]{6}", lab.color)
        assert lab.description
    assert default.field_names == ("dominant_frame", "frames_present")
    dom = default.field("dominant_frame")
    assert dom.kind == "single" and dom.options == (*LABELS, "none")
    fp = default.field("frames_present")
    assert fp.kind == "multi" and fp.options == LABELS
    assert default.source_toml == (ROOT / "resources" / "labels.toml").read_text("utf-8")
    assert parse_scheme(default.source_toml) == default


def test_default_scheme_is_the_repository_file(default):
    assert load_scheme(ROOT / "resources" / "labels.toml") == default


@pytest.mark.parametrize("label", LABELS)
def test_codebook_example_is_quoted_verbatim_from_a_seed(default, label):
    desc = default.label(label).description
    examples = re.findall(r'Example: "(.+?)"\s*$', desc, re.S)
    assert len(examples) == 1, desc
    quote = examples[0]
    assert "\n" not in quote and "  " not in quote
    assert len(quote.split()) >= 8
    seed_texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    assert len(seed_texts) == 5
    assert any(quote in t for t in seed_texts), quote


def test_lookups(default):
    assert default.label("alarmist").key == "1"
    assert default.label("nope") is None
    assert default.label_for_key("3").name == "policy_prescription"
    assert default.label_for_key("9") is None
    s = parse_scheme(GOOD)
    assert s.label_for_key("S").name == s.label_for_key("s").name == "skeptic-2"
    assert default.field("nope") is None


# --- parsing valid schemes ----------------------------------------------------------


def test_parse_good_scheme():
    s = parse_scheme(GOOD, "good.toml")
    assert isinstance(s, Scheme)
    assert s.name == "test-scheme" and s.version == 2
    assert s.span_labels == (
        SpanLabel("alarmist", "1", "#d62728", "Threat language."),
        SpanLabel("skeptic-2", "s", "#1f77b4", ""),
    )
    assert s.doc_fields == (
        DocField("dominant_frame", "single", ("alarmist", "none"), "One frame."),
        DocField("frames_present", "multi", ("alarmist",), ""),
    )
    assert s.source_toml == GOOD


def test_version_defaults_to_one_and_fields_or_labels_may_be_absent():
    only_labels = GOOD.split("[[doc_fields]]")[0].replace("version = 2\n", "")
    s = parse_scheme(only_labels)
    assert s.version == 1 and s.doc_fields == ()
    only_fields = 'name = "x"\n[[doc_fields]]\nname = "f"\nkind = "multi"\noptions = ["a"]\n'
    assert parse_scheme(only_fields).span_labels == ()


def test_load_scheme_with_bom(tmp_path):
    p = tmp_path / "s.toml"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scheme(p).name == "test-scheme"


# --- refusing bad schemes ------------------------------------------------------------

BAD_CASES = [
    # (id, text, fragments that the message must contain)
    ("bad-toml", GOOD + "\nthis is = = not toml\n", ["invalid TOML"]),
    ("unterminated", 'name = "x', ["invalid TOML"]),
    ("no-name", bad('name = "test-scheme"\n', ""), ["name"]),
    ("blank-name", bad('name = "test-scheme"', 'name = "  "'), ["name"]),
    ("version-zero", bad("version = 2", "version = 0"), ["version"]),
    ("version-bool", bad("version = 2", "version = true"), ["version"]),
    ("version-str", bad("version = 2", 'version = "2"'), ["version"]),
    ("unknown-top", GOOD.replace("version = 2", "version = 2\ncolour = 1"), ["colour"]),
    ("nothing", 'name = "x"\n', ["no span labels"]),
    ("labels-not-array", 'name = "x"\nspan_labels = 3\n', ["span_labels"]),
    ("fields-not-array", 'name = "x"\n[doc_fields]\nname = "f"\n', ["doc_fields"]),
    ("dup-label", bad('name = "skeptic-2"', 'name = "alarmist"'), ["'alarmist'", "duplicate"]),
    ("dup-key", bad('key = "s"', 'key = "1"'), ["'skeptic-2'", "duplicate key", "'1'"]),
    ("long-key", bad('key = "s"', 'key = "ab"'), ["'skeptic-2'", "key"]),
    ("empty-key", bad('key = "s"', 'key = ""'), ["'skeptic-2'", "key"]),
    ("space-key", bad('key = "s"', 'key = " "'), ["'skeptic-2'", "key"]),
    ("int-key", bad('key = "s"', "key = 2"), ["'skeptic-2'", "key"]),
    ("no-key", bad('key = "s"\n', ""), ["'skeptic-2'", "key"]),
    # Qt binds `a` and `A` to one key ("Ambiguous shortcut overload": neither works).
    (
        "case-dup-key",
        bad('key = "1"', 'key = "S"'),
        ["'skeptic-2'", "duplicate key", "ignore case"],
    ),
    # keys review mode and the window use themselves
    *[
        (f"reserved-{k}", bad('key = "s"', f'key = "{k}"'), ["'skeptic-2'", "reserved", "review"])
        for k in "AaRrEeJjKkNnPpGgDd"
    ],
    # keys Qt cannot bind as one key, or binds to another one
    *[
        (f"unbindable-{i}", bad('key = "s"', f'key = "{k}"'), ["'skeptic-2'", "key", "ASCII"])
        for i, k in enumerate(["😀", "İ", "ı", "é", "ß", "\\u00a0", "\\t"])
    ],
    (
        "huge-version",
        bad("version = 2", "version = 9223372036854775807"),
        ["version", "2147483647"],
    ),
    ("negative-version", bad("version = 2", "version = -9223372036854775808"), ["version"]),
    ("float-version", bad("version = 2", "version = nan"), ["version"]),
    ("many-digits", bad("version = 2", "version = " + "9" * 5000), ["invalid TOML", "digits"]),
    ("many-digits-desc", GOOD + "\n[x]\ny = -" + "1" * 4301 + "\n", ["invalid TOML", "digits"]),
    ("deep-array", "name = 'x'\nv = " + "[" * 5000 + "]" * 5000, ["invalid TOML", "nested"]),
    ("deep-table", "name = 'x'\nv = " + "{a=" * 5000 + "}" * 5000, ["invalid TOML", "nested"]),
    ("bad-color-name", bad('color = "#1f77b4"', 'color = "blue"'), ["'skeptic-2'", "color"]),
    ("bad-color-short", bad('color = "#1f77b4"', 'color = "#fff"'), ["'skeptic-2'", "color"]),
    ("bad-color-hex", bad('color = "#1f77b4"', 'color = "#1g77b4"'), ["'skeptic-2'", "color"]),
    ("bad-color-nohash", bad('color = "#1f77b4"', 'color = "1f77b4"'), ["'skeptic-2'", "color"]),
    ("no-color", bad('color = "#1f77b4"\n', ""), ["'skeptic-2'", "color"]),
    ("upper-name", bad('name = "skeptic-2"', 'name = "Skeptic"'), ["span_labels[2]", "name"]),
    ("space-name", bad('name = "skeptic-2"', 'name = "a b"'), ["span_labels[2]", "name"]),
    ("empty-name", bad('name = "skeptic-2"', 'name = ""'), ["span_labels[2]", "name"]),
    (
        "unknown-label-key",
        bad('key = "s"', 'key = "s"\nhotkey = "b"'),
        ["span_labels[2]", "hotkey"],
    ),
    ("desc-not-str", bad('description = "One frame."', "description = 3"), ["dominant_frame"]),
    (
        "unknown-kind",
        bad('kind = "single"', 'kind = "radio"'),
        ["'dominant_frame'", "kind", "radio"],
    ),
    ("no-kind", bad('kind = "single"\n', ""), ["'dominant_frame'", "kind"]),
    (
        "empty-options",
        bad('options = ["alarmist"]', "options = []"),
        ["'frames_present'", "options"],
    ),
    ("no-options", bad('options = ["alarmist"]\n', ""), ["'frames_present'", "options"]),
    ("options-str", bad('options = ["alarmist"]', 'options = "alarmist"'), ["'frames_present'"]),
    ("blank-option", bad('options = ["alarmist"]', 'options = [" "]'), ["'frames_present'"]),
    ("int-option", bad('options = ["alarmist"]', "options = [1]"), ["'frames_present'"]),
    (
        "dup-option",
        bad('options = ["alarmist"]', 'options = ["alarmist", "alarmist"]'),
        ["'frames_present'", "duplicate", "alarmist"],
    ),
    (
        "dup-field",
        bad('name = "frames_present"', 'name = "dominant_frame"'),
        ["'dominant_frame'", "duplicate"],
    ),
    ("field-bad-name", bad('name = "frames_present"', 'name = "Frames"'), ["doc_fields[2]"]),
]


@pytest.mark.parametrize(
    ("text", "fragments"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_scheme_is_refused_with_one_line_message(text, fragments):
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "my/scheme.toml")
    msg = str(info.value)
    assert msg.startswith("my/scheme.toml: "), msg
    assert "\n" not in msg and "\r" not in msg, msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert isinstance(info.value, AnnotatorError)


@pytest.mark.parametrize("where", ["test-scheme", "Threat", "One frame", '"none'])
def test_lone_surrogate_in_text_given_directly_is_refused(where):
    # tomllib refuses the escape "\\ud800", but parse_scheme also takes text from a database
    # or a caller; a lone surrogate cannot be stored or written as UTF-8 later.
    text = GOOD.replace(where, where + "\ud800", 1)
    assert "\ud800" in text
    with pytest.raises(SchemeError, match=r"^s\.toml: .*surrogate") as info:
        parse_scheme(text, "s.toml")
    assert "\n" not in str(info.value)


def test_escaped_lone_surrogate_in_a_file_is_one_line(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(bad('options = ["alarmist"]', 'options = ["\\ud800"]'), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"s\.toml: invalid TOML"):
        load_scheme(p)


def test_every_allowed_key_but_the_reserved_ones_is_accepted_once():
    from annotator.scheme import ALLOWED_KEYS, RESERVED_KEYS, key_id

    keys = sorted(k for k in ALLOWED_KEYS if key_id(k) not in RESERVED_KEYS)
    assert "a" not in keys and "A" not in keys and "1" in keys and "!" in keys
    distinct = list({key_id(k): k for k in keys}.values())
    entries = [
        f'[[span_labels]]\nname = "l{i}"\nkey = {json.dumps(k)}\ncolor = "#000000"\n'
        for i, k in enumerate(distinct)
    ]
    s = parse_scheme('name = "all"\n' + "".join(entries), "all.toml")
    assert [lab.key for lab in s.span_labels] == distinct
    assert parse_scheme(scheme_to_toml(s)) == parse_scheme(scheme_to_toml(s))


def test_extend_scheme_hands_out_keys_that_collide_with_nothing(default):
    # Today the seventh added label got `a`, which is review mode's Accept.
    from annotator.scheme import RESERVED_KEYS, key_id

    names = [f"added_{i}" for i in range(20)]
    ext = extend_scheme(default, 2, labels=names)
    keys = [lab.key for lab in ext.span_labels]
    assert len(keys) == 23
    assert len({key_id(k) for k in keys}) == len(keys)
    assert not {key_id(k) for k in keys} & set(RESERVED_KEYS), keys
    # also against a scheme with letter keys of its own, in the other case
    mixed = parse_scheme(
        'name = "m"\n[[span_labels]]\nname = "x"\nkey = "B"\ncolor = "#000000"\n'
        '[[span_labels]]\nname = "y"\nkey = "4"\ncolor = "#000000"\n',
        "m.toml",
    )
    more = extend_scheme(mixed, 2, labels=names)
    assert [lab.key for lab in more.span_labels][2:8] == ["5", "6", "7", "8", "9", "c"]


def test_import_labels_add_labels_gives_the_seventh_label_a_free_key(tmp_path):
    from annotator.labels_import import import_label_files
    from annotator.scheme import check_key
    from annotator.store import Store

    lines = [
        json.dumps(
            {
                "text": "One two three four five six seven eight.",
                "spans": [{"start": 0, "end": 3, "label": f"new_{i}"} for i in range(7)],
                "answer": "accept",
                "_annotator_id": "ana",
            }
        )
    ]
    src = tmp_path / "labels.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(tmp_path / "t.db") as store:
        results = import_label_files(store, [src], add_labels=True)
        assert results[0].errors == [], results
        keys = {lab.name: lab.key for lab in store.scheme.span_labels}
    assert keys["new_6"] not in ("a", "A"), keys
    assert all(check_key(k) is None for k in keys.values()), keys


def test_load_scheme_names_the_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text(bad('color = "#1f77b4"', 'color = "#12345"'), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"broken\.toml: span label 'skeptic-2': color"):
        load_scheme(p)


def test_load_scheme_missing_or_not_utf8(tmp_path):
    with pytest.raises(SchemeError, match="nope.toml: cannot read"):
        load_scheme(tmp_path / "nope.toml")
    p = tmp_path / "latin.toml"
    p.write_bytes(GOOD.replace("Threat", "M\xe9nace").encode("latin-1"))
    with pytest.raises(SchemeError, match="latin.toml: .*not UTF-8"):
        load_scheme(p)
    with pytest.raises(SchemeError, match="cannot read"):
        load_scheme(tmp_path)  # a folder


def test_load_scheme_refuses_devices_fifos_huge_and_utf16_files(tmp_path):
    import os

    with pytest.raises(SchemeError, match="zero: cannot read scheme: not a regular file"):
        load_scheme("/dev/zero")  # used to read until memory ran out
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(SchemeError, match="not a regular file"):
        load_scheme(fifo)  # used to block forever in open()
    big = tmp_path / "big.toml"
    big.write_bytes(GOOD.encode() + b"#" * (10 * 2**20))
    with pytest.raises(SchemeError, match=r"big\.toml: scheme file larger than 10 MB"):
        load_scheme(big)
    wide = tmp_path / "wide.toml"
    wide.write_bytes(GOOD.encode("utf-16"))
    with pytest.raises(SchemeError, match=r"wide\.toml: scheme is UTF-16"):
        load_scheme(wide)


# --- bugs: values with a trailing newline / unprintable keys are accepted ------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(bad('color = "#1f77b4"', 'color = "#1f77b4\\n"'), id="color-newline"),
        pytest.param(bad('name = "skeptic-2"', 'name = "skeptic-2\\n"'), id="label-name-newline"),
        pytest.param(
            bad('name = "frames_present"', 'name = "frames_present\\n"'), id="field-name-newline"
        ),
    ],
)
def test_trailing_newline_is_not_a_valid_name_or_color(text):
    # NAME_RE / COLOR_RE use "$", which also matches before a final "\n".
    with pytest.raises(SchemeError):
        parse_scheme(text, "s.toml")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("\\n", id="newline"),
        pytest.param("\\r", id="cr"),
        pytest.param("\\u0007", id="bell"),
        pytest.param("\\u200b", id="zero-width-space"),
    ],
)
def test_key_must_be_printable(key):
    # The message promises "a single printable character".
    with pytest.raises(SchemeError, match="key"):
        parse_scheme(bad('key = "s"', f'key = "{key}"'), "s.toml")


def test_unknown_top_level_key_message_stays_on_one_line():
    text = '"bad\\nkey" = 1\n' + GOOD  # a quoted TOML key holding a newline
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "s.toml")
    assert "\n" not in str(info.value), str(info.value)


def test_shipped_resources_are_found():
    from annotator.scheme import resource_path

    assert resource_path("labels.toml") is not None
    icon = resource_path("icons/annotator.svg")
    assert icon is not None and icon.read_text(encoding="utf-8").startswith("<svg")
    assert resource_path("no-such-file") is None


_any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    name=_any_text.filter(lambda t: t.strip()),
    description=_any_text,
    options=st.lists(_any_text.filter(lambda t: t.strip()), min_size=1, max_size=4, unique=True),
)
def test_scheme_to_toml_round_trips_any_text(name, description, options):
    # DEL (U+007F) was written raw, which TOML refuses: extend_scheme then failed on an
    # option imported from a label file.
    s = Scheme(
        name.strip(),
        3,
        (SpanLabel("x", "1", "#000000", description.strip()),),
        (DocField("f", "multi", tuple(options), description.strip()),),
    )
    back = parse_scheme(scheme_to_toml(s), "round-trip")
    assert (back.name, back.span_labels, back.doc_fields) == (s.name, s.span_labels, s.doc_fields)


def test_extend_scheme_with_an_option_holding_del(default):
    ext = extend_scheme(default, 2, options={"dominant_frame": ["a\x7fb"]})
    assert ext.field("dominant_frame").options[-1] == "a\x7fb"


def test_extend_scheme_uses_every_free_key_before_giving_up(default):
    from annotator.scheme import ALLOWED_KEYS, RESERVED_KEYS, key_id

    free = {key_id(k) for k in ALLOWED_KEYS} - set(RESERVED_KEYS) - {"1", "2", "3"}
    ext = extend_scheme(default, 2, labels=[f"l{i}" for i in range(len(free))])
    assert {key_id(lab.key) for lab in ext.span_labels[3:]} == free
    with pytest.raises(SchemeError, match="no free hotkey left"):
        extend_scheme(default, 2, labels=[f"l{i}" for i in range(len(free) + 1)])


LEGACY = (
    'name = "old"\nversion = 1\n'
    '[[span_labels]]\nname = "x"\nkey = "a"\ncolor = "#000000"\n'
    '[[span_labels]]\nname = "y"\nkey = "A"\ncolor = "#000000"\n'
    '[[span_labels]]\nname = "z"\nkey = "é"\ncolor = "#000000"\n'
)


def test_a_scheme_stored_by_an_earlier_version_stays_readable(tmp_path):
    # Earlier versions accepted any printable key, unique as written. A database holding
    # such a scheme must still open (stats, export), not fail on its own scheme.
    from annotator.store import Store

    with pytest.raises(SchemeError, match="reserved"):
        parse_scheme(LEGACY, "old.toml")
    with pytest.raises(SchemeError, match="duplicate key"):
        parse_scheme(LEGACY.replace('"A"', '"a"'), "old.toml", stored=True)
    with Store(tmp_path / "old.db", scheme=parse_scheme(LEGACY, "old.toml", stored=True)):
        pass
    with Store(tmp_path / "old.db") as store:
        assert [lab.key for lab in store.scheme.span_labels] == ["a", "A", "é"]
        # --add-labels keeps the old keys and gives the new label a key free in any case
        ext = extend_scheme(store.scheme, 2, labels=["new"])
        assert [lab.key for lab in ext.span_labels] == ["a", "A", "é", "4"]

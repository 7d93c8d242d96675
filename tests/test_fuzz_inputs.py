"""Fuzz every reader: whatever a user or rubric author types, only an SpbeError escapes, and quickly.

Each strategy keeps the structure of a real file (an assessment, a batch, a
rubric, a crosswalk) and puts nasty values into it: numbers with huge
exponents, NaN and Infinity, deep nesting, booleans, empty strings, Unicode,
values of the wrong type, duplicate keys, byte order marks, semicolons for
commas, truncated text. A hang would show as an example over the time bound;
a real hang (stuck in C, where no signal handler runs) ends the process
with exit code 1 after WATCHDOG seconds (:func:`faulthandler.dump_traceback_later`),
so a run fails instead of stalling; run with ``-s`` to see the traceback.
"""

from __future__ import annotations

import contextlib
import csv
import faulthandler
import io
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from spbe_engine import CrosswalkError, Engine, RubricError, SpbeError
from spbe_engine.cli import main
from spbe_engine.inputs import read_assessment

from .rubric_helpers import engine_with, variant
from .test_crosswalks import PEMDI, _load

#: Each example must finish within this many seconds: the bound is about hangs, not speed.
BOUND = 10.0  # seconds: about hangs, not speed (a shared CI machine can be slow)
#: A reader stuck in C (int() of 10**999999999) cannot be interrupted: after this long the process
#: dumps every thread's traceback and exits, so a hang fails the run instead of stalling it.
WATCHDOG = 120
#: Half the profile's examples (30 by default, 100 under the ``ci`` profile): each example reads a file.
FUZZ = settings(
    max_examples=max(10, settings.default.max_examples // 2),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

INDICATORS = [f"I{n}" for n in range(1, 48)]
DOMAINS = ["D1", "D2", "D3", "D4"]
ALL_THREES = dict.fromkeys(INDICATORS, 3)

HUGE = [
    "1e999999999",
    "1E+999999999",
    "-1e-999999999",
    "9e9999999999999999",
    "9e999999999999999999999",
    "0e999999999",
    "1e-999999999",
]
DEPTHS = [2, 31, 32, 33, 300, 5000, 100_000]


@contextlib.contextmanager
def bounded_time() -> Iterator[None]:
    """Fail an example that takes longer than BOUND; end the process if one hangs in C."""
    # To the process's own stderr: capsys replaces sys.stderr with an object that has no file descriptor.
    faulthandler.dump_traceback_later(WATCHDOG, exit=True, file=sys.__stderr__)
    start = time.perf_counter()
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND, f"took {elapsed:.2f} s"


def refusal(action: Callable[[], object]) -> SpbeError | None:
    """Run ``action`` within the time bound; return the SpbeError it raised, if any (anything else fails)."""
    with bounded_time():
        try:
            action()
        except SpbeError as exc:
            note(f"refused: {exc}")
            return exc
    return None


def nested(opening: str, closing: str) -> st.SearchStrategy[str]:
    return st.sampled_from(DEPTHS).map(lambda n: opening * n + closing * n)


class Shown(str):
    """Generated file text whose repr stays short: Hypothesis prints a failing example, and a
    100,000-deep array would make that report an error of its own (an overly large repr)."""

    __slots__ = ()

    def __repr__(self) -> str:
        if len(self) <= 500:
            return str.__repr__(self)
        return f"{str.__repr__(self[:400])} ... ({len(self)} characters; the note shows more)"


def mangled(text: st.SearchStrategy[str]) -> st.SearchStrategy[Shown]:
    """Whole text, or with a byte order mark, truncated, or with garbage after it."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        value = draw(text)
        how = draw(st.sampled_from(["whole", "whole", "whole", "bom", "truncated", "garbage", "not-utf8"]))
        if how == "bom":
            return "\ufeff" + value
        if how == "truncated":
            return value[: draw(st.integers(0, len(value)))]
        if how == "garbage":
            return value + draw(st.sampled_from(["\n}", "\n[", "\x00", "\n\ufeff", "=", "\n[levels]\nI1 = 3\n"]))
        if how == "not-utf8":  # written with surrogatepass: bytes that are not UTF-8
            return value[: draw(st.integers(0, len(value)))] + "\udcff" + value[-3:]
        return value

    return build().map(Shown)


# -- JSON --------------------------------------------------------------------------------------

JSON_NUMBERS = st.one_of(
    st.sampled_from([*HUGE, "NaN", "Infinity", "-Infinity", "1" * 5000, "1" * 25, "0." + "0" * 30 + "1", "-0"]),
    st.sampled_from(["3", "2.5", "3.0", "1e2", "2.00", "1.88", "0", "-1", "6"]),
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
JSON_OTHER = st.one_of(
    st.sampled_from(["true", "false", "null", '""', '"3"', '" 3 "', '"tiga"', '"\\ud800"', '"2,5"', '"1/3"']),
    st.sampled_from(["[]", "{}", "[3]", '{"a": 1}', '"\\u0000"', '"９"', '"²"', '"١"']),
    st.text(max_size=20).map(json.dumps),
    nested("[", "]"),
    nested('{"a": ', "}").map(lambda text: text.replace("}", "1}", 1) if "}" in text else text),
)
JSON_VALUES = st.one_of(JSON_NUMBERS, JSON_NUMBERS, JSON_OTHER)
KEYS = st.one_of(
    st.sampled_from([*INDICATORS[:3], "I47", "i5", " I6 ", "I48", "D1", "d2", "A1", "I1-1", "", "year", "levels"]),
    st.text(max_size=10),
)


def json_object(members: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in members) + "}"


@st.composite
def score_table(
    draw: st.DrawFn, literals: st.SearchStrategy[str], valid: Callable[[str], str]
) -> list[tuple[str, str]]:
    """A full table of valid levels or domain values, with a few entries replaced, added or repeated."""
    ids = INDICATORS if draw(st.booleans()) else DOMAINS
    table = {key: valid(key) for key in ids} if draw(st.booleans()) else {}
    for key, value in draw(st.lists(st.tuples(st.one_of(st.sampled_from(ids), KEYS), literals), max_size=4)):
        table[key] = value
    members = list(table.items())
    if members and draw(st.booleans()):
        members.append(draw(st.sampled_from(members)))  # a duplicate key
    return members


def _json_valid(key: str) -> str:
    return "3" if key.startswith("I") else "2.00"


@st.composite
def json_assessments(draw: st.DrawFn) -> str:
    members: list[tuple[str, str]] = []
    if draw(st.booleans()):
        members.append(("year", draw(st.one_of(st.just("2024"), st.just("2022"), JSON_VALUES))))
    if draw(st.booleans()):
        members.append(("rubric", draw(st.one_of(st.just('"spbe-2024"'), JSON_VALUES))))
    table = json_object(draw(score_table(JSON_VALUES, _json_valid)))
    members.append((draw(st.sampled_from(["levels", "domains", "aggregates", "levle"])), table))
    if draw(st.booleans()):
        members.append(("metadata", json_object(draw(st.lists(st.tuples(KEYS, JSON_VALUES), max_size=3)))))
    if draw(st.booleans()):
        members.append(("instansi", draw(JSON_VALUES)))
    return json_object(members)


# -- TOML --------------------------------------------------------------------------------------

TOML_VALUES = st.one_of(
    st.sampled_from([*HUGE, "nan", "+inf", "-inf", "1" * 5000, "1" * 25, "0." + "0" * 30 + "1", "1_000", "0x1F"]),
    st.sampled_from(["3", "2.5", "3.0", "1e2", "2.00", "1.88", "-1", "6", "true", "false", '""', '"3"', "'tiga'"]),
    st.sampled_from(["1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", '"\\u0000"', '"""x"""', "[]", "{}", "[3]"]),
    st.sampled_from(["{a = 1}", '"2,5"', '"1/3"', '"1/0"', '"９"', '"²"', "1979-02-30", "0o17", "0b11"]),
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=20).map(json.dumps),
    nested("[", "]"),
    nested("{a = ", "}").map(lambda text: text.replace("}", "1}", 1) if "}" in text else text),
)
TOML_KEYS = st.one_of(
    st.sampled_from(["I1", "I47", "i5", "I48", "D1", "d2", "A1", '"I 1"', '""', "a.b", "I1.x"]),
    st.sampled_from([5000, 40]).map(lambda n: "a" + ".a" * n),
    st.text(max_size=10).map(json.dumps),
)


SPBE_2024 = '"spbe-2024"'


def _toml_valid(key: str) -> str:
    return "3" if key.startswith("I") else "2.00"


@st.composite
def toml_assessments(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append(f"year = {draw(st.one_of(st.just('2024'), st.just('2022'), TOML_VALUES))}")
    if draw(st.booleans()):
        lines.append(f"rubric = {draw(st.one_of(st.just(SPBE_2024), TOML_VALUES))}")
    if draw(st.booleans()):
        lines.append(f"instansi = {draw(TOML_VALUES)}")
    lines.append(f"[{draw(st.sampled_from(['levels', 'domains', 'aggregates', 'levle']))}]")
    members = draw(score_table(TOML_VALUES, _toml_valid))
    lines += [f"{key if re.fullmatch(r'[A-Za-z0-9_-]+', key) else json.dumps(key)} = {value}" for key, value in members]
    if draw(st.booleans()):
        lines += [
            "[metadata]",
            *(f"{k} = {v}" for k, v in draw(st.lists(st.tuples(TOML_KEYS, TOML_VALUES), max_size=3))),
        ]
    return "\n".join(lines) + "\n"


# -- assessment files --------------------------------------------------------------------------


def _read_and_score(engine: Engine, path: Path) -> None:
    def action() -> None:
        assessment = read_assessment(path)
        note(f"read: {assessment!r}"[:2000])
        engine.score(assessment, partial=True)
        engine.score(assessment)

    error = refusal(action)
    assert error is None or str(error)


@FUZZ
@given(text=mangled(json_assessments()))
def test_json_assessment_files_refuse_cleanly(engine: Engine, text: str) -> None:
    """A JSON assessment file, however malformed, is read and scored or refused with one SpbeError."""
    note(f"file: {text[:2000]!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _read_and_score(engine, path)


@FUZZ
@given(text=mangled(toml_assessments()))
def test_toml_assessment_files_refuse_cleanly(engine: Engine, text: str) -> None:
    """A TOML assessment file, however malformed, is read and scored or refused with one SpbeError."""
    note(f"file: {text[:2000]!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _read_and_score(engine, path)


# -- batch files, through the command line -----------------------------------------------------

CELLS = st.one_of(
    st.sampled_from([*HUGE, "NaN", "inf", "", " ", "tiga", "3.0", "1" * 5000, "1" * 25, "0." + "0" * 30 + "1"]),
    st.sampled_from(["3", "1", "5", "6", "0", "-1", "2.00", "1.88", "2,5", "1/3", "true", "١", "²", "０", "=1+2"]),
    st.sampled_from(['"', ",", ";", "\n", "\r", '3"', "\x00", "\ufeff3", "2024", "spbe-2024", "nope"]),
    st.text(max_size=12),
)


@st.composite
def csv_batches(draw: st.DrawFn) -> str:
    ids = INDICATORS if draw(st.booleans()) else DOMAINS
    extra = draw(
        st.lists(st.one_of(st.sampled_from(["opd", "rubric", "year", "", "I1", "index", "status"]), KEYS), max_size=2)
    )
    header = ["instansi", "year", *ids, *extra]
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [
            "x",
            draw(st.sampled_from(["2024", "2022", "2023"])),
            *(_json_valid(i).strip('"') for i in ids),
            *["y"] * len(extra),
        ]
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(CELLS)
        if draw(st.integers(0, 5)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # a short row
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ",", ";"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
            [header, *rows]
        )
        return buffer.getvalue()
    return "\n".join(delimiter.join(row) for row in [header, *rows]) + "\n"  # no quoting at all


@st.composite
def jsonl_batches(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flat", "flat", "structured", "garbage", "blank"]))
        if kind == "flat":
            members = [("instansi", '"x"'), ("year", draw(st.one_of(st.just("2024"), st.just("2022"), JSON_VALUES)))]
            members += draw(score_table(JSON_VALUES, _json_valid))
            if draw(st.booleans()):
                members.append(("rubric", draw(st.one_of(st.just('"spbe-2024"'), JSON_VALUES))))
            lines.append(json_object(members))
        elif kind == "structured":
            lines.append(draw(json_assessments()))
        elif kind == "garbage":
            lines.append(draw(st.one_of(JSON_VALUES, st.text(max_size=20))).replace("\n", " "))
        else:
            lines.append("")
    return "\n".join(lines) + "\n"


def _batch(capsys: pytest.CaptureFixture[str], text: str, suffix: str, options: list[str]) -> None:
    note(f"file: {text[:3000]!r}, options {options}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"b{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with bounded_time():
            code = main(["batch", str(path), *options])
    _out, err = capsys.readouterr()
    note(f"exit {code}; stderr: {err[:2000]}")
    assert code in (0, 1, 2)
    assert "internal error" not in err and "Traceback" not in err


BATCH_OPTIONS = st.lists(
    st.sampled_from(["--json", "--partial", "--rubric=spbe-2024", "--rubric=spbe-2021"]), unique=True
)


@FUZZ
@given(text=mangled(csv_batches()), options=BATCH_OPTIONS)
def test_csv_batches_exit_cleanly(capsys: pytest.CaptureFixture[str], text: str, options: list[str]) -> None:
    """``spbe batch`` on any CSV ends with exit 0, 1 or 2 and never an internal error."""
    _batch(capsys, text, ".csv", options)


@FUZZ
@given(text=mangled(jsonl_batches()), options=BATCH_OPTIONS)
def test_json_lines_batches_exit_cleanly(capsys: pytest.CaptureFixture[str], text: str, options: list[str]) -> None:
    """``spbe batch`` on any JSON Lines file ends with exit 0, 1 or 2 and never an internal error."""
    _batch(capsys, text, ".jsonl", options)


# -- rubric files ------------------------------------------------------------------------------


def _replace_nth(pattern: str, replacement: str) -> st.SearchStrategy[Callable[[str], str]]:
    """An edit replacing the n-th match of ``pattern`` (a regex) by ``replacement``."""

    def edit(n: int) -> Callable[[str], str]:
        def apply(text: str) -> str:
            matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
            if not matches:
                return text
            match = matches[n % len(matches)]
            return text[: match.start()] + replacement + text[match.end() :]

        return apply

    return st.integers(0, 200).map(edit)


def _rubric_edits() -> st.SearchStrategy[Callable[[str], str]]:
    value = TOML_VALUES
    return st.one_of(
        value.flatmap(lambda v: _replace_nth(r"^weight = \S+", f"weight = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^(lower|upper) = \S+", f"lower = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^places = \d+", f"places = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^mode = "\w+"', f"mode = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^predikat_on = "\w+"', f"predikat_on = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^years = \[.*\]", f"years = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^(parent|scale|name|kind) = "[^"]*"', f"parent = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^schema = 1", f"schema = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^\d = \{", f"{v} = {{")),
        value.map(lambda v: lambda text: text + f"\n[meta]\nx = {v}\n"),
        value.map(lambda v: lambda text: text + f"\n[remove]\nindicators = [{v}]\n"),
        st.one_of(value, st.sampled_from(['"../spbe-2021.toml"', '"a\\u0000b"', '"."', '"missing.toml"'])).flatmap(
            lambda v: _replace_nth(r'^id = "test-2021"', f'id = "test-2021"\ncriteria = {v}')
        ),
        st.sampled_from(['"nope"', '"test-2021"', '"spbe-2024"', "3", "[1]"]).flatmap(
            lambda v: _replace_nth(r'^id = "test-2021"', f'id = "test-2021"\nextends = {v}')
        ),
        st.sampled_from(["a", '"a b"']).map(
            lambda key: lambda text: text + f"\n[meta]\n{key}" + ".a" * 5000 + " = 1\n"
        ),
    )


@FUZZ
@given(edits=st.lists(_rubric_edits(), min_size=1, max_size=3), bom=st.booleans(), cut=st.none() | st.integers(0, 9000))
def test_rubric_files_refuse_cleanly(edits: list[Callable[[str], str]], bom: bool, cut: int | None) -> None:
    """A rubric file with nasty values loads and scores, or is refused with one SpbeError naming the file."""

    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return ("\ufeff" if bom else "") + (text if cut is None else text[:cut])

    with tempfile.TemporaryDirectory() as tmp:
        path = variant(Path(tmp), edit)
        note(f"file: {path.read_text(encoding='utf-8')[:3000]!r}")

        def action() -> None:
            engine = engine_with(path)
            engine.rubric("test-2021")
            engine.criteria("test-2021")
            engine.score(ALL_THREES, rubric="test-2021")

        error = refusal(action)
    # A rubric fault names the rubric file (or its criteria file, beside it); an assessment the
    # rubric no longer fits is an InputError.
    assert not isinstance(error, RubricError) or (error.file or "").startswith(tmp)


# -- crosswalk files ---------------------------------------------------------------------------


def _crosswalk_edits() -> st.SearchStrategy[Callable[[str], str]]:
    value = TOML_VALUES
    return st.one_of(
        value.flatmap(lambda v: _replace_nth(r"^sources = \[.*\]", f"sources = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^combine = "\w+"', f"combine = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^level_rounding = "\w+"', f"level_rounding = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^mark = "\w+"', f"mark = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^basis = "[^"]*"', f"basis = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^reason = "[^"]*"', f"reason = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^schema = 1", f"schema = {v}")),
        value.flatmap(lambda v: _replace_nth(r'^(from|to) = "[^"]*"', f"to = {v}")),
        value.flatmap(lambda v: _replace_nth(r"^notes = \[", f"notes = {v}\nxnotes = [")),
        st.lists(value, min_size=1, max_size=4).flatmap(
            lambda ws: _replace_nth(r'^combine = "mean"', f'combine = "weighted"\nweights = [{", ".join(ws)}]')
        ),
        value.map(lambda v: lambda text: text + f"\n[targets.I1.extra]\nx = {v}\n"),
    )


@FUZZ
@given(edits=st.lists(_crosswalk_edits(), min_size=1, max_size=3), cut=st.none() | st.integers(0, 20_000))
def test_crosswalk_files_refuse_cleanly(edits: list[Callable[[str], str]], cut: int | None) -> None:
    """A crosswalk file with nasty values loads, or is refused with one SpbeError naming the file."""
    # test-2021 is the plugin's own rubric: a crosswalk between two official rubrics belongs to spbe-engine alone.
    text = PEMDI.read_text(encoding="utf-8").replace('from = "spbe-2024"', 'from = "test-2021"')
    for edit in edits:
        text = edit(text)
    if cut is not None:
        text = text[:cut]
    note(f"file: {text[:3000]!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "test-2021__pemdi-2026.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        error = refusal(lambda: _load(path))
    assert error is None or (isinstance(error, CrosswalkError) and error.file == str(path))

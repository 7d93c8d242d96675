"""Every reader refuses out-of-bounds input at once, with one error naming file, field, value and what is allowed.

The named cases of "inputs that cannot hang or crash it": numbers written with
huge exponents (whose exact value would take hours and gigabytes to build),
documents nested thousands deep, rubric files whose ``extends`` is unknown or
circular, and the same for crosswalk files.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from spbe_engine import Assessment, CrosswalkError, Engine, InputError, RubricError
from spbe_engine._numbers import OutOfBoundsError, parse_decimal, parse_exact
from spbe_engine.cli import main
from spbe_engine.inputs import read_assessment

from .rubric_helpers import FilePlugin, engine_with, variant, write_rubric
from .test_crosswalks import _load, _variant

BOUNDS = "allowed: a decimal number with at most 20 digits before the decimal point and 20 after it"
DEEP = "nested too deeply; allowed: at most 32 levels of nested tables and arrays"
HUGE = ["1e999999999", "1E+999999999", "-1e-999999999", "9e9999999999999999", "9e999999999999999999999"]
DOMAINS = {"D1": "2.00", "D2": "1.00", "D3": "1.00", "D4": "1.88"}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- huge exponents ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", HUGE)
def test_huge_exponent_as_a_toml_level_or_domain_is_refused_by_field(tmp_path: Path, number: str) -> None:
    """A TOML float with a huge exponent is refused as written, naming the table and key."""
    path = tmp_path / "a.toml"
    path.write_text(f"year = 2024\n[levels]\nI1 = {number}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_assessment(path)
    assert str(info.value) == f"{path}: levels.I1: number out of range (got {number!r}); {BOUNDS}"
    path.write_text(f"year = 2022\n[domains]\nD1 = {number}\nD2 = 1.00\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"domains\.D1: number out of range"):
        read_assessment(path)


@pytest.mark.parametrize("number", HUGE)
def test_huge_exponent_as_a_json_level_or_domain_is_refused_by_field(tmp_path: Path, number: str) -> None:
    """A JSON number with a huge exponent is refused as written, naming its key path."""
    path = tmp_path / "a.json"
    path.write_text(f'{{"year": 2022, "domains": {{"D1": {number}, "D2": 1}}}}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_assessment(path)
    assert str(info.value) == f"{path}: domains.D1: number out of range (got {number!r}); {BOUNDS}"


@pytest.mark.parametrize("number", ["1" + "0" * 20, "0." + "0" * 20 + "1", "1" * 30 + ".5"])
def test_a_published_value_with_too_many_digits_is_refused_when_scored(engine: Engine, number: str) -> None:
    """Text (a CSV cell, a quoted value) beyond the bounds is refused by the scorer, naming the domain."""
    with pytest.raises(InputError) as info:
        engine.score(Assessment(year=2022, aggregates={**DOMAINS, "D1": number}))
    assert str(info.value) == (
        f"D1: number out of range (got {number!r}); allowed: a published value such as 3.45, "
        "with at most 20 digits before the decimal point and 20 after it"
    )


@pytest.mark.parametrize("number", HUGE[:4])
def test_a_huge_decimal_given_through_the_api_is_refused_not_expanded(engine: Engine, number: str) -> None:
    """An out-of-bounds Decimal passed by an embedder is refused as a level and as a domain value."""
    with pytest.raises(InputError, match="number out of range"):
        engine.score(Assessment(year=2022, aggregates={**DOMAINS, "D1": Decimal(number)}))
    with pytest.raises(InputError, match="whole number"):
        engine.score({"I1": Decimal(number)}, rubric="spbe-2024")


def test_text_with_an_exponent_is_not_a_decimal(engine: Engine) -> None:
    """Decimal text never has an exponent: '9e9999999999999999' is refused before any conversion."""
    with pytest.raises(InputError, match=r"D1: must be a decimal number \(got '9e9999999999999999'\)"):
        engine.score(Assessment(year=2022, aggregates={**DOMAINS, "D1": "9e9999999999999999"}))


def test_number_bounds() -> None:
    """parse_decimal and parse_exact keep the documented bounds, however the number is written."""
    assert parse_decimal("9" * 20 + "." + "9" * 20) == Decimal("9" * 20 + "." + "9" * 20)
    assert parse_exact("1/3") * 3 == 1
    for bad in ("1" + "0" * 20, "0." + "0" * 20 + "1", 10**20, Decimal("1E+20"), Decimal("1E-21"), "1/1e5"):
        with pytest.raises(ValueError):  # noqa: PT011 - OutOfBoundsError or "not a decimal", both ValueErrors
            parse_exact(bad)
    with pytest.raises(OutOfBoundsError, match="number out of range"):
        parse_decimal(Decimal("0E+999999999"))


def test_a_huge_level_in_a_csv_batch_is_one_row_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV cells with huge exponents or digit strings fail their rows only; the other rows are scored."""
    levels = ",".join(["3"] * 46)
    header = "instansi,year," + ",".join(f"I{n}" for n in range(1, 48))
    rows = ["ok,2024,3," + levels, "exp,2024,1e999999999," + levels, "long,2024," + "9" * 5000 + "," + levels]
    path = tmp_path / "b.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "batch", str(path), "--json")
    assert code == 1 and "internal error" not in err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["ok", "error", "error"]
    assert "I1: level must be a whole number (got '1e999999999')" in results[1]["message"]
    assert "I1: level out of range (got '999" in results[2]["message"]
    assert "…)" in results[2]["message"] and len(results[2]["message"]) < 400  # the 5,000-digit value is cut short


def test_a_huge_domain_value_in_a_csv_batch_is_one_row_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Published domain values beyond the bounds fail their rows only."""
    path = tmp_path / "d.csv"
    path.write_text(
        "instansi,year,D1,D2,D3,D4\nok,2022,2.00,1.00,1.00,1.88\nexp,2022,1E+999999999,1,1,1.88\n"
        f"long,2022,{'1' * 40},1,1,1.88\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "batch", str(path), "--json")
    assert code == 1 and "internal error" not in err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["ok", "error", "error"]
    assert "D1: must be a decimal number (got '1E+999999999')" in results[1]["message"]
    assert "D1: number out of range (got '1111" in results[2]["message"]


def test_json_lines_rows_with_huge_numbers_and_nan_fail_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In JSON Lines, a huge exponent, NaN or an endless whole number fails its row; the others are scored."""
    good = json.dumps({"instansi": "ok", "year": 2022, **DOMAINS})
    lines = [
        good,
        '{"instansi": "exp", "year": 2022, "D1": 1e999999999, "D2": 1, "D3": 1, "D4": 1.88}',
        '{"instansi": "nan", "year": 2022, "D1": NaN, "D2": 1, "D3": 1, "D4": 1.88}',
        '{"instansi": "int", "year": 2022, "D1": ' + "1" * 5000 + ', "D2": 1, "D3": 1, "D4": 1.88}',
        good,
    ]
    path = tmp_path / "b.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "batch", str(path), "--json")
    assert code == 1 and "internal error" not in err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["ok", "error", "error", "error", "ok"]
    assert f"D1: number out of range (got '1e999999999'); {BOUNDS}" in results[1]["message"]
    assert "D1: not a JSON number (got 'NaN')" in results[2]["message"]
    assert "line 4: malformed JSON: a whole number too long to read" in results[3]["message"]


# -- deep nesting -----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_assessment(tmp_path: Path, depth: int) -> None:
    """Nesting deeper than the bound is one error, whether the parser recursed out or the walk found it."""
    path = tmp_path / "a.json"
    path.write_text('{"year": 2024, "metadata": {"x": ' + "[" * depth + "]" * depth + "}}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_assessment(path)
    message = str(info.value)
    if depth == 33:  # the parser copes; the walk after it names the path
        assert message == f"{path}: metadata.x{'[0]' * 30}: {DEEP}"
    else:  # the parser recursed out; the line is named
        assert message == f"{path}: line 1: malformed JSON: {DEEP}"


@pytest.mark.parametrize(
    "body",
    ["x = " + "[" * 100_000 + "]" * 100_000, "x = " + "{a = " * 5000 + "1" + "}" * 5000, "a" + ".a" * 5000 + " = 1"],
    ids=["arrays", "inline-tables", "dotted-keys"],
)
def test_deeply_nested_toml_assessment(tmp_path: Path, body: str) -> None:
    """TOML nested thousands deep (arrays, inline tables, or dotted keys that the parser builds in a loop)."""
    path = tmp_path / "a.toml"
    path.write_text(f"year = 2024\n{body}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_assessment(path)
    problem = "a key nested too deeply" if body.startswith("a.a") else "nested too deeply"
    assert str(info.value) == f"{path}: line 2: malformed TOML: {problem}; {DEEP.split('; ')[1]}"


@pytest.mark.parametrize(
    "body", ["a" + ".a" * 80_000 + " = 1", "[a" + ".a" * 80_000 + "]", "x = {" + "a." * 80_000 + "a = 1}"]
)
def test_a_toml_key_of_thousands_of_parts_is_refused_before_parsing(tmp_path: Path, body: str) -> None:
    """tomllib takes time quadratic in a dotted key's parts (80,000: minutes): such a key never reaches it."""
    path = tmp_path / "a.toml"
    path.write_text(f"year = 2024\n{body}\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_assessment(path)
    assert time.perf_counter() - start < 1
    assert (
        str(info.value)
        == f"{path}: line 2: malformed TOML: a key nested too deeply; allowed: " + DEEP.split("allowed: ")[1]
    )


def test_deeply_nested_json_lines_row_fails_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON Lines row nested thousands deep is flagged; the rows around it are still scored."""
    good = json.dumps({"instansi": "ok", "year": 2022, **DOMAINS})
    deep = '{"instansi": "deep", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    shallow_but_too_deep = '{"instansi": "walk", "x": ' + "[" * 40 + "]" * 40 + "}"
    path = tmp_path / "b.jsonl"
    path.write_text("\n".join([good, deep, shallow_but_too_deep, good]) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "batch", str(path), "--json")
    assert code == 1 and "internal error" not in err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["ok", "error", "error", "ok"]
    assert f"line 2: malformed JSON: {DEEP}" in results[1]["message"]
    assert "x[0][0]" in results[2]["message"] and results[2]["message"].endswith(DEEP)


def test_a_lone_surrogate_escape_in_json_is_refused(tmp_path: Path) -> None:
    """JSON can escape half a surrogate pair; that is not text, and is refused by field."""
    path = tmp_path / "a.json"
    path.write_text('{"year": 2024, "instansi": "\\ud800", "levels": {"I1": 3}}', encoding="utf-8")
    with pytest.raises(InputError, match="instansi: holds a lone surrogate, which is not text"):
        read_assessment(path)


# -- rubric files: extends ---------------------------------------------------------------------

DERIVED = 'schema = 1\nid = "{id}"\nextends = "{base}"\ntitle = "x"\nyears = [2099]\n[legal_basis]\nregulation = "x"\n'


def test_unknown_extends_names_the_rubric_file_not_the_assessment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring through a rubric whose base is unknown blames that rubric file and its ``extends``."""
    rubric = write_rubric(tmp_path, "orphan", DERIVED.format(id="orphan", base="nope"))
    engine = Engine.from_plugins(("orphans", FilePlugin(rubric)), entry_points=True)
    with pytest.raises(RubricError) as info:
        engine.score({"I1": 3}, rubric="orphan")
    assert info.value.file == str(rubric) and info.value.field == "extends"
    assert str(info.value).startswith(
        f"{rubric}: extends: plugin 'orphans', rubric orphan: unknown rubric (got 'nope'); allowed: "
    )
    assert "spbe-2024" in str(info.value)
    # The command line: the assessment file is not blamed.
    assessment = tmp_path / "a.toml"
    assessment.write_text('rubric = "orphan"\n[levels]\nI1 = 3\n', encoding="utf-8")
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls, **_: engine))
    code, out, err = _run(capsys, "score", str(assessment))
    assert code == 2 and out == ""
    assert err.startswith(f"spbe: error: {rubric}: extends: ") and str(assessment) not in err


def test_extends_cycle_names_the_file_that_closes_it(tmp_path: Path) -> None:
    """Rubrics extending each other name the file whose ``extends`` closes the cycle, and the chain."""
    a = write_rubric(tmp_path, "cyc-a", DERIVED.format(id="cyc-a", base="cyc-b"))
    b = write_rubric(tmp_path, "cyc-b", DERIVED.format(id="cyc-b", base="cyc-a"))
    selfish = write_rubric(tmp_path, "cyc-self", DERIVED.format(id="cyc-self", base="cyc-self"))
    engine = engine_with(a, b, selfish)
    with pytest.raises(RubricError) as info:
        engine.score({"I1": 3}, rubric="cyc-a")
    assert (info.value.file, info.value.field) == (str(b), "extends")
    assert "rubrics extend each other in a cycle (got 'cyc-a -> cyc-b -> cyc-a'); allowed: " in str(info.value)
    with pytest.raises(RubricError) as info:
        engine.rubric("cyc-self")
    assert (info.value.file, info.value.field) == (str(selfish), "extends")
    assert "(got 'cyc-self -> cyc-self')" in str(info.value)


def test_unknown_extends_further_down_the_chain_names_that_file(tmp_path: Path) -> None:
    """A extends B, B extends an unknown rubric: the error names B's file, where the fault is."""
    a = write_rubric(tmp_path, "chain-a", DERIVED.format(id="chain-a", base="chain-b"))
    b = write_rubric(tmp_path, "chain-b", DERIVED.format(id="chain-b", base="nope"))
    with pytest.raises(RubricError) as info:
        engine_with(a, b).rubric("chain-a")
    assert (info.value.file, info.value.field, info.value.value) == (str(b), "extends", "nope")


def _notes(text: str) -> str:
    return re.sub(r"^notes = \[.*?^\]", "notes = 5", text, count=1, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            lambda t: t.replace("weight = 1.30", "weight = 1e999999999", 1),
            "indicators.I1.weight",
            "number out of range",
        ),
        (lambda t: t.replace("weight = 1.30", 'weight = "1e999999999"', 1), "indicators.I1.weight", "decimal number"),
        (lambda t: t.replace("weight = 1.30", 'weight = "1/1' + "0" * 30 + '"', 1), "indicators.I1.weight", "range"),
        (lambda t: t + "\n[meta]\nx = 1e999999999\n", "meta.x", "number out of range (got '1e999999999')"),
        (lambda t: t + "\n[meta]\nx = nan\n", "meta.x", "not a finite number (got 'nan')"),
        (lambda t: t + "\n[meta]\nx = " + "[" * 10**5 + "]" * 10**5 + "\n", "line", f"malformed TOML: {DEEP}"),
        (lambda t: t + "\n[meta]\nx = " + "[" * 40 + "]" * 40 + "\n", "meta.x" + "[0]" * 30, DEEP),
        (lambda t: t + "\n[meta]\nx = " + "1" * 5000 + "\n", "line", "a whole number too long to read"),
        (lambda t: t.replace('mode = "half_up"', "mode = [1]", 1), "rounding.mode", "unknown rounding mode (got [1])"),
        (_notes, "notes", "must be a string or a list of strings (got 5)"),
        (lambda t: t.replace("\n1 = { name", '\n"²" = { name', 1), "scales.process.levels.²", "whole numbers"),
    ],
    ids=[
        "float",
        "text",
        "ratio",
        "meta",
        "nan",
        "deep",
        "deep-walk",
        "long-int",
        "mode-type",
        "notes-type",
        "level-key",
    ],
)
def test_bad_rubric_values_are_rubric_errors(tmp_path: Path, edit, field: str | None, problem: str) -> None:
    """Huge exponents, NaN, deep nesting and wrong types in a rubric file are RubricErrors naming file and field."""
    path = variant(tmp_path, edit)
    with pytest.raises(RubricError) as info:
        engine_with(path).rubric("test-2021")
    assert info.value.file == str(path) and problem in str(info.value)
    assert info.value.field == field or (field == "line" and info.value.field.startswith("line "))


# -- crosswalk files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("schema = 1", "schema = 1e999999999", 1), "schema: number out of range"),
        (
            lambda t: t.replace('level_rounding = "half_up"', "level_rounding = 1e999999999", 1),
            "targets.I1.level_rounding: number out of range",
        ),
        (lambda t: t.replace('title = "', "title = " + "[" * 1000 + "]" * 1000 + '\nx = "', 1), DEEP),
        (lambda t: t.replace("schema = 1", "schema = -inf", 1), "schema: not a finite number"),
        (lambda t: t.replace('mark = "approximate"', "mark = [[1]]", 1), "mark: unknown mark (got [[1]])"),
    ],
    ids=["schema", "weights", "deep", "inf", "mark-type"],
)
def test_bad_crosswalk_values_are_crosswalk_errors(tmp_path: Path, edit, message: str) -> None:
    """Huge exponents, infinities, deep nesting and wrong types in a crosswalk file name the file and field."""
    path = _variant(tmp_path, edit)
    with pytest.raises(CrosswalkError) as info:
        _load(path)
    assert info.value.file == str(path) and message in str(info.value)


def test_crosswalk_weight_beyond_bounds(tmp_path: Path) -> None:
    """A weighted mapping's weight written with too many places is refused with the bounds."""

    def edit(text: str) -> str:
        start = text.index("[targets.I1]")
        end = text.index("[targets.", start + 1)
        mapping = (
            '[targets.I1]\nsources = ["I1", "I2"]\ncombine = "weighted"\nlevel_rounding = "half_up"\n'
            f'weights = ["0.{"0" * 25}1", "1"]\nmark = "approximate"\nreason = "x"\nbasis = "project judgement"\n\n'
        )
        return text[:start] + mapping + text[end:]

    path = _variant(tmp_path, edit)
    with pytest.raises(CrosswalkError) as info:
        _load(path)
    assert str(info.value).startswith(f"{path}: targets.I1.weights: number out of range (got '0.000")
    assert "with at most 20 digits before the decimal point and 20 after it" in str(info.value)

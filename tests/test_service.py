"""The scoring service in process, through the ASGI test client: every endpoint answers as the CLI does.

Each answer is compared with the CLI's own output for the same input (the
same renderers write both), and every error class answers an RFC 9457
problem with the engine's message.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine

from .conftest import EXAMPLES, ROOT
from .service_helpers import ALL_THREES, cli_json, cli_text, client

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def api(engine: Engine) -> Any:
    with client(engine) as test_client:
        yield test_client


def _toml_body(path: Path) -> dict[str, Any]:
    """An assessment file as a request body (decimals as exact text)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return json.loads(json.dumps(data, default=str))


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["kind"] == kind and problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return problem


# -- registry -------------------------------------------------------------------------------------


def test_rubrics_list_is_the_cli_listing(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """GET /v1/rubrics answers what `spbe rubrics --json` prints."""
    assert api.get("/v1/rubrics").json() == cli_json(capsys, "rubrics", "--json")


@pytest.mark.parametrize("criteria", [False, True])
def test_rubric_document_is_the_cli_tree_with_an_etag(
    api: Any, engine: Engine, capsys: pytest.CaptureFixture[str], criteria: bool
) -> None:
    """GET /v1/rubrics/{id} answers `spbe rubric show --json`; its ETag is the content hash; 304 when unchanged."""
    extra = ["--criteria"] if criteria else []
    response = api.get("/v1/rubrics/spbe-2024", params={"criteria": str(criteria).lower()})
    assert response.json() == cli_json(capsys, "rubric", "show", "spbe-2024", "--json", *extra)
    etag = response.headers["etag"]
    assert engine.rubric("spbe-2024").sha256 in etag and ("criteria" in etag) == criteria
    again = api.get(
        "/v1/rubrics/spbe-2024", params={"criteria": str(criteria).lower()}, headers={"if-none-match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert api.get("/v1/rubrics/spbe-2024", headers={"if-none-match": '"other"'}).status_code == 200


def test_unknown_rubric_is_404_naming_the_known_ones(api: Any) -> None:
    """An id is only looked up in the registry: an unknown one (or a path-like one) is 404 listing the ids."""
    problem = _problem(api.get("/v1/rubrics/spbe-1999"), 404, "UnknownRubricError")
    assert problem["value"] == "spbe-1999" and "spbe-2024" in problem["allowed"]
    assert api.get("/v1/rubrics/..%2F..%2Fetc%2Fpasswd").status_code == 404
    _problem(api.get("/v1/rubrics/spbe-2023/diff/nope"), 404, "UnknownRubricError")


def test_rubric_pin(api: Any, engine: Engine) -> None:
    """A rubric read pinned to another hash is 409 naming both hashes; the right hash answers 200."""
    sha = engine.rubric("spbe-2023").sha256
    assert api.get("/v1/rubrics/spbe-2023", params={"rubric_sha256": sha}).status_code == 200
    problem = _problem(api.get("/v1/rubrics/spbe-2023", params={"rubric_sha256": "ab" * 32}), 409, "PinMismatch")
    assert problem["installed_sha256"] == sha and problem["requested_sha256"] == "ab" * 32
    assert sha in problem["detail"] and "ab" * 32 in problem["detail"]


def test_diff_is_the_cli_diff(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """GET /v1/rubrics/{a}/diff/{b} answers `spbe rubric diff A B --json`."""
    expected = cli_json(capsys, "rubric", "diff", "spbe-2023", "spbe-2025", "--json")
    assert api.get("/v1/rubrics/spbe-2023/diff/spbe-2025").json() == expected


def test_crosswalks_are_the_cli_listing(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """GET /v1/crosswalks and /v1/crosswalks/{from}/{to} answer `spbe crosswalk [FROM TO] --json`."""
    assert api.get("/v1/crosswalks").json() == cli_json(capsys, "crosswalk", "--json")
    expected = cli_json(capsys, "crosswalk", "spbe-2024", "pemdi-2026", "--json")
    assert api.get("/v1/crosswalks/spbe-2024/pemdi-2026").json() == expected
    _problem(api.get("/v1/crosswalks/pemdi-2026/spbe-2018"), 404, "CrosswalkError")


def test_plugins_list_set_aside_plugins_with_their_reason(tmp_path: Path) -> None:
    """GET /v1/plugins lists a plugin set aside at load, with its reason, beside the active ones."""
    from .rubric_helpers import FilePlugin, variant

    bad = variant(tmp_path, lambda text: text.replace("lower = 1.8", "lower = 1.9", 1), rubric_id="bad-2021")
    engine = Engine.from_plugins(("broken", FilePlugin(bad)), entry_points=True, validate=True)
    with client(engine) as api:
        rows = {row["name"]: row for row in api.get("/v1/plugins").json()}
        assert rows["broken"]["status"] == "set aside" and "bad-2021" in rows["broken"]["reason"]
        assert rows["spbe-2024"]["status"] == "active" and rows["spbe-2024"]["rubrics"] == ["spbe-2024"]
        assert "bad-2021" not in [row["id"] for row in api.get("/v1/rubrics").json()]


# -- scoring ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bandar-lampung-2022.toml", "levels-2024.toml"])
@pytest.mark.parametrize("explain", [False, True])
def test_score_is_the_cli_score(api: Any, capsys: pytest.CaptureFixture[str], name: str, explain: bool) -> None:
    """POST /v1/score answers `spbe score FILE --json [--explain]`, candidates and provenance included."""
    argv = ["score", str(EXAMPLES / name), "--json", *(["--explain"] if explain else [])]
    response = api.post("/v1/score", json={**_toml_body(EXAMPLES / name), "explain": explain})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == cli_json(capsys, *argv)


def test_score_reads_published_values_exactly(api: Any) -> None:
    """A published value sent as a JSON number keeps its digits (never a float): 1.88 reads as 1.88."""
    body = (
        b'{"year": 2022, "domains": {"D1": 2, "D2": 1, "D3": 1, "D4": 1.88}, "metadata": {"x": 0.10000000000000000001}}'
    )
    card = api.post("/v1/score", content=body).json()
    assert card["index_candidates"] == ["1.53"] and card["predikat"] == "Kurang"
    assert [g["index"] for g in card["domains"]] == ["2", "1", "1", "1.88"]
    assert card["metadata"] == {"x": "0.10000000000000000001"}


def test_score_partial_and_rubric_choice(api: Any, engine: Engine) -> None:
    """Options map to the CLI's: partial; the rubric from the body, else the year."""
    levels = dict(ALL_THREES)
    del levels["I47"]
    partial = api.post("/v1/score", json={"rubric": "spbe-2024", "levels": levels, "partial": True}).json()
    assert partial["complete"] is False and partial["index"] is None
    by_year = api.post("/v1/score", json={"year": 2023, "levels": ALL_THREES}).json()
    assert by_year["rubric"] == {"id": "spbe-2023", "sha256": engine.rubric("spbe-2023").sha256}


def test_score_pin(api: Any, engine: Engine) -> None:
    """rubric_sha256 pins the rubric: the right hash scores, another is 409 naming both hashes."""
    sha = engine.rubric("spbe-2024").sha256
    body = {"rubric": "spbe-2024", "levels": ALL_THREES}
    assert api.post("/v1/score", json={**body, "rubric_sha256": sha.upper()}).json()["index"] == "3.00"
    problem = _problem(api.post("/v1/score", json={**body, "rubric_sha256": "0" * 64}), 409, "PinMismatch")
    assert (problem["requested_sha256"], problem["installed_sha256"]) == ("0" * 64, sha)


def test_gap_is_the_cli_gap(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """POST /v1/gap answers `spbe gap FILE --target P --json`."""
    path = EXAMPLES / "bandar-lampung-2022.toml"
    expected = cli_json(capsys, "gap", str(path), "--target", "Baik", "--json")
    assert api.post("/v1/gap", json={**_toml_body(path), "target": "Baik"}).json() == expected


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda body: {**body, "levels": {**body["levels"], "I4": 9}}, "I4"),
        (lambda body: {**body, "levels": {k: v for k, v in body["levels"].items() if k != "I47"}}, "levels"),
        (lambda body: {**body, "rubric": "spbe-1999"}, "rubric"),
        (lambda body: {"year": 1999, "levels": body["levels"]}, "year"),
        (lambda body: {**body, "domains": {"D1": "2.00"}}, "levels"),
    ],
    ids=["level-out-of-range", "missing-indicator", "unknown-rubric", "no-rubric-for-year", "levels-and-domains"],
)
def test_engine_errors_are_422_with_the_cli_message(
    api: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, field: str
) -> None:
    """The engine's refusal answers 422 whose detail is the very line `spbe score` prints for the same file."""
    body = edit({"rubric": "spbe-2024", "levels": dict(ALL_THREES)})
    problem = api.post("/v1/score", json=body)
    assert problem.status_code == 422, problem.text
    data = problem.json()
    path = tmp_path / "a.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    code, _, err = cli_text(capsys, "score", str(path), "--json")
    assert code == 2 and err.strip() == f"spbe: error: {path}: {data['detail']}"
    assert data["field"] == field


def test_malformed_bodies_are_400(api: Any) -> None:
    """Not JSON, a duplicate key, too deep, a field of the wrong type, an unknown field: each is named."""
    assert _problem(api.post("/v1/score", content=b"{"), 400, "MalformedJSON")["detail"].startswith("body: malformed")
    assert _problem(api.post("/v1/score", content=b'{"year": 1, "year": 2}'), 400, "MalformedJSON")["field"] == "year"
    deep = _problem(api.post("/v1/score", content=b"[" * 40 + b"]" * 40), 400, "MalformedJSON")
    assert "at most 32" in deep["allowed"]
    nan = api.post("/v1/score", content=b'{"domains": {"D1": NaN}}')
    assert _problem(nan, 400, "MalformedJSON")["value"] == "NaN"
    wrong = _problem(api.post("/v1/score", json={"levels": ALL_THREES, "partial": "maybe"}), 400, "ValidationError")
    assert wrong["field"] == "partial"
    unknown = _problem(api.post("/v1/score", json={"levels": ALL_THREES, "level": {}}), 422, "InputError")
    assert unknown["field"] == "level" and "levels" in unknown["allowed"]


def test_body_limit_is_413(engine: Engine) -> None:
    """A body over the configured limit is refused with 413 before it is parsed."""
    with client(engine, max_body_bytes=100) as api:
        _problem(api.post("/v1/score", json={"rubric": "spbe-2024", "levels": ALL_THREES}), 413, "TooLarge")


def test_unexpected_fault_is_500_with_an_id_in_the_log(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A fault answers 500 with an error id; the traceback is in the log under that id, never in the answer."""
    broken = Engine.from_plugins(entry_points=True)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    broken.score = boom  # type: ignore[method-assign]
    with client(broken) as api, caplog.at_level("ERROR", logger="spbe_engine.service"):
        response = api.post("/v1/score", json={"rubric": "spbe-2024", "levels": ALL_THREES})
    problem = _problem(response, 500, "Internal")
    assert "secret" not in response.text and problem["error_id"] in problem["detail"]
    logged = [r for r in caplog.records if problem["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_unknown_route_and_method_are_problems(api: Any) -> None:
    """A route that does not exist is a 404 problem, a wrong method 405."""
    _problem(api.get("/v1/nothing"), 404, "NotFound")
    _problem(api.get("/v1/score"), 405, "MethodNotAllowed")


# -- batches ----------------------------------------------------------------------------------------


def _normalised(text: str, path: Path) -> str:
    return text.replace(str(path), "body")


@pytest.mark.parametrize(
    ("name", "media"), [("published-domains.csv", "text/csv"), ("levels-2024.jsonl", "application/x-ndjson")]
)
@pytest.mark.parametrize("accept", ["text/csv", "application/x-ndjson"])
def test_batch_is_the_cli_batch(
    api: Any, capsys: pytest.CaptureFixture[str], name: str, media: str, accept: str
) -> None:
    """POST /v1/batch streams what `spbe batch FILE [--json]` writes, row for row (CSV byte for byte)."""
    path = EXAMPLES / name
    as_json = accept != "text/csv"
    _, expected, _ = cli_text(capsys, "batch", str(path), *(["--json"] if as_json else []))
    response = api.post("/v1/batch", content=path.read_bytes(), headers={"content-type": media, "accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert response.text == _normalised(expected, path)


def test_batch_json_array_equals_json_lines(api: Any) -> None:
    """A JSON array body scores as the same rows in JSON Lines; numbers keep their digits; a bad row is a row."""
    rows = [
        {"instansi": "A", "year": 2024, **ALL_THREES},
        {"instansi": "B", "year": 2022, "D1": 2, "D2": 1, "D3": 1, "D4": Decimal("1.88")},
        {"instansi": "C", "year": 2024, **ALL_THREES, "I4": 9},
        5,
    ]
    array = json.dumps(rows, default=str).replace('"1.88"', "1.88")
    lines = "\n".join(json.dumps(row, default=str).replace('"1.88"', "1.88") for row in rows) + "\n"
    as_array = api.post(
        "/v1/batch", content="\n" + array.replace(", ", ",\n  "), headers={"content-type": "application/json"}
    )
    as_lines = api.post("/v1/batch", content=lines, headers={"content-type": "application/x-ndjson"})
    assert as_array.status_code == as_lines.status_code == 200
    assert as_array.text == as_lines.text
    out = [json.loads(line) for line in as_array.text.splitlines()]
    assert [row["status"] for row in out] == ["ok", "ok", "error", "error"]
    assert out[1]["index"] == "1.53" and out[2]["message"].startswith("row 3 (line 3): I4: level out of range")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"[{}, {]", "malformed JSON"),
        (b"{}", "must be an array"),
        (b"[1] x", "after the array"),
        (b"[1 2]", "expected"),
    ],
)
def test_malformed_json_array_is_refused_whole(api: Any, body: bytes, needle: str) -> None:
    """A JSON array that cannot be read is refused before any row is scored (its rows cannot be told apart)."""
    problem = _problem(
        api.post("/v1/batch", content=body, headers={"content-type": "application/json"}), 422, "InputError"
    )
    assert needle in problem["detail"]


def test_batch_body_type_and_limits(engine: Engine) -> None:
    """415 for another body type; 413 over the body size or the rows limit; not UTF-8 or too deep: named."""
    lines = "".join(json.dumps({"rubric": "spbe-2024", **ALL_THREES}) + "\n" for _ in range(5))
    with client(engine, max_batch_rows=4, max_batch_bytes=10_000, max_json_depth=4) as api:
        _problem(
            api.post("/v1/batch", content=lines, headers={"content-type": "application/xml"}),
            415,
            "UnsupportedMediaType",
        )
        assert api.post("/v1/batch", content="", headers={}).status_code == 415
        _problem(
            api.post("/v1/batch", content=lines, headers={"content-type": "application/x-ndjson"}), 413, "TooManyRows"
        )
        array = json.dumps([{"rubric": "spbe-2024", **ALL_THREES}] * 5)
        _problem(api.post("/v1/batch", content=array, headers={"content-type": "application/json"}), 413, "TooManyRows")
        big = lines * 10
        _problem(api.post("/v1/batch", content=big, headers={"content-type": "application/x-ndjson"}), 413, "TooLarge")
        bad = _problem(
            api.post("/v1/batch", content=b"a,b\n\xff\n", headers={"content-type": "text/csv"}), 422, "InputError"
        )
        assert "not UTF-8" in bad["detail"]
        deep = b'{"x": 1}\n{"m": [[[[[1]]]]]}\n'
        problem = _problem(
            api.post("/v1/batch", content=deep, headers={"content-type": "application/x-ndjson"}), 422, "InputError"
        )
        assert problem["field"] == "line 2"


def test_batch_errors_about_the_whole_file_are_problems(api: Any, engine: Engine) -> None:
    """An unknown rubric, an empty CSV or a pin mismatch is one problem, not a stream of error rows."""
    csv = (EXAMPLES / "published-domains.csv").read_bytes()
    headers = {"content-type": "text/csv"}
    _problem(api.post("/v1/batch", params={"rubric": "nope"}, content=csv, headers=headers), 404, "UnknownRubricError")
    empty = _problem(api.post("/v1/batch", content=b"", headers=headers), 422, "InputError")
    assert empty["detail"] == "body: the file is empty; allowed: a header row, then one row per assessment"
    pinned = api.post(
        "/v1/batch", params={"rubric": "spbe-2023", "rubric_sha256": "1" * 64}, content=csv, headers=headers
    )
    _problem(pinned, 409, "PinMismatch")
    alone = api.post("/v1/batch", params={"rubric_sha256": "1" * 64}, content=csv, headers=headers)
    assert _problem(alone, 422, "ValidationError")["field"] == "rubric"
    sha = engine.rubric("spbe-2023").sha256
    ok = api.post("/v1/batch", params={"rubric": "spbe-2023", "rubric_sha256": sha}, content=csv, headers=headers)
    assert ok.status_code == 200


def test_rescore_is_the_cli_rescore(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """POST /v1/rescore streams what `spbe rescore FILE --to T --missing P [--json]` writes."""
    path = EXAMPLES / "levels-2024.jsonl"
    argv = ["rescore", str(path), "--to", "pemdi-2026", "--missing", "impute:lowest"]
    _, expected_csv, _ = cli_text(capsys, *argv)
    _, expected_json, _ = cli_text(capsys, *argv, "--json")
    params = {"to": "pemdi-2026", "missing": "impute:lowest"}
    headers = {"content-type": "application/x-ndjson"}
    as_csv = api.post(
        "/v1/rescore", params=params, content=path.read_bytes(), headers={**headers, "accept": "text/csv"}
    )
    as_json = api.post("/v1/rescore", params=params, content=path.read_bytes(), headers=headers)
    assert as_csv.text == _normalised(expected_csv, path) and as_json.text == _normalised(expected_json, path)
    needs = api.post("/v1/rescore", params={"to": "pemdi-2026"}, content=path.read_bytes(), headers=headers)
    assert "missing-data policy" in _problem(needs, 422, "InputError")["detail"]


def test_impact_is_the_cli_impact(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """POST /v1/impact answers `spbe impact FILE --from A --to B --json`."""
    path = DATA / "spbe-2023-published.csv"
    expected = cli_json(capsys, "impact", str(path), "--from", "spbe-2023", "--to", "spbe-2024", "--json", "--top", "5")
    response = api.post(
        "/v1/impact",
        params={"from": "spbe-2023", "to": "spbe-2024", "top": 5},
        content=path.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.json() == json.loads(_normalised(json.dumps(expected), path))


# -- operations, auth, CORS, logs -------------------------------------------------------------------------------


def test_health_readiness_and_metrics(engine: Engine) -> None:
    """/healthz answers at once; /readyz only after start-up; /metrics counts requests, rows and errors."""
    from litestar.testing import TestClient

    from spbe_engine.service import Settings, create_app

    cold = TestClient(create_app(engine, Settings(access_log=False)))  # no lifespan: start-up has not run
    assert cold.get("/healthz").json() == {"status": "ok"}
    _problem(cold.get("/readyz"), 503, "NotReady")
    with client(engine) as api:
        ready = api.get("/readyz").json()
        assert ready["status"] == "ready" and "spbe-2024" in ready["rubrics"] and ready["archive"] == "none"
        api.post("/v1/score", json={"rubric": "spbe-2024", "levels": ALL_THREES})
        api.post("/v1/score", json={"rubric": "spbe-2024", "levels": {"I1": 9}})
        csv = (EXAMPLES / "published-domains.csv").read_bytes()
        api.post("/v1/batch", content=csv, headers={"content-type": "text/csv"})
        text = api.get("/metrics").text
    assert 'spbe_http_requests_total{route="/v1/score",method="POST",status="200"} 1' in text
    assert 'spbe_http_requests_total{route="/v1/score",method="POST",status="422"} 1' in text
    assert 'spbe_http_request_duration_seconds_count{route="/v1/score",method="POST",status="200"} 1' in text
    assert 'spbe_rows_scored_total{endpoint="score",rubric="spbe-2024",status="scored"} 1' in text
    assert 'spbe_rows_scored_total{endpoint="batch",rubric="spbe-2023",status="ok"}' in text
    assert 'spbe_errors_total{kind="InputError",route="/v1/score"} 1' in text


def test_bearer_tokens(engine: Engine) -> None:
    """With tokens configured, /v1 and /metrics need one (compared exactly); health and docs stay open."""
    with client(engine, tokens={"s3cret", "other"}) as api:
        refused = _problem(api.get("/v1/rubrics"), 401, "Unauthorized")
        assert refused["field"] == "authorization"
        assert api.get("/v1/rubrics").headers["www-authenticate"].startswith("Bearer")
        assert api.get("/v1/rubrics", headers={"authorization": "Bearer s3cre"}).status_code == 401
        assert api.get("/v1/rubrics", headers={"authorization": "Basic s3cret"}).status_code == 401
        assert api.get("/v1/rubrics", headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert api.get("/metrics").status_code == 401
        assert api.get("/healthz").status_code == api.get("/openapi.json").status_code == 200
        assert api.get("/openapi.json").json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_cors_only_when_origins_are_configured(api: Any, engine: Engine) -> None:
    """No CORS header by default; the configured origin gets one, another origin none."""
    origin = {"origin": "https://portal.example.go.id"}
    assert "access-control-allow-origin" not in api.get("/v1/rubrics", headers=origin).headers
    with client(engine, cors_origins=["https://portal.example.go.id"]) as cors:
        allowed = cors.get("/v1/rubrics", headers=origin).headers
        assert allowed["access-control-allow-origin"] == "https://portal.example.go.id"
        other = cors.get("/v1/rubrics", headers={"origin": "https://elsewhere.example"}).headers
        assert "access-control-allow-origin" not in other


def test_access_log_is_one_json_line_without_bodies(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """Each request logs one JSON object with the request id (the caller's, if sane) and no body."""
    from litestar.testing import TestClient

    from spbe_engine.service import Settings, create_app

    with (
        TestClient(create_app(engine, Settings())) as api,
        caplog.at_level("INFO", logger="spbe_engine.service.access"),
    ):
        api.post(
            "/v1/score",
            json={"rubric": "spbe-2024", "levels": ALL_THREES, "instansi": "Kota Rahasia"},
            headers={"x-request-id": "portal-42"},
        )
        api.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "spbe_engine.service.access"]
    scored = next(line for line in lines if line["path"] == "/v1/score")
    assert scored["request_id"] == "portal-42" and scored["status"] == 200 and scored["route"] == "/v1/score"
    assert "Rahasia" not in json.dumps(lines)
    health = next(line for line in lines if line["path"] == "/healthz")
    assert health["request_id"] != "bad id with spaces" and len(health["request_id"]) == 32


def test_openapi_document_and_offline_docs_page(api: Any) -> None:
    """/openapi.json is OpenAPI 3.1 with every operation; /docs renders it with no script and no CDN."""
    doc = api.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    operations = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert {
        ("GET", "/v1/rubrics"),
        ("GET", "/v1/rubrics/{rubric_id}"),
        ("GET", "/v1/rubrics/{old}/diff/{new}"),
        ("GET", "/v1/crosswalks"),
        ("GET", "/v1/plugins"),
        ("POST", "/v1/score"),
        ("POST", "/v1/batch"),
        ("POST", "/v1/rescore"),
        ("POST", "/v1/gap"),
        ("POST", "/v1/impact"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
    } <= operations
    assert set(doc["paths"]["/v1/batch"]["post"]["requestBody"]["content"]) >= {"text/csv", "application/json"}
    page = api.get("/docs")
    assert page.status_code == 200 and "/v1/score" in page.text and "ScoreRequest" in page.text
    assert "<script" not in page.text and "http://" not in page.text and "https://" not in page.text


def test_serve_without_the_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Litestar or uvicorn, `spbe serve` says in one line how to install the extra and exits 2."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a))
    code, out, err = cli_text(capsys, "serve")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "pip install '.[service]'" in err and "uvicorn" in err


def test_settings_from_env(tmp_path: Path) -> None:
    """Settings read SPBE_SERVICE_* variables and a tokens file; a bad value is named."""
    from spbe_engine import InputError
    from spbe_engine.service import Settings

    tokens = tmp_path / "tokens"
    tokens.write_text("# portal tokens\nalpha\n\nbeta  # the archive\n", encoding="utf-8")
    settings = Settings.from_env(
        {
            "SPBE_SERVICE_MAX_BATCH_ROWS": "1_000",
            "SPBE_SERVICE_REQUEST_TIMEOUT": "2.5",
            "SPBE_SERVICE_ACCESS_LOG": "0",
            "SPBE_SERVICE_TOKENS": "gamma",
            "SPBE_SERVICE_TOKENS_FILE": str(tokens),
            "SPBE_SERVICE_CORS_ORIGINS": "https://a.example, https://b.example",
        }
    )
    assert (settings.max_batch_rows, settings.request_timeout, settings.access_log) == (1000, 2.5, False)
    assert settings.tokens == {"alpha", "beta", "gamma"}
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    with pytest.raises(InputError, match="SPBE_SERVICE_MAX_BODY_BYTES"):
        Settings.from_env({"SPBE_SERVICE_MAX_BODY_BYTES": "lots"})
    with pytest.raises(InputError, match="max_batch_rows"):
        Settings(max_batch_rows=0)


def test_time_limits(engine: Engine) -> None:
    """A JSON request over the time limit answers 503; a batch body that does not arrive in time, 408."""
    import anyio

    from spbe_engine.service.limits import time_limit
    from spbe_engine.service.spool import spool

    sent: list[dict[str, Any]] = []

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await anyio.sleep(5)

    async def collect(message: dict[str, Any]) -> None:
        sent.append(message)

    async def nothing() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    limited = time_limit(0.05)(slow)
    anyio.run(limited, {"type": "http", "path": "/v1/score", "method": "POST"}, nothing, collect)
    assert sent[0]["status"] == 503 and json.loads(sent[1]["body"])["kind"] == "Timeout"

    async def trickle() -> Any:
        yield b"instansi,year\n"
        await anyio.sleep(5)
        yield b"x,2024\n"

    async def receive_slowly() -> None:
        await spool(trickle(), ".csv", max_rows=10, max_depth=8, timeout=0.05, folder=None)

    from spbe_engine.service.problems import ServiceProblem

    with pytest.raises(ServiceProblem) as caught:
        anyio.run(receive_slowly)
    assert caught.value.status == 408 and caught.value.kind == "Timeout"


@pytest.mark.parametrize("printed", [{"index": "1.53", "predikat": "Kurang"}, {"index": "1.50"}])
def test_score_with_printed_figures_is_the_cli_score(
    api: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], printed: dict[str, str]
) -> None:
    """An assessment's `published` table (what a source printed) narrows or is reported, as `spbe score` does."""
    body = {**_toml_body(EXAMPLES / "bandar-lampung-2022.toml"), "published": printed}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    expected = cli_json(capsys, "score", str(path), "--json")
    assert api.post("/v1/score", json=body).json() == expected
    assert expected["printed"] is not None


def test_a_lone_surrogate_is_refused_and_problems_always_encode(api: Any) -> None:
    """JSON whose escape stands for half a surrogate pair is a 400 problem; a pair is text and reads."""
    lone = api.post("/v1/score", content=b'{"year": 2022, "domains": {"D1": "\\ud800"}}')
    assert _problem(lone, 400, "MalformedJSON")["detail"].startswith("body: a lone surrogate")
    pair = api.post("/v1/score", json={"rubric": "spbe-2024", "levels": ALL_THREES, "instansi": "Kota \U0001f600"})
    assert pair.status_code == 200 and pair.json()["instansi"] == "Kota \U0001f600"

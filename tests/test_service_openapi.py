"""schemathesis against the service's generated OpenAPI document: every operation, no 5xx, every answer conforms.

Requests are generated from the document (valid ones, and ones that break
it), sent in process through the ASGI app, and every answer is checked
against the document: status documented, content type documented, body
valid against its schema, no server error. Deterministic and small by
default; ``SPBE_SCHEMATHESIS_EXAMPLES`` raises the count per operation.
"""

from __future__ import annotations

import os

import pytest

from spbe_engine import Engine

pytest.importorskip("litestar", reason="the service extra is not installed")
schemathesis = pytest.importorskip("schemathesis")

from schemathesis.config import SchemathesisConfig  # noqa: E402

from spbe_engine.service import Settings, create_app  # noqa: E402

EXAMPLES = int(os.environ.get("SPBE_SCHEMATHESIS_EXAMPLES", "12"))

# What the document cannot say: a well-formed body may still name an unknown rubric (404), carry a pin
# that does not match (409), or hold levels the engine refuses by name (422). Valid data is accepted
# when the answer is one of these, with the engine's message.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "304", "404", "409", "413", "422"]}},
    }
)

# JSON Lines bodies are text, sent as generated (schemathesis knows CSV and plain text, not these names).
schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl", "application/x-jsonlines"], "text/plain")

APP = create_app(Engine.default(strict=True), Settings(access_log=False, max_batch_rows=200))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@SCHEMA.parametrize()
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    """Every generated request gets a documented, schema-valid answer and never a server error."""
    case.call_and_validate()

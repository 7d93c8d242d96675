"""schemathesis against the service's generated OpenAPI document: every operation, no 5xx, every answer conforms.

Requests are generated from the document (valid ones, and ones that break
it), sent in process through the ASGI app, and every answer is checked
against the document: status documented, content type documented, body
valid against its schema, no server error. Deterministic and small by
default; ``SPBE_SCHEMATHESIS_EXAMPLES`` raises the count per operation.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from spbe_engine import Engine

pytest.importorskip("litestar", reason="the service extra is not installed")
schemathesis = pytest.importorskip("schemathesis")

from schemathesis.config import SchemathesisConfig  # noqa: E402

from spbe_engine.service import Settings, create_app  # noqa: E402

from .conftest import ROOT  # noqa: E402

EXAMPLES = int(os.environ.get("SPBE_SCHEMATHESIS_EXAMPLES", "12"))

# What the document cannot say: a well-formed body may still name an unknown rubric (404), carry a pin
# that does not match (409), or hold levels the engine refuses by name (422). Valid data is accepted
# when the answer is one of these, with the engine's message.
#: The archive token: it reads and writes, so every archive operation is reached (not only its 401).
WRITER = "schemathesis-writer"

CONFIG = SchemathesisConfig.from_dict(
    {
        # The archive's operations declare bearer tokens; schemathesis sends this one (and checks without it).
        "auth": {"openapi": {"bearer": {"bearer": WRITER}}},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "304", "404", "409", "413", "422"]}},
    }
)

# JSON Lines bodies are text, sent as generated (schemathesis knows CSV and plain text, not these names).
schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl", "application/x-jsonlines"], "text/plain")

ENGINE = Engine.default(strict=True)


def _archive() -> str | None:
    """Make a small SQLite archive for /v1/archive: two imports and a rescore (removed at exit)."""
    try:
        from spbe_engine.archive import Archive
    except ImportError:  # without the archive extra its routes answer 503, which the document also allows
        return None
    folder = Path(tempfile.mkdtemp(prefix="spbe-openapi-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with Archive.init(folder / "archive.sqlite", engine=ENGINE) as archive:
        archive.import_file(ROOT / "examples" / "levels-2024.jsonl")
        archive.import_file(ROOT / "examples" / "bandar-lampung-2022-sources.csv")
        archive.rescore("pemdi-2026", missing="impute:lowest")
    return str(folder / "archive.sqlite")


APP = create_app(
    ENGINE,
    Settings(access_log=False, max_batch_rows=200, archive_url=_archive(), archive_write_tokens={WRITER}),
)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@SCHEMA.parametrize()
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    """Every generated request gets a documented, schema-valid answer and never a server error."""
    case.call_and_validate()

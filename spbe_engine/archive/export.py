"""Export visible scorings, one row each with its assessment and instansi: CSV, JSON Lines or Parquet.

Exact values stay exact: ``index`` is text in CSV and JSON Lines and a
``decimal128`` column in Parquet (so Dask and pandas read exact decimals);
``exact_index`` is always text (``"46/11"`` has no decimal form).
Candidates are ``;``-joined in CSV, lists elsewhere.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Connection, select

from .._extras import install_hint
from ..errors import InputError
from .records import load
from .tables import assessment, instansi, run, scoring
from .where import Where

__all__ = ["COLUMNS", "FORMATS", "export"]

FORMATS = ("csv", "jsonl", "parquet")
Format = Literal["csv", "jsonl", "parquet"]

#: The exported columns, in order.
COLUMNS = (
    "scoring",
    "run",
    "kind",
    "assessment",
    "instansi",
    "category",
    "region",
    "code",
    "year",
    "source",
    "printed_index",
    "printed_predikat",
    "rubric",
    "rubric_sha256",
    "from_rubric",
    "missing_policy",
    "status",
    "index",
    "exact_index",
    "index_candidates",
    "predikat",
    "predikat_candidates",
    "comparability",
    "coverage",
    "message",
    "engine_version",
    "plugin",
    "scored_at",
)
_CHUNK = 5000


def _rows(connection: Connection, where: Where) -> Iterator[dict[str, Any]]:
    query = (
        select(
            scoring.c.id,
            run.c.id.label("run_id"),
            scoring.c.kind,
            scoring.c.assessment_id,
            instansi.c.name,
            instansi.c.category,
            instansi.c.region,
            instansi.c.code,
            assessment.c.year,
            assessment.c.source,
            assessment.c.printed_index,
            assessment.c.printed_predikat,
            scoring.c.rubric_id,
            scoring.c.rubric_sha256,
            scoring.c.source_rubric_id,
            scoring.c.missing_policy,
            scoring.c.status,
            scoring.c.result,
            scoring.c.comparability,
            scoring.c.engine_version,
            scoring.c.plugin,
            scoring.c.scored_at,
        )
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .join(assessment, assessment.c.id == scoring.c.assessment_id)
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .where(where.condition())
        .order_by(scoring.c.id)
    )
    last = 0
    while True:
        rows = connection.execute(query.where(scoring.c.id > last).limit(_CHUNK)).all()
        if not rows:
            return
        last = int(rows[-1].id)
        for row in rows:
            result = load(row.result)
            yield {
                "scoring": int(row.id),
                "run": int(row.run_id),
                "kind": row.kind,
                "assessment": int(row.assessment_id),
                "instansi": row.name,
                "category": row.category,
                "region": row.region,
                "code": row.code,
                "year": row.year,
                "source": row.source,
                "printed_index": row.printed_index,
                "printed_predikat": row.printed_predikat,
                "rubric": row.rubric_id,
                "rubric_sha256": row.rubric_sha256,
                "from_rubric": row.source_rubric_id,
                "missing_policy": row.missing_policy,
                "status": row.status,
                "index": result.get("index"),
                "exact_index": result.get("exact_index"),
                "index_candidates": list(result.get("index_candidates") or []),
                "predikat": result.get("predikat"),
                "predikat_candidates": list(result.get("predikat_candidates") or []),
                "comparability": row.comparability,
                "coverage": result.get("coverage"),
                "message": result.get("message") or "",
                "engine_version": row.engine_version,
                "plugin": row.plugin,
                "scored_at": row.scored_at.isoformat(),
            }


def export(connection: Connection, where: Where, fmt: str, out: IO[str] | Path) -> int:
    """Write visible scorings matching ``where`` as ``fmt``; return how many rows were written.

    ``out`` is a text stream for CSV and JSON Lines, a file path for Parquet.
    """
    if fmt not in FORMATS:
        raise InputError("unknown export format", field="--format", value=fmt, allowed=", ".join(FORMATS))
    rows = _rows(connection, where)
    if fmt == "parquet":
        if not isinstance(out, Path):
            raise InputError("Parquet is written to a file", field="--out", allowed="--out FILE.parquet")
        return _parquet(rows, out)
    assert not isinstance(out, Path)
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            ";".join(v) if isinstance(v, list) else ("" if v is None else v) for v in (row[c] for c in COLUMNS)
        )
        count += 1
    return count


def _parquet(rows: Iterator[dict[str, Any]], path: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Parquet export needs pyarrow", field="--format", allowed=install_hint("fast")) from None
    text = pa.string()
    schema = pa.schema(
        [
            ("scoring", pa.int64()),
            ("run", pa.int64()),
            ("kind", text),
            ("assessment", pa.int64()),
            ("instansi", text),
            ("category", text),
            ("region", text),
            ("code", text),
            ("year", pa.int32()),
            ("source", text),
            ("printed_index", text),
            ("printed_predikat", text),
            ("rubric", text),
            ("rubric_sha256", text),
            ("from_rubric", text),
            ("missing_policy", text),
            ("status", text),
            ("index", pa.decimal128(18, 2)),
            ("exact_index", text),
            ("index_candidates", pa.list_(text)),
            ("predikat", text),
            ("predikat_candidates", pa.list_(text)),
            ("comparability", text),
            ("coverage", text),
            ("message", text),
            ("engine_version", text),
            ("plugin", text),
            ("scored_at", text),
        ]
    )
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            index = row["index"]
            if index is not None:
                exact = Decimal(index)
                if exact != exact.quantize(Decimal("0.01")):
                    raise InputError(
                        "an index with more than 2 decimals cannot be a decimal(18, 2) column", value=index
                    )
                row["index"] = exact
            batch.append(row)
            if len(batch) >= _CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count

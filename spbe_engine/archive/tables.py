"""The archive's tables: SQLAlchemy Core, the same on SQLite and PostgreSQL.

Append-only: rows are inserted, never updated or deleted. Exact numbers are
text (``"2.15"``, ``"2981/1000"``), never float columns; a scoring's full
result is JSON text written by :func:`spbe_engine.archive.records.dump`.

- ``instansi``: one row per agency, keyed by its casefolded name;
- ``assessment``: what a source printed for one instansi and year (levels,
  published domain values, or only an index and predikat), with its origin
  and a content hash that makes re-importing the same content a no-op;
- ``run_start`` / ``run``: a run (an import or a rescore) is *started* by a
  ``run_start`` row and *recorded* by its ``run`` row, written last, in the
  run's final transaction. Scorings and assessments point at ``run_start``;
  only those whose run is recorded are visible, so a killed run leaves
  nothing half-visible, and the next run with the same parameters adopts it;
- ``scoring``: one assessment scored under one rubric in one run.

Alembic migrations (:mod:`spbe_engine.archive.migrations`) create these; a
test checks that the migrated schema equals this metadata on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["ID", "assessment", "instansi", "metadata", "run", "run_start", "scoring"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Row ids: 64-bit on PostgreSQL, SQLite's rowid alias there.
ID = BigInteger().with_variant(Integer(), "sqlite")
_TIME = DateTime(timezone=True)
_SHA = String(64)
_NAME = String(128)

instansi = Table(
    "instansi",
    metadata,
    Column("id", ID, primary_key=True),
    Column("key", String(512), nullable=False, unique=True, comment="the name casefolded, spaces collapsed"),
    Column("name", Text, nullable=False, comment="as first imported"),
    Column("category", Text),
    Column("region", Text),
    Column("code", String(64)),
    Column("created_at", _TIME, nullable=False),
)

run_start = Table(
    "run_start",
    metadata,
    Column("uuid", String(32), primary_key=True),
    Column("kind", String(16), nullable=False, comment="import or rescore"),
    Column("params", Text, nullable=False, comment="JSON: what the run does"),
    Column("params_sha256", _SHA, nullable=False, index=True, comment="the run to adopt when it was left unfinished"),
    Column("command", Text, nullable=False, comment="the command line or request that started it"),
    Column("started_at", _TIME, nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
)

run = Table(
    "run",
    metadata,
    Column("id", ID, primary_key=True, comment="the run number people type"),
    Column("uuid", String(32), ForeignKey("run_start.uuid"), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("params", Text, nullable=False),
    Column("command", Text, nullable=False),
    Column("started_at", _TIME, nullable=False),
    Column("finished_at", _TIME, nullable=False),
    Column("rows", Integer, nullable=False, comment="assessments imported or scored"),
    Column("counts", Text, nullable=False, comment="JSON: scorings by status, duplicates, refused rows"),
    Column("outcome", Text, nullable=False),
    Column("engine_version", _NAME, nullable=False),
)

assessment = Table(
    "assessment",
    metadata,
    Column("id", ID, primary_key=True),
    Column("instansi_id", ID, ForeignKey("instansi.id"), nullable=False, index=True),
    Column("year", Integer, index=True),
    Column("rubric", _NAME, comment="the rubric the source named, if any"),
    Column("kind", String(16), nullable=False, comment="levels, aggregates or printed (index and predikat only)"),
    Column("scores", Text, nullable=False, comment="JSON: indicator levels or published values as printed"),
    Column("printed_index", String(32)),
    Column("printed_predikat", _NAME),
    Column("source", Text),
    Column("origin_file", Text, nullable=False),
    Column("origin_sha256", _SHA),
    Column("origin_row", Integer),
    Column("origin_line", Integer),
    Column("input", Text, nullable=False, comment="JSON: the row's columns as given"),
    Column("content_sha256", _SHA, nullable=False, unique=True),
    Column("run_uuid", String(32), ForeignKey("run_start.uuid"), nullable=False, index=True),
    Column("imported_at", _TIME, nullable=False),
)

scoring = Table(
    "scoring",
    metadata,
    Column("id", ID, primary_key=True),
    Column("assessment_id", ID, ForeignKey("assessment.id"), nullable=False),
    Column("run_uuid", String(32), ForeignKey("run_start.uuid"), nullable=False),
    Column("kind", String(16), nullable=False, comment="score (its own rubric) or rescore"),
    Column("rubric_id", _NAME),
    Column("rubric_sha256", _SHA),
    Column("source_rubric_id", _NAME),
    Column("source_rubric_sha256", _SHA),
    Column("crosswalk_sha256", _SHA),
    Column("missing_policy", String(32)),
    Column("engine_version", _NAME, nullable=False),
    Column("plugin", _NAME),
    Column("plugin_version", _NAME),
    Column("status", String(16), nullable=False),
    Column("index_text", String(32), comment="the published index, where one is determined"),
    Column("predikat", _NAME),
    Column("comparability", String(16)),
    Column("result", Text, nullable=False, comment="JSON: the row's result columns, as spbe batch/rescore give them"),
    Column("scored_at", _TIME, nullable=False),
    UniqueConstraint("run_uuid", "assessment_id"),
    Index(None, "assessment_id"),
    Index(None, "rubric_id", "status"),
    Index(None, "predikat"),
)

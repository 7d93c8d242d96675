"""The first schema: instansi, assessment, run_start, run and scoring.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "instansi",
        sa.Column("id", _ID, nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False, comment="the name casefolded, spaces collapsed"),
        sa.Column("name", sa.Text(), nullable=False, comment="as first imported"),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instansi")),
        sa.UniqueConstraint("key", name=op.f("uq_instansi_key")),
    )
    op.create_table(
        "run_start",
        sa.Column("uuid", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="import or rescore"),
        sa.Column("params", sa.Text(), nullable=False, comment="JSON: what the run does"),
        sa.Column(
            "params_sha256",
            sa.String(length=64),
            nullable=False,
            comment="the run to adopt when it was left unfinished",
        ),
        sa.Column("command", sa.Text(), nullable=False, comment="the command line or request that started it"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_run_start")),
    )
    op.create_index(op.f("ix_run_start_params_sha256"), "run_start", ["params_sha256"], unique=False)
    op.create_table(
        "assessment",
        sa.Column("id", _ID, nullable=False),
        sa.Column("instansi_id", _ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("rubric", sa.String(length=128), nullable=True, comment="the rubric the source named, if any"),
        sa.Column(
            "kind",
            sa.String(length=16),
            nullable=False,
            comment="levels, aggregates or printed (index and predikat only)",
        ),
        sa.Column("scores", sa.Text(), nullable=False, comment="JSON: indicator levels or published values as printed"),
        sa.Column("printed_index", sa.String(length=32), nullable=True),
        sa.Column("printed_predikat", sa.String(length=128), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("origin_file", sa.Text(), nullable=False),
        sa.Column("origin_sha256", sa.String(length=64), nullable=True),
        sa.Column("origin_row", sa.Integer(), nullable=True),
        sa.Column("origin_line", sa.Integer(), nullable=True),
        sa.Column("input", sa.Text(), nullable=False, comment="JSON: the row's columns as given"),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("run_uuid", sa.String(length=32), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instansi_id"], ["instansi.id"], name=op.f("fk_assessment_instansi_id_instansi")),
        sa.ForeignKeyConstraint(["run_uuid"], ["run_start.uuid"], name=op.f("fk_assessment_run_uuid_run_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_assessment_content_sha256")),
    )
    op.create_index(op.f("ix_assessment_instansi_id"), "assessment", ["instansi_id"], unique=False)
    op.create_index(op.f("ix_assessment_run_uuid"), "assessment", ["run_uuid"], unique=False)
    op.create_index(op.f("ix_assessment_year"), "assessment", ["year"], unique=False)
    op.create_table(
        "run",
        sa.Column("id", _ID, nullable=False, comment="the run number people type"),
        sa.Column("uuid", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False, comment="assessments imported or scored"),
        sa.Column("counts", sa.Text(), nullable=False, comment="JSON: scorings by status, duplicates, refused rows"),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("engine_version", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["uuid"], ["run_start.uuid"], name=op.f("fk_run_uuid_run_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
        sa.UniqueConstraint("uuid", name=op.f("uq_run_uuid")),
    )
    op.create_table(
        "scoring",
        sa.Column("id", _ID, nullable=False),
        sa.Column("assessment_id", _ID, nullable=False),
        sa.Column("run_uuid", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="score (its own rubric) or rescore"),
        sa.Column("rubric_id", sa.String(length=128), nullable=True),
        sa.Column("rubric_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_rubric_id", sa.String(length=128), nullable=True),
        sa.Column("source_rubric_sha256", sa.String(length=64), nullable=True),
        sa.Column("crosswalk_sha256", sa.String(length=64), nullable=True),
        sa.Column("missing_policy", sa.String(length=32), nullable=True),
        sa.Column("engine_version", sa.String(length=128), nullable=False),
        sa.Column("plugin", sa.String(length=128), nullable=True),
        sa.Column("plugin_version", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "index_text", sa.String(length=32), nullable=True, comment="the published index, where one is determined"
        ),
        sa.Column("predikat", sa.String(length=128), nullable=True),
        sa.Column("comparability", sa.String(length=16), nullable=True),
        sa.Column(
            "result",
            sa.Text(),
            nullable=False,
            comment="JSON: the row's result columns, as spbe batch/rescore give them",
        ),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name=op.f("fk_scoring_assessment_id_assessment")),
        sa.ForeignKeyConstraint(["run_uuid"], ["run_start.uuid"], name=op.f("fk_scoring_run_uuid_run_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring")),
        sa.UniqueConstraint("run_uuid", "assessment_id", name=op.f("uq_scoring_run_uuid_assessment_id")),
    )
    op.create_index(op.f("ix_scoring_assessment_id"), "scoring", ["assessment_id"], unique=False)
    op.create_index(op.f("ix_scoring_predikat"), "scoring", ["predikat"], unique=False)
    op.create_index(op.f("ix_scoring_rubric_id_status"), "scoring", ["rubric_id", "status"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("the archive is append-only: its schema moves forward only")

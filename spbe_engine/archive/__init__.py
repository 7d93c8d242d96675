"""The assessment archive: every assessment and every scoring of it, on SQLite or PostgreSQL.

Needs the ``archive`` extra (SQLAlchemy, Alembic, psycopg). The public face
is :class:`Archive` and the records its methods return; see
``docs/archive.md``.
"""

from .archive import Archive
from .checks import AuditReport, VerifyReport
from .errors import ArchiveError
from .importer import ImportReport
from .queries import AssessmentView, History, Page, RunDiff
from .rescoring import RescoreReport
from .runs import RunInfo
from .urls import masked, resolve_url

__all__ = [
    "Archive",
    "ArchiveError",
    "AssessmentView",
    "AuditReport",
    "History",
    "ImportReport",
    "Page",
    "RescoreReport",
    "RunDiff",
    "RunInfo",
    "VerifyReport",
    "masked",
    "resolve_url",
]

"""Fixtures for the archive's tests: the same tests on a SQLite file and on a real PostgreSQL.

PostgreSQL comes from ``SPBE_TEST_PG_URL`` (``.ci/run`` starts the server and
sets it): each test gets a schema of its own on that database (its
``search_path``), dropped afterwards. Without the variable the PostgreSQL
cases are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ENV = "SPBE_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def pg_base_url() -> str:
    """Return the test PostgreSQL URL, or skip (fail under CI) when none is configured."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{PG_ENV} is not set: .ci/run must start PostgreSQL and export it")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (see .ci/run for how CI starts the server)")
    return url


def with_options(url: str, *options: str) -> str:
    """Return ``url`` with libpq ``-c`` options (search_path, timeouts, read-only) added to its ``options``."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    given = parsed.query.get("options", "")
    text = " ".join([*([given] if isinstance(given, str) and given else []), *(f"-c{o}" for o in options)])
    return parsed.update_query_dict({"options": text}).render_as_string(hide_password=False)


@contextlib.contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Give a fresh, empty database URL: a SQLite file, or a PostgreSQL schema of the test's own."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite'}"
        return
    base = pg_base_url()
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield with_options(base, f"search_path={schema}")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def level_rows(
    count: int, *, seed: int = 1, years: tuple[int, ...] = (2024,), agencies: int | None = None
) -> list[dict[str, object]]:
    """Return ``count`` generated indicator-level rows under the 59/2020 indicators (I1..I47)."""
    rng = random.Random(seed)
    agencies = agencies or count
    rows = []
    for n in range(count):
        row: dict[str, object] = {
            "instansi": f"Instansi Uji {n % agencies:06d}",
            "year": years[(n // agencies) % len(years)],
        }
        row.update({f"I{i}": rng.randint(1, 5) for i in range(1, 48)})
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    """Write rows as a batch CSV; return the path."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path

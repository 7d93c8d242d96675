"""Alembic's environment: migrate the connection the archive hands over, never one of its own.

:meth:`spbe_engine.archive.store.Store.upgrade` puts an open connection in
``config.attributes["connection"]``, so a migration can only reach the
archive's own database. SQLite needs batch mode to alter tables.
"""

from __future__ import annotations

from alembic import context

from spbe_engine.archive.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():  # pragma: no cover - only reachable from a hand-made config
    raise RuntimeError("the archive's migrations run on a connection from spbe_engine.archive, online")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

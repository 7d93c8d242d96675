"""The archive's Alembic migrations: ``env.py`` and ``versions/``, shipped inside the package.

Run through :meth:`spbe_engine.archive.Archive.upgrade` (``spbe archive
upgrade``); there is no ``alembic.ini``: the configuration is built in code.
"""

"""The ``spbe`` command line: rich tables for people, ``--json`` for programs.

Exit codes: 0 success; 1 a batch finished but some rows had errors (each is
reported on its row); 2 bad input, an unknown rubric or a usage error (one
line on stderr); 70 an internal fault (one line; ``SPBE_DEBUG=1`` shows the
traceback).
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import SpbeError

__all__ = ["main"]

EXIT_ROW_ERRORS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


def main(argv: list[str] | None = None) -> int:
    """Run the ``spbe`` command; return its exit code instead of raising."""
    from .app import cli

    try:
        result = cli.main(args=argv, prog_name="spbe", standalone_mode=False)
    except SpbeError as exc:
        click.echo(f"spbe: error: {exc}", err=True)
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("spbe: aborted", err=True)
        return EXIT_BAD_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:
        if os.environ.get("SPBE_DEBUG"):
            raise
        click.echo(f"spbe: internal error: {type(exc).__name__}: {exc} (set SPBE_DEBUG=1 for details)", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())

"""Command-line entry point: ``nullsight SUBCOMMAND ...``.

User-facing problems (:class:`nullsight.errors.NullsightError`) become one line
on stderr and a non-zero exit; ``NULLSIGHT_DEBUG=1`` shows the traceback.
"""

from __future__ import annotations

import os
import sys

from ..errors import NullsightError
from .app import app
from .common import set_argv

# Importing the command modules registers their commands on ``app``.
from . import audit as _audit  # noqa: F401,E402
from . import data as _data  # noqa: F401,E402
from . import report as _report  # noqa: F401,E402
from . import collide as _collide  # noqa: F401,E402
from . import stego as _stego  # noqa: F401,E402
from . import train as _train  # noqa: F401,E402


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    set_argv(argv)
    try:
        app(args=argv, standalone_mode=False)
    except NullsightError as exc:
        if os.environ.get("NULLSIGHT_DEBUG"):
            raise
        print(f"nullsight: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nullsight: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # typer's own exits (--help, bad usage)
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors and friends
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0

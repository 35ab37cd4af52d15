"""Command-line entry point: ``nullsight SUBCOMMAND ...``.

The error contract: user-facing problems (:class:`nullsight.errors.NullsightError`)
become one line on stderr and exit 2; so do usage errors (click's message and
the command's ``--help``); Ctrl-C prints ``nullsight: interrupted`` and exits 130; SIGTERM
removes unfinished temporary files and exits 143.  Every command's outputs are
written as one unit (:func:`nullsight.io.output_group`): after a failure no new
file is left.  ``NULLSIGHT_DEBUG=1`` shows the traceback of a user-facing error.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from typing import Iterator

from ..errors import NullsightError
from ..io import output_group, remove_temporaries
from .app import app
from .common import set_argv

# The host's own commands; every capability's commands come from its declaration (nullsight.capabilities).
from . import data as _data  # noqa: F401,E402
from . import report as _report  # noqa: F401,E402
from . import schema as _schema  # noqa: F401,E402
from .discovery import register_capability_commands  # noqa: E402

register_capability_commands(app)

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives, so that ``finally`` blocks and atomic writes clean up."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    set_argv(argv)
    try:
        with _sigterm_raises(), output_group():
            _invoke(sys.argv[1:] if argv is None else list(argv))
    except NullsightError as exc:
        if os.environ.get("NULLSIGHT_DEBUG"):
            raise
        from ..errors import one_line

        print(f"nullsight: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        remove_temporaries()
        print("nullsight: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        remove_temporaries()
        print("nullsight: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except BrokenPipeError:  # `nullsight ... | head`
        _silence_stdout()
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:
        code = _click_exit(exc)
        if code is None:
            raise
        return code
    return 0


def _invoke(args: list[str]) -> None:
    """Parse and run one command line with typer's click command, letting every exception through."""
    import typer

    command = typer.main.get_command(app)
    with command.make_context("nullsight", args) as ctx:
        command.invoke(ctx)


def _click_exit(exc: Exception) -> int | None:
    """The exit code of click's (or typer's copy of click's) own exceptions, recognised by behaviour.

    Usage errors carry ``exit_code`` and ``show()``; they are reported in one
    line naming the command (:func:`_usage_line`); ``Exit`` (``--help``, ``ctx.exit()``) carries ``exit_code``
    alone; ``Abort`` is neither and exits 1; a bare group (no arguments) prints its help and exits 0, as click
    did before 8.2.  Anything else is a bug: ``None``.
    """
    code = getattr(exc, "exit_code", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
        text = exc.ctx.get_help()  # a bare `nullsight` / `nullsight stego`: the help on stdout (rich prints it itself)
        if text:
            print(text)
        return 0
    if isinstance(code, int) and callable(getattr(exc, "show", None)):
        _usage_line(exc)
        return code
    if isinstance(code, int) and type(exc).__name__ == "Exit":
        return code
    if type(exc).__name__ == "Abort":
        print("nullsight: aborted", file=sys.stderr)
        return 1
    return None


def _usage_line(exc: Exception) -> None:
    """A usage error in one line on stderr: ``nullsight: error: MESSAGE (see: COMMAND --help)``."""
    from ..errors import one_line

    format_message = getattr(exc, "format_message", None)
    message = one_line(format_message() if callable(format_message) else exc)  # type: ignore[arg-type]
    ctx = getattr(exc, "ctx", None)
    where = f" (see: {ctx.command_path} --help)" if ctx is not None and getattr(ctx, "command_path", "") else ""
    print(f"nullsight: error: {message}{where}", file=sys.stderr)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the command runs, SIGTERM raises :class:`Terminated` (main thread only; restored afterwards)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

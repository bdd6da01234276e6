"""translator: the command-line client of the translator gRPC API."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from translator.cli import app

# The conventional exit status of a process whose output pipe was closed (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``translator`` command; the return value is the process exit code."""
    try:
        return app.run(argv)
    except BrokenPipeError:
        # The reader went away (e.g. `translator server list | head`): stop quietly.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())

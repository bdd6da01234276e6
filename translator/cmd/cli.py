"""translator: the command-line client of the translator gRPC API."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from translator.cli import app


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``translator`` command; the return value is the process exit code."""
    return app.run(argv)


if __name__ == "__main__":
    sys.exit(main())

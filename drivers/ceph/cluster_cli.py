"""Options of ``translator-sim ceph`` and the credentials file it writes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from translator_drivers.ceph.cluster_conf import write_private

_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """Bytes from ``4294967296``, ``4G``, ``4GiB``, ``512M``..."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = _UNITS.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        size = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", metavar="DIR",
                        help="cluster directory, kept at exit (default: a new temporary "
                             "one, removed at exit)")
    parser.add_argument("--objectstore", choices=("memstore", "bluestore"), default="memstore",
                        help="memstore (fastest; data held in RAM twice) or bluestore on a "
                             "sparse file (for GiB-sized data)")
    parser.add_argument("--store-bytes", type=parse_size, default=2 * 1024**3, metavar="SIZE",
                        help="OSD capacity in bytes, or with a K/M/G/T suffix (default 2G)")
    parser.add_argument("--rgw-port", type=int, metavar="PORT",
                        help="radosgw port (default: any free port)")
    parser.add_argument("--credentials-file", metavar="PATH",
                        help="write endpoints, keys and the ceph.conf path as JSON here "
                             "(mode 0600); the keys are never printed")


def write_credentials(path: str, data: dict[str, Any]) -> None:
    write_private(path, json.dumps(data, indent=2) + "\n")

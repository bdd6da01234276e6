"""The malloc arena cap, on this machine's C library."""

from __future__ import annotations

import subprocess
import sys

from translator.memory import limit_malloc_arenas


def test_zero_leaves_glibc_alone():
    assert limit_malloc_arenas(0) is False


def test_the_cap_is_accepted_by_glibc():
    # In a child: the cap is process-wide and this test run needs no change.
    code = "from translator.memory import limit_malloc_arenas; print(limit_malloc_arenas(2))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=30).stdout.strip()
    assert out == "True"

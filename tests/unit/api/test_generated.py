"""The committed translator/api/v1 must be what protos/ generates."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_generated_code_is_fresh():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "genproto.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

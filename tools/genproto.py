"""Regenerate translator/api/v1 from protos/ (tox -e genproto).

With --check, generate into a temporary directory and fail when the committed
files differ, so a stale generated tree cannot pass the test run.
"""

from __future__ import annotations

import argparse
import filecmp
import pathlib
import shutil
import sys
import tempfile

import grpc_tools
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "translator" / "api" / "v1"


def generate(dest: pathlib.Path) -> None:
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    sources = sorted(str(p.relative_to(PROTOS))
                     for p in (PROTOS / "translator" / "v1").glob("*.proto"))
    # googleapis-common-protos ships the google/api and google/rpc .proto
    # files, but google/longrunning/operations.proto only under the name
    # operations_proto.proto: expose it under its real import path.
    from google.longrunning import operations_proto_pb2
    longrunning = pathlib.Path(operations_proto_pb2.__file__).parent
    googleapis = longrunning.parent.parent
    shim = dest / "_include"
    (shim / "google" / "longrunning").mkdir(parents=True)
    shutil.copyfile(longrunning / "operations_proto.proto",
                    shim / "google" / "longrunning" / "operations.proto")
    args = ["protoc", f"-I{PROTOS}", f"-I{shim}", f"-I{googleapis}", f"-I{include}",
            f"--python_out={dest}", f"--pyi_out={dest}", f"--grpc_python_out={dest}", *sources]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")


def _rewrite_imports(path: pathlib.Path) -> None:
    """protos/translator/v1 (package translator.v1) generates into translator/api/v1."""
    text = path.read_text()
    text = text.replace("from translator.v1 import", "from translator.api.v1 import")
    text = text.replace("import translator.v1.", "import translator.api.v1.")
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    check = parser.parse_args().check
    with tempfile.TemporaryDirectory() as tmp:
        generate(pathlib.Path(tmp))
        fresh = pathlib.Path(tmp) / "translator" / "v1"
        names = sorted(p.name for p in fresh.iterdir() if p.is_file())
        for name in names:
            _rewrite_imports(fresh / name)
        if check:
            stale = [n for n in names if not (OUT / n).exists()
                     or not filecmp.cmp(fresh / n, OUT / n, shallow=False)]
            if stale:
                print("stale generated code, run tox -e genproto:", ", ".join(stale))
                return 1
            return 0
        for name in names:
            (OUT / name).write_text((fresh / name).read_text())
        print("wrote", ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Sourced by tools/serve and tools/test: make .venv with the project installed.
# Works on a fresh Debian 12 as root; idempotent and quick when already done.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    else
        echo "please install: $*" >&2; exit 1
    fi
}

if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install python3-venv python3-pip
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat "$ROOT/setup.cfg" "$ROOT/test-requirements.txt" | sha1sum | cut -c1-12)"
if [ ! -e "$stamp" ]; then
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e "$ROOT" -r "$ROOT/test-requirements.txt" "tox>=4.20,<5"
    rm -f "$VENV"/.installed-*; touch "$stamp"
fi

"""translator-sim: run one backend stand-in standalone, e.g. ``translator-sim cloudstack``.

A stand-in is a wire-faithful simulator (CloudStack) or a real throwaway
backend (Ceph). Both are plugins (entry point namespace ``translator.simulators``); each
adds its own options. Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from stevedore import extension

NAMESPACE = "translator.simulators"
LOG = logging.getLogger("translator.sim")


def _summary(plugin, name: str) -> str:
    """The first sentence of the plugin's docstring, for --help."""
    doc = " ".join((plugin.__doc__ or "").split())
    return doc.split(". ")[0].split(": ")[0].rstrip(".") or f"the {name} backend"


def main(argv: list[str] | None = None) -> int:
    manager = extension.ExtensionManager(namespace=NAMESPACE, invoke_on_load=False)
    parser = argparse.ArgumentParser(prog="translator-sim", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="log every request")
    backends = parser.add_subparsers(dest="backend", required=True, metavar="BACKEND")
    for ext in sorted(manager, key=lambda e: e.name):
        sub = backends.add_parser(ext.name, help=_summary(ext.plugin, ext.name))
        ext.plugin.add_arguments(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    simulator = manager[args.backend].plugin.from_args(args)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    simulator.start()
    LOG.info("%s simulator listening at %s", args.backend, simulator.endpoint)
    stop.wait()
    simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

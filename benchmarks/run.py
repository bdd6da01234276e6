"""Run the translator benchmarks: ``python benchmarks/run.py [--only P1,P2,...] [--quick]``.

Every figure is a ratio or a count measured against baselines of the same
run (absolute times on shared machines are noise), repeated over rounds and
reported as median, min and max against its target. The table is printed at
the end and ``benchmarks/RESULTS.md`` is updated (see results.py).

Exit status: 0 when every selected figure was measured (whether or not it met
its target), 1 when a measurement failed, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import signal
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script from anywhere, and in spawned children
    sys.path.insert(0, str(HERE))

import p1_overhead  # noqa: E402
import p2_throughput  # noqa: E402
import p3_objects  # noqa: E402
import p4_boot_storm  # noqa: E402
import p5_requests  # noqa: E402
import p6_scale  # noqa: E402
import p7_lb_requests  # noqa: E402
import results  # noqa: E402
from common import Settings  # noqa: E402

PARTS: list[results.Part] = [*p1_overhead.PARTS, *p2_throughput.PARTS, *p3_objects.PARTS,
                             *p4_boot_storm.PARTS, *p5_requests.PARTS, *p6_scale.PARTS,
                             *p7_lb_requests.PARTS]
#: Longest time one part may take before it is abandoned as FAILED (full, quick).
PART_LIMIT_SECONDS = (300, 90)
#: Share of the machine's CPU used by other processes above which a part is flagged NOISY.
NOISY_SHARE = 0.10


class PartTimeout(Exception):
    """A part ran past its time limit."""


class ForeignCpu:
    """CPU time the rest of the machine used while a part ran: all CPUs' busy time
    (/proc/stat) minus this process's and its reaped children's (os.times; every part waits
    for the processes it started). A busy neighbour makes that part's figures suspect."""

    def __init__(self) -> None:
        self._start = self._busy() - self._ours()
        self._clock = time.monotonic()

    @staticmethod
    def _busy() -> float:
        # user, nice, system; interrupt time is left out: our own loopback traffic's
        # softirq work is counted there and belongs to no process.
        with open("/proc/stat", encoding="ascii") as stat:
            user, nice, system = map(int, stat.readline().split()[1:4])
        return (user + nice + system) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _ours() -> float:
        used = os.times()
        return used.user + used.system + used.children_user + used.children_system

    def share(self) -> tuple[float, float]:
        """(CPU seconds used by others, as a fraction of all CPUs over the time elapsed)."""
        seconds = max(0.0, self._busy() - self._ours() - self._start)
        elapsed = max(time.monotonic() - self._clock, 1e-9)
        return seconds, seconds / (elapsed * (os.cpu_count() or 1))


def select(only: str) -> list[results.Part]:
    """Parts named by ``--only``: "all", ids ("P6b") or prefixes ("P6": P6a and P6b)."""
    tokens = [t.strip().upper() for t in only.split(",") if t.strip()]
    if not tokens or "ALL" in tokens:
        return list(PARTS)
    chosen = []
    for token in tokens:
        matches = [p for p in PARTS if p.id.upper().startswith(token)]
        if not matches:
            known = ", ".join(p.id for p in PARTS)
            raise ValueError(f"no benchmark {token!r} (known: {known}, all)")
        chosen.extend(p for p in matches if p not in chosen)
    return [p for p in PARTS if p in chosen]


def run_part(part: results.Part, settings: Settings) -> list[results.Figure]:
    """Run one part under a time limit; whatever it could not measure is FAILED, with why."""
    figures = {f.id: f for f in part.declare()}
    limit = PART_LIMIT_SECONDS[1 if settings.quick else 0]

    def expire(signum: int, frame: object) -> None:
        raise PartTimeout(f"{part.id} ran past its {limit} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(limit)
    try:
        part.run(settings, figures)
    except Exception as error:  # noqa: BLE001 - one failed part must not end the run
        reason = f"{type(error).__name__}: {error}"
        for figure in figures.values():
            if not figure.samples and not figure.error:
                figure.failed(reason)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return list(figures.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="all", metavar="P1,P2,...",
                        help="benchmarks to run: ids or prefixes (P1, P2, P4, P5, P5a, P6b...), "
                             "or all (default)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and smaller N: a smoke test (under 2 minutes)")
    parser.add_argument("--results", type=pathlib.Path, default=HERE / "RESULTS.md",
                        help="the RESULTS.md to update (default: %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--commit", metavar="LABEL",
                        help="record LABEL as the commit measured, instead of this checkout's "
                             "(when PYTHONPATH points the run at another tree, e.g. an older "
                             "commit exported with git archive)")
    args = parser.parse_args(argv)
    try:
        parts = select(args.only)
    except ValueError as error:
        parser.error(str(error))
    mode = "quick" if args.quick else "full"
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = args.commit or results.commit(HERE.parent)
    environment = results.environment([])  # the load average before we add to it
    started = time.monotonic()
    figures: list[results.Figure] = []
    neighbours = []
    with tempfile.TemporaryDirectory(prefix="translator-bench-") as workdir:
        settings = Settings(quick=args.quick, workdir=pathlib.Path(workdir))
        for part in parts:
            print(f"== {part.id} ({mode})", flush=True)
            part_start, foreign = time.monotonic(), ForeignCpu()
            measured = run_part(part, settings)
            for figure in measured:
                print(f"   {results.describe(figure)}", flush=True)
            seconds, share = foreign.share()
            neighbours.append(f"{part.id} {seconds:.1f} s ({share:.0%})"
                              + (" NOISY" if share > NOISY_SHARE else ""))
            print(f"   {part.id} took {time.monotonic() - part_start:.1f} s; other processes "
                  f"used {seconds:.1f} CPU-s ({share:.0%} of the machine)", flush=True)
            figures.extend(measured)
    elapsed = time.monotonic() - started
    print()
    results.print_table(figures)
    summary = (f"{mode} run of {', '.join(p.id for p in parts)} took {elapsed:.0f} s "
               f"({elapsed / 60:.1f} min) at {commit}")
    print(f"\n{summary}")
    if not args.no_write:
        results.write(args.results, figures, date=date, commit=commit, mode=mode,
                      environment=environment + [
                          f"- {summary}",
                          "- CPU used by other processes during each part (share of the "
                          f"machine): {', '.join(neighbours)}"])
        print(f"wrote {args.results}")
    return 1 if any(f.verdict == "FAILED" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())

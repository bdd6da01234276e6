"""Figures, the table printed at the end of a run, and ``benchmarks/RESULTS.md``.

RESULTS.md keeps the latest result of every figure (each row with the date
and commit it was measured at, so a partial ``--only`` run updates only its
own rows) and a History section to which every run appends one line per
figure; earlier lines are never rewritten.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import platform
import re
import subprocess
from collections.abc import Callable
from typing import Any

from common import Summary, summarize

HEADER = ["id", "measure", "median", "min", "max", "target", "met?", "date", "commit"]
LATEST = "## Latest run"
HISTORY = "## History"
_SYMBOLS = {"<=": "≤", ">=": "≥", "==": "="}
_REASON_CHARS = 160


@dataclasses.dataclass(frozen=True)
class Target:
    """A bound on a figure, e.g. ``Target("<=", 1.5)``: judged on the median of the rounds,
    or on their max (``of="max"``) for a ceiling that no round may break, such as a peak."""

    op: str
    value: float
    of: str = "median"

    def __post_init__(self) -> None:
        if self.op not in _SYMBOLS or self.of not in ("median", "max"):
            raise ValueError(f"unknown target {self.op!r} on {self.of!r}")

    def met(self, summary: Summary) -> bool:
        judged = summary.max if self.of == "max" else summary.median
        if self.op == "<=":
            return judged <= self.value
        if self.op == ">=":
            return judged >= self.value
        return judged == self.value

    def __str__(self) -> str:
        text = f"{_SYMBOLS[self.op]} {self.value:g}"
        return text if self.of == "median" else f"{self.of} {text}"


@dataclasses.dataclass
class Figure:
    """One measured figure: its samples (one per round), target, and what went wrong."""

    id: str
    measure: str
    unit: str = ""
    target: Target | None = None
    samples: list[float] = dataclasses.field(default_factory=list)
    error: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def summary(self) -> Summary | None:
        return summarize(self.samples) if self.samples else None

    @property
    def verdict(self) -> str:
        """PASS / FAIL against the target, FAILED when not measured, else "info" for a
        figure reported without a target."""
        summary = self.summary
        if self.error or summary is None:
            return "FAILED"
        if self.target is None:
            return "info"
        return "PASS" if self.target.met(summary) else "FAIL"

    def failed(self, reason: str) -> Figure:
        """This figure marked as not measured, with the reason."""
        self.error = " ".join(reason.split())[:_REASON_CHARS] or "failed"
        return self


def format_value(value: float, unit: str = "") -> str:
    """A short, human-scaled number: integers as such, else 1-3 decimals by magnitude."""
    if float(value).is_integer() and abs(value) < 1e9:
        text = str(int(value))
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 0.1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.4f}"
    return f"{text} {unit}" if unit else text


def cells(figure: Figure, date: str, commit: str) -> list[str]:
    """The figure's row of the Latest run table."""
    summary = figure.summary
    numbers = ([format_value(v, figure.unit) for v in (summary.median, summary.min, summary.max)]
               if summary else ["—", "—", "—"])
    met = figure.verdict if not figure.error else f"FAILED: {figure.error}"
    target = str(figure.target) if figure.target else "—"
    return [_clean(c) for c in [figure.id, figure.measure, *numbers, target, met, date, commit]]


def _clean(text: str) -> str:
    return " ".join(str(text).replace("|", "/").split())


def table(rows: list[list[str]], header: list[str]) -> list[str]:
    """Rows as a Markdown table (also readable as plain text)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
            *(line(r) for r in rows)]


def print_table(figures: list[Figure]) -> None:
    """The end-of-run summary on stdout."""
    rows = [cells(f, "", "")[:7] for f in figures]
    print("\n".join(table(rows, HEADER[:7])))


def describe(figure: Figure) -> str:
    """One line: ``P1: 1.23 (min 1.10, max 1.40, n=5), target ≤ 1.5 → PASS``."""
    summary = figure.summary
    value = ("not measured" if summary is None else
             f"{format_value(summary.median, figure.unit)} (min {format_value(summary.min)}, "
             f"max {format_value(summary.max)}, n={summary.n})")
    target = f", target {figure.target}" if figure.target else ""
    verdict = f"FAILED: {figure.error}" if figure.error else figure.verdict
    return _clean(f"{figure.id}: {value}{target} → {verdict}")


def history_line(figure: Figure, date: str, commit: str, mode: str) -> str:
    return f"- {date} · {commit} · {mode} · {describe(figure)}"


def _sort_key(figure_id: str) -> list:
    """Natural order: P2@1 < P2@16 < P2@64, P6a-1k < P6a-10k."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", figure_id)]


def parse(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The Latest run rows by id, and the History lines, of an existing RESULTS.md."""
    rows: dict[str, list[str]] = {}
    history: list[str] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line.strip()
        elif section == LATEST and line.startswith("|") and not line.startswith("|-"):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(row) == len(HEADER) and row != HEADER:
                rows[row[0]] = row
        elif section == HISTORY and line.startswith("- "):
            history.append(line.rstrip())
    return rows, history


def render(figures: list[Figure], *, date: str, commit: str, mode: str,
           environment: list[str], previous: str = "") -> str:
    """The new RESULTS.md: this run's rows over the previous ones, history appended."""
    rows, history = parse(previous)
    stamp = f"{date} (quick)" if mode == "quick" else date
    for figure in figures:
        rows[figure.id] = cells(figure, stamp, commit)
    history.extend(history_line(f, date, commit, mode) for f in figures)
    details = [f"- **{f.id}**: " + "; ".join(_clean(n) for n in f.notes)
               for f in figures if f.notes]
    out = ["# Benchmark results", "",
           "Written by `benchmarks/run.py`; `benchmarks/README.md` says what each figure means. "
           "The table holds the latest result of every figure, each with the date and commit "
           "it was measured at; History keeps one line per figure per run.", "",
           LATEST, "", *table([rows[k] for k in sorted(rows, key=_sort_key)], HEADER), "",
           f"### Environment of the run of {date}", "", *environment, ""]
    if details:
        out += [f"### Details of the run of {date}", "", *details, ""]
    out += [HISTORY, "", *history, ""]
    return "\n".join(out)


def write(path: pathlib.Path, figures: list[Figure], **kwargs: object) -> None:
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(render(figures, previous=previous, **kwargs), encoding="utf-8")


def commit(repo: pathlib.Path) -> str:
    """``git rev-parse --short HEAD``, plus "+dirty" when tracked files changed (as
    ``git describe --dirty`` counts it; RESULTS.md itself, rewritten by every run, aside).
    Read-only: no index refresh."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "--no-optional-locks", *args], cwd=repo, check=True,
                              capture_output=True, text=True, timeout=30).stdout.strip()
    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                    ":(exclude)benchmarks/RESULTS.md")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def environment(extra: list[str]) -> list[str]:
    """CPU count, Python, grpcio and protobuf versions, the OS, the load before the run."""
    import google.protobuf
    import grpc

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return [f"- CPUs: {os.cpu_count()} ({usable} usable by this process)",
            f"- Python {platform.python_version()} ({platform.python_implementation()}), "
            f"grpcio {grpc.__version__}, protobuf {google.protobuf.__version__}",
            f"- {platform.platform()}; load average before the run: {load}",
            *(f"- {line}" for line in extra)]


@dataclasses.dataclass(frozen=True)
class Part:
    """One selectable benchmark (``--only`` id): the figures it declares, and how to measure
    them. ``run(settings, figures)`` fills the figures in place, so what was measured before
    an error is kept and only the rest is reported FAILED."""

    id: str
    declare: Callable[[], list[Figure]]
    run: Callable[[Any, dict[str, Figure]], None]

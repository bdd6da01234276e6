"""The benchmark harness's statistics and reporting helpers (no timing here: speed targets are
measured by ``benchmarks/run.py``, never asserted in unit tests)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[3] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import common  # noqa: E402
import results  # noqa: E402
from results import Figure, Target  # noqa: E402


def test_summarize_reports_median_min_max_and_count():
    assert common.summarize([3.0, 1.0, 2.0]) == common.Summary(2.0, 1.0, 3.0, 3)
    assert common.summarize([4.0, 1.0, 2.0, 3.0]).median == 2.5


def test_summarize_refuses_no_values():
    with pytest.raises(ValueError):
        common.summarize([])


def test_ratios_pair_rounds():
    assert common.ratios([2.0, 9.0], [1.0, 3.0]) == [2.0, 3.0]
    with pytest.raises(ValueError):
        common.ratios([1.0], [1.0, 2.0])


def test_proc_status_reads_this_process():
    status = common.proc_status(common.os.getpid())
    assert int(status["Threads"]) >= 1
    assert common.kib(status["VmRSS"]) > 0


@pytest.mark.parametrize("op,value,median,met", [
    ("<=", 1.5, 1.5, True), ("<=", 1.5, 1.51, False),
    (">=", 0.8, 0.8, True), (">=", 0.8, 0.79, False),
    ("==", 1, 1.0, True), ("==", 1, 2.0, False),
])
def test_target_is_judged_on_the_median(op, value, median, met):
    assert Target(op, value).met(common.Summary(median, median - 5, median + 5, 3)) is met


def test_a_ceiling_is_judged_on_the_worst_round():
    rounds = common.summarize([27, 29, 45])
    assert Target("<=", 44).met(rounds)
    assert not Target("<=", 44, of="max").met(rounds)


def test_target_text_and_unknown_targets():
    assert str(Target("<=", 1.5)) == "≤ 1.5"
    assert str(Target(">=", 300)) == "≥ 300"
    assert str(Target("<=", 44, of="max")) == "max ≤ 44"
    with pytest.raises(ValueError):
        Target("<", 1)
    with pytest.raises(ValueError):
        Target("<=", 1, of="mean")


def test_verdicts():
    assert Figure("A", "m", target=Target("<=", 2), samples=[1, 3, 2]).verdict == "PASS"
    assert Figure("A", "m", target=Target("<=", 2), samples=[3, 3, 1]).verdict == "FAIL"
    assert Figure("A", "m", samples=[5.0]).verdict == "info"
    assert Figure("A", "m", target=Target("<=", 2)).verdict == "FAILED"
    failed = Figure("A", "m", samples=[1.0]).failed("boom\n  at   line 3")
    assert failed.verdict == "FAILED"
    assert failed.error == "boom at line 3"


def test_failure_reason_is_kept_short():
    assert len(Figure("A", "m").failed("x" * 1000).error) <= 160


@pytest.mark.parametrize("value,unit,text", [
    (2, "", "2"), (2.0, "req", "2 req"), (1.234, "", "1.23"), (12.34, "s", "12.3 s"),
    (123.4, "MiB", "123 MiB"), (0.01234, "s", "0.0123 s"),
])
def test_format_value(value, unit, text):
    assert results.format_value(value, unit) == text


def _figures() -> list[Figure]:
    return [Figure("P2@64", "rate | ratio", target=Target(">=", 0.8), samples=[0.9, 0.7, 0.85]),
            Figure("P1", "overhead", target=Target("<=", 1.5), samples=[1.2, 1.4, 1.1]),
            Figure("P2@16", "rate", target=Target(">=", 0.8)).failed("channel closed")]


def test_render_a_first_results_file():
    text = results.render(_figures(), date="2026-01-01 10:00 UTC", commit="abc1234+dirty",
                          mode="full", environment=["- CPUs: 2"])
    rows, history = results.parse(text)
    assert list(rows) == ["P1", "P2@16", "P2@64"]  # natural order
    assert rows["P1"] == ["P1", "overhead", "1.20", "1.10", "1.40", "≤ 1.5", "PASS",
                          "2026-01-01 10:00 UTC", "abc1234+dirty"]
    assert rows["P2@64"][1] == "rate / ratio"  # a "|" would break the table
    assert rows["P2@16"][6] == "FAILED: channel closed"
    assert len(history) == 3
    assert history[0].startswith("- 2026-01-01 10:00 UTC · abc1234+dirty · full · P2@64: 0.85")
    assert "- CPUs: 2" in text


def test_a_later_partial_run_replaces_its_rows_and_appends_history(tmp_path):
    path = tmp_path / "RESULTS.md"
    results.write(path, _figures(), date="2026-01-01 10:00 UTC", commit="abc1234",
                  mode="full", environment=[])
    later = [Figure("P1", "overhead", target=Target("<=", 1.5), samples=[1.9])]
    results.write(path, later, date="2026-01-02 10:00 UTC", commit="def5678", mode="quick",
                  environment=[])
    rows, history = results.parse(path.read_text(encoding="utf-8"))
    assert rows["P1"][2] == "1.90"
    assert rows["P1"][6:] == ["FAIL", "2026-01-02 10:00 UTC (quick)", "def5678"]
    assert rows["P2@64"][7:] == ["2026-01-01 10:00 UTC", "abc1234"]  # kept as it was
    assert len(history) == 4
    assert history[-1].startswith("- 2026-01-02 10:00 UTC · def5678 · quick · P1: 1.90")


def test_parse_ignores_other_text():
    assert results.parse("# nothing here\n| a | b |\n- not history\n") == ({}, [])


def _git(repo: pathlib.Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


def test_commit_marks_a_dirty_tree_but_not_for_results_md(tmp_path):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "RESULTS.md").write_text("old\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "init")
    clean = results.commit(tmp_path)
    assert clean and "+dirty" not in clean
    (tmp_path / "benchmarks" / "RESULTS.md").write_text("new\n")
    assert results.commit(tmp_path) == clean
    (tmp_path / "untracked.py").write_text("")
    assert results.commit(tmp_path) == clean
    (tmp_path / "code.py").write_text("x = 2\n")
    assert results.commit(tmp_path) == clean + "+dirty"


def test_commit_outside_a_repository_is_unknown(tmp_path):
    assert results.commit(tmp_path) == "unknown"

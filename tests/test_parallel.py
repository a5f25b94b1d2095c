"""Jobs at once in forked processes: the results in order, failures raised here, the same sheets."""

from __future__ import annotations

import os
import threading

import pytest

from lyncposter.errors import RenderError
from lyncposter.parallel import FORKS, cores, run_all
from lyncposter.poster import build as poster_build
from lyncposter.poster import build_sheets

several_cores = pytest.mark.skipif(cores() < 2 or not FORKS, reason="one core, or not Linux: the jobs run in turn here")


def _pid(n: int) -> tuple[int, int]:
    return n, os.getpid()


@several_cores
def test_results_in_order_from_other_processes() -> None:
    found = run_all([lambda n=n: _pid(n) for n in range(5)])
    assert [n for n, _ in found] == list(range(5))
    assert len({pid for _, pid in found}) == min(cores(), 5)
    assert [pid == os.getpid() for _, pid in found] == [True, False, False, False, False]  # the first job alone here


def test_the_first_failure_in_order_is_raised() -> None:
    def fail(what: str) -> int:
        raise ValueError(what)

    with pytest.raises(ValueError, match="second"):
        run_all([lambda: 1, lambda: fail("second"), lambda: fail("third"), lambda: 4])


@several_cores
def test_a_job_that_kills_its_process_is_one_line() -> None:
    with pytest.raises(RenderError, match=r"stopped without an answer \(exit status 3\)"):
        run_all([lambda: 1, lambda: os._exit(3)])


def test_with_other_threads_running_the_jobs_run_here() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert {pid for _, pid in run_all([lambda n=n: _pid(n) for n in range(3)])} == {os.getpid()}
    finally:
        stop.set()
        other.join()


@several_cores
def test_sheets_composed_at_once_are_the_same_bytes(dataset, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    at_once = {b.path.name: b.path.read_bytes() for b in build_sheets(dataset, tmp_path / "a")}
    monkeypatch.setattr(poster_build, "run_all", lambda jobs: [job() for job in jobs])
    in_turn = {b.path.name: b.path.read_bytes() for b in build_sheets(dataset, tmp_path / "b")}
    assert len(at_once) == len(dataset.poster.sheets) > 1
    assert at_once == in_turn


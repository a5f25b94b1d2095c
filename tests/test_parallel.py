"""Jobs at once in forked processes: the results in order, failures raised here, the same sheets."""

from __future__ import annotations

import os
import threading
import time
from functools import partial

import pytest

from lyncposter.errors import RenderError
from lyncposter import parallel
from lyncposter.parallel import FORKS, cores, run_all, start
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



def _slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fails() -> int:
    raise RenderError("the layout failed")


@several_cores
def test_a_started_job_runs_in_another_process_while_this_one_goes_on() -> None:
    pending = start(partial(_slow_pid, 0.3))
    assert not pending.ready()  # still sleeping there
    assert pending.result() not in (os.getpid(), 0)
    assert pending.ready()


def test_a_started_jobs_failure_is_raised_where_its_result_is_asked() -> None:
    pending = start(_fails)
    with pytest.raises(RenderError, match="the layout failed"):
        pending.result()


@several_cores
def test_a_cancelled_job_is_stopped() -> None:
    pending = start(partial(_slow_pid, 30))
    pid = pending._pid
    started = time.monotonic()
    pending.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and reaped


def test_with_other_threads_running_a_started_job_runs_in_a_thread_here() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pending = start(partial(_slow_pid, 0.05))
        assert pending.result() == os.getpid()
    finally:
        stop.set()
        other.join()


@several_cores
def test_sheets_built_with_other_processes_or_without_are_the_same_bytes(dataset, tmp_path, monkeypatch) -> None:
    """The panels laid out in another process while the sections are measured here, and the
    taller layouts made there while the sections are drawn, or all of it in this process."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    forked = {b.path.name: b.path.read_bytes() for b in build_sheets(dataset, tmp_path / "a", sheet_ids=("workloads",))}
    monkeypatch.setattr(parallel, "FORKS", False)
    here = {b.path.name: b.path.read_bytes() for b in build_sheets(dataset, tmp_path / "b", sheet_ids=("workloads",))}
    assert forked == here and len(forked) == 1


@several_cores
def test_a_started_job_belongs_to_the_process_that_started_it() -> None:
    """A process forked later inherits the object, not the job: asking it there is an error
    (the answer's pipe is the starter's), not a read that takes the starter's answer."""
    pending = start(partial(_slow_pid, 0.2))

    def ask() -> str:
        try:
            pending.result()
        except RenderError as exc:
            return str(exc)
        return "answered"

    assert run_all([lambda: "here", ask]) == ["here", "a parallel job started by another process has no answer here"]
    assert pending.result() not in (os.getpid(), 0)  # still the starter's to collect


@several_cores
def test_a_background_job_runs_at_the_lowest_priority() -> None:
    assert start(partial(os.nice, 0), background=True).result() == 19
    assert start(partial(os.nice, 0)).result() == os.nice(0)


def test_the_qr_code_begun_elsewhere_is_the_code_encoded_here(monkeypatch) -> None:
    from lyncposter.poster import qr

    url = "https://example.org/lyncposter-qr-test"
    monkeypatch.setattr(qr, "_CODES", {})
    monkeypatch.setattr(qr, "_COMING", {})
    assert qr.begin(url) is not None
    assert qr.begin(url) is None  # already on its way
    begun = qr.qr_code(url)
    monkeypatch.setattr(qr, "_CODES", {})
    assert qr.qr_code(url) == begun  # encoded here
    monkeypatch.setattr(qr, "_CODES", {})
    stopped = qr.begin(url)
    assert stopped is not None
    stopped.cancel()
    assert qr.qr_code(url) == begun  # stopped there: encoded here instead


DETACHING = """
import sys, time
from pathlib import Path
from lyncposter.parallel import detach

go, done = Path(sys.argv[1]), Path(sys.argv[2])

def job():
    while not go.exists():
        time.sleep(0.05)
    done.write_text("done")

print(detach(job))
"""


@pytest.mark.skipif(not FORKS, reason="this system does not fork: a detached job runs in the caller")
def test_a_detached_job_finishes_after_the_command_that_started_it(tmp_path) -> None:
    """The command's output ends when the command does (the job holds none of its pipes), and
    the job runs to its end in a process of its own. It waits here for a file that appears only
    once the command has returned."""
    import subprocess
    import sys

    go, done = tmp_path / "go", tmp_path / "done"
    run = subprocess.run([sys.executable, "-c", DETACHING, str(go), str(done)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.split() == ["True"], run.stderr
    assert not done.exists()
    go.touch()
    for _ in range(400):
        if done.exists():
            break
        time.sleep(0.05)
    assert done.read_text() == "done"


def test_with_other_threads_running_nothing_is_detached() -> None:
    ran = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.detach(lambda: ran.append(1))
    finally:
        stop.set()
        other.join()
    assert ran == []

"""Work shared across the machine's cores: independent jobs (the sheets of a build) run at once
in forked processes, and come back as if run here; one job (the panels' layouts) can start in
another process while this one goes on (`start`).

Composing a sheet is Python through and through, so threads would take turns; a forked process
starts with everything this one has loaded and laid out, so a job costs only its own work. Jobs
run here, one after another, where the system is not Linux (macOS's libraries may not survive a
fork; Windows has none), where there is one core, and where other threads are running (a fork
copies only the thread that forks): the results are the same either way, and so are the bytes
they make.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .errors import RenderError

T = TypeVar("T")
# Linux forks safely; macOS forks, but its system libraries may not survive it, and Windows does not fork
FORKS = sys.platform.startswith("linux") and hasattr(os, "fork")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _may_fork() -> bool:
    """Whether this process may fork now: on Linux, with no other thread running (a fork copies only the thread that forks)."""
    return FORKS and threading.active_count() == 1


def forking() -> bool:
    """Whether a job `start`ed now runs in a forked process (not in a thread here)."""
    return cores() >= 2 and _may_fork()


def run_all(jobs: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """Each job's result, in the jobs' order. The jobs are dealt to `workers` processes (one per
    core): this one takes the first job alone (put the longest first), forked children the
    others, in turn. A job's exception is raised here, the first in the jobs' order."""
    workers = min(workers or cores(), len(jobs))
    if workers < 2 or not _may_fork():
        return [job() for job in jobs]
    shares = [list(range(1 + i, len(jobs), workers - 1)) for i in range(workers - 1)]  # the children's
    children = []
    try:
        for share in shares:
            pid, read = _fork([jobs[i] for i in share])
            children.append((pid, read, share))
        results: dict[int, Any] = {}
        failures: dict[int, BaseException] = {}
        try:
            results[0] = jobs[0]()
        except Exception as exc:  # the children's answers are still collected: the first failure in order wins
            failures[0] = exc
        while children:
            pid, read, share = children.pop(0)
            for i, (ok, value) in zip(share, _collect(pid, read)):
                (results if ok else failures)[i] = value
        if failures:
            raise failures[min(failures)]
        return [results[i] for i in range(len(jobs))]
    finally:
        for pid, read, _ in children:  # interrupted: the children go too
            _stop(pid, read)


class Pending(Generic[T]):
    """A job started elsewhere: `ready()` without waiting, `result()` waiting (its exception raised here)."""

    def __init__(self, job: Callable[[], T], background: bool = False):
        self._answer: tuple[bool, Any] | None = None
        self._pid = 0
        self._owner = os.getpid()  # a process forked later inherits this object, not the job
        if forking():
            self._pid, self._read = _fork([job], background)
        else:  # a thread: the job's Python takes turns with this one's, what it waits for does not
            self._thread = threading.Thread(target=self._run, args=(job,), name="lyncposter-pending", daemon=True)
            self._thread.start()

    def _run(self, job: Callable[[], T]) -> None:
        try:
            self._answer = (True, job())
        except BaseException as exc:
            self._answer = (False, exc)

    def ready(self) -> bool:
        if os.getpid() != self._owner:
            return True  # result() says it is not this process's
        if self._answer is not None:
            return True
        if self._pid:
            return bool(select.select([self._read], [], [], 0)[0])  # readable: the answer has begun, or the child is gone
        return not self._thread.is_alive()

    def result(self) -> T:
        if os.getpid() != self._owner:
            raise RenderError("a parallel job started by another process has no answer here")
        if self._answer is None:
            if self._pid:
                pid, self._pid = self._pid, 0
                self._answer = _collect(pid, self._read)[0]
            else:
                self._thread.join()
        assert self._answer is not None
        ok, value = self._answer
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the job where it runs in another process (a thread is left to finish)."""
        if self._pid and os.getpid() == self._owner:
            pid, self._pid = self._pid, 0
            _stop(pid, self._read)
            self._answer = (False, RenderError("a parallel job was stopped before its answer"))


def start(job: Callable[[], T], background: bool = False) -> Pending[T]:
    """`job` started in a forked process (on Linux, with a core to spare and no other thread
    here), else in a thread; this process goes on meanwhile. A `background` job's process runs
    at the lowest priority: on time the cores would otherwise leave idle."""
    return Pending(job, background)


def detach(job: Callable[[], object]) -> bool:
    """Run `job` in a process of its own that nobody waits for, at the lowest priority, for
    housekeeping whose result this process does not need (the cache's look at its size): it
    holds none of this process's files or pipes, so whatever reads this process's output is not
    kept waiting, and it outlives this process if need be. False where this process may not fork
    (not Linux, or other threads running): the caller runs the job itself."""
    if not _may_fork():
        return False
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # a child that starts the job's process and leaves at once: init adopts that one
        code = 0
        try:
            if os.fork() == 0:
                os.setsid()  # Ctrl-C at the terminal is for the command, not for its housekeeping
                os.nice(19)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.closerange(3, _open_max())
                try:
                    job()
                except BaseException:
                    code = 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.waitpid(pid, 0)
    return True


def _open_max() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 1024


def _fork(jobs: list[Callable[[], Any]], background: bool = False) -> tuple[int, int]:
    """A forked child running `jobs`: its pid, and the pipe its answers come down (`_collect`).
    A `background` child runs at the lowest priority: where a core would idle, the others' work first."""
    sys.stdout.flush()  # what this process printed is printed once, not again by the child
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its jobs, its answers down the pipe, and out without cleanup
        os.close(read)
        if background:
            os.nice(19)
        _child(jobs, write)
    os.close(write)
    return pid, read


def _stop(pid: int, read: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(read)
    except OSError:
        pass


def _child(jobs: list[Callable[[], Any]], write: int) -> None:
    # Ctrl-C reaches the parent, which stops its children: stopped so, a child stops what its job
    # started too (a layout's dot, in a session of its own)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stopped)
    answers: list[tuple[bool, Any]] = []
    code = 0
    try:
        for job in jobs:
            try:
                answers.append((True, job()))
            except Exception as exc:
                answers.append((False, exc))
                break
        try:
            blob = pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an answer that cannot travel: say so, in one line
            blob = pickle.dumps([(False, RenderError(f"a parallel job's result could not be passed back ({exc})"))])
        with os.fdopen(write, "wb") as pipe:
            pipe.write(blob)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(1)


def _collect(pid: int, read: int) -> list[tuple[bool, Any]]:
    """The child's answers; the pipe is closed and the child reaped whatever happens (stopped
    first when this process is interrupted while it waits)."""
    try:
        with os.fdopen(read, "rb") as pipe:  # read to the end before waiting: a full pipe would block the child
            blob = pipe.read()
    except BaseException:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    try:
        answers = pickle.loads(blob)  # written by our own child, through a pipe only it and we hold
    except Exception:
        answers = None
    if not isinstance(answers, list):
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.waitstatus_to_exitcode(status)}"
        raise RenderError(f"a parallel job stopped without an answer ({how})")
    return answers

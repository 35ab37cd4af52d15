"""Running the atlas over many architectures: on Ray (local by default, or a cluster), or in a plain loop.

One Ray task per architecture surveys it (:func:`nullsight.atlas.architecture.survey`: build on the meta device,
structural audit, first operator), and one task per *distinct* first-operator signature decides the verdict, which
every architecture with that stem shares (the store keeps it for later runs).  Each task has its own timeout
(``ray.wait`` with a deadline, then ``ray.cancel``) and memory request (Ray's ``memory`` resource; Ray's memory
monitor kills a task that outgrows the machine); a task that fails, times out or dies becomes a row with its
one-line error, never a crashed run.  At most as many tasks are in flight as the cluster has CPUs, so a task's
deadline counts from when it can start: Ray schedules them, nullsight only waits.

``engine="sequential"`` runs the same two functions in this process, one after another (timeouts by ``SIGALRM``
where available): the reference for tests and for the Ray-against-loop benchmark.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..errors import InvalidInputError, one_line
from ..progress import Tracker
from .architecture import Surveyed, complete, error_text, failed, survey, weights_for, weights_note
from .result import AtlasCounts, AtlasResult, AtlasRow
from .store import AtlasStore
from .verdict import Decision, Signature, decide
from .zoo import Entry

ENGINES = ("ray", "sequential")
DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY_GB = 2.0


@dataclass
class EngineSettings:
    """How to run: ``engine`` (``ray`` | ``sequential``), the Ray ``address`` (``None``: a local Ray started here
    with ``num_cpus`` CPUs, default all), the per-task ``timeout`` (s) and ``memory_gb`` request."""

    engine: str = "ray"
    address: str | None = None
    num_cpus: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    memory_gb: float = DEFAULT_MEMORY_GB

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InvalidInputError(f"--engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.address is not None and self.engine != "ray":
            raise InvalidInputError("--address names a Ray cluster: use it with --engine ray")


@dataclass
class _Job:
    kind: str  # "survey" | "decide"
    key: str
    payload: Any
    started: float = field(default_factory=time.monotonic)


def survey_task(entry: Entry, seed: int, weights: str | None) -> tuple[str, Any, float]:
    """One architecture's survey, failures caught: ``("ok", Surveyed, s)`` or ``("error", line, s)``."""
    start = time.perf_counter()
    try:
        return "ok", survey(entry, seed, weights), time.perf_counter() - start
    except Exception as exc:  # any model that fails to build or trace is a row with its error
        return "error", error_text(exc), time.perf_counter() - start


def decide_task(signature: Signature, seed: int, weight: Any) -> tuple[str, Any, float]:
    """One signature's verdict, failures caught (the vector is dropped: only its check travels back)."""
    start = time.perf_counter()
    try:
        decision = decide(signature, seed, weight)
        decision.vector = None
        return "ok", decision, time.perf_counter() - start
    except Exception as exc:
        return "error", error_text(exc), time.perf_counter() - start


def iter_atlas(entries: list[Entry], store: AtlasStore, seed: int = 0, weights_dir: str | None = None,
               settings: EngineSettings | None = None, refresh: bool = False) -> Iterator[AtlasRow]:
    """Survey and decide every entry not yet in ``store`` (all with ``refresh``), storing each row as it is done and
    yielding it.  Rows already stored are not yielded."""
    settings = settings or EngineSettings()
    key = weights_key(seed, weights_dir)
    if refresh:  # the rows, and the shared verdicts of their stems (other stems' verdicts stay)
        names = {e.architecture for e in entries}
        stems = {r.first_operator.signature for r in store.rows(key) if r.architecture in names and r.first_operator}
        store.forget(sorted(names), key)
        store.forget_decisions(seed, sorted(stems))
    done = store.done(key)
    todo = deque(e for e in entries if e.architecture not in done)
    if not todo:
        return
    runner = _RayRunner(settings) if settings.engine == "ray" else _LoopRunner(settings)
    try:
        yield from _drive(todo, store, seed, weights_dir, key, runner)
    finally:
        runner.close()


def _drive(todo: deque, store: AtlasStore, seed: int, weights_dir: str | None, key: str, runner: Any) -> Iterator[AtlasRow]:
    waiting: dict[str, list[Surveyed]] = {}
    decide_queue: deque = deque()
    entries = {e.architecture: e for e in todo}

    def finish(row: AtlasRow) -> AtlasRow:
        store.put(row, key)
        return row

    while todo or decide_queue or runner.busy():
        while runner.has_room() and (decide_queue or todo):
            if decide_queue:
                runner.submit(decide_queue.popleft())
            else:
                entry = todo.popleft()
                runner.submit(_Job("survey", entry.architecture, (entry, seed, weights_for(weights_dir, entry.architecture))))
        for job, status, value, seconds in runner.collect():
            if job.kind == "survey":
                entry = entries[job.key]
                weights = job.payload[2]
                if status != "ok":
                    yield finish(failed(entry, status, value, seconds, seed, weights))
                    continue
                surveyed: Surveyed = value
                surveyed.row.seconds = round(seconds, 3)
                sig = surveyed.signature
                if sig is None:
                    yield finish(surveyed.row)
                elif surveyed.weight is not None:  # a checkpoint's own weight: not shared
                    waiting[job.key] = [surveyed]
                    decide_queue.append(_Job("decide", job.key, (sig, seed, surveyed.weight)))
                elif (cached := store.decision(sig.key(), seed)) is not None:
                    yield finish(complete(surveyed, cached))
                elif sig.key() in waiting:
                    waiting[sig.key()].append(surveyed)
                else:
                    waiting[sig.key()] = [surveyed]
                    decide_queue.append(_Job("decide", sig.key(), (sig, seed, None)))
            else:
                rows = waiting.pop(job.key, [])
                if status == "ok":
                    decision: Decision = value
                    if job.payload[2] is None:
                        store.put_decision(job.key, seed, decision)
                else:
                    decision = Decision("undetermined", None, "none",
                                        reason=f"the verdict computation {'timed out' if status == 'timeout' else 'failed'}: {value}")
                for i, surveyed in enumerate(rows):
                    yield finish(complete(surveyed, decision, seconds if i == 0 else 0.0))


def weights_key(seed: int, weights_dir: str | None) -> str:
    """The store's ``weights`` key: generic weights are one key per seed."""
    return f"random-init seed {seed}" if weights_dir is None else f"weights {weights_dir} seed {seed}"


def run_atlas(entries: list[Entry], store: AtlasStore | None = None, seed: int = 0, weights_dir: str | None = None,
              settings: EngineSettings | None = None, refresh: bool = False, track: Tracker | None = None) -> AtlasResult:
    """The atlas of ``entries``: what is in ``store`` already, plus everything computed now (stored as it is done).

    >>> from nullsight.atlas.zoo import select, zoo
    >>> result = run_atlas(select(zoo(("timm",)), ["timm:vit_tiny_patch16_224"]),
    ...                    settings=EngineSettings(engine="sequential"))
    >>> [(r.architecture, r.verdict, r.null_dimension) for r in result.rows]
    [('timm:vit_tiny_patch16_224', 'exact', 112896)]
    """
    own = store is None
    store = store or AtlasStore(":memory:")
    try:
        pending = iter_atlas(entries, store, seed, weights_dir, settings, refresh)
        done = len(store.done(weights_key(seed, weights_dir)) & {e.architecture for e in entries}) if not refresh else 0
        rows_iter = pending if track is None else track(pending, "atlas", len(entries) - done)
        for _ in rows_iter:
            pass
        return atlas_result(store, [e.architecture for e in entries], seed, weights_dir)
    finally:
        if own:
            store.close()


def atlas_result(store: AtlasStore, architectures: list[str] | None = None, seed: int = 0,
                 weights_dir: str | None = None) -> AtlasResult:
    """The typed atlas of the stored rows (of ``architectures`` when given)."""
    rows = store.rows(weights_key(seed, weights_dir))
    if architectures is not None:
        wanted = set(architectures)
        rows = [r for r in rows if r.architecture in wanted]
    return AtlasResult(weights_note=weights_note(seed, weights_dir), rows=rows, counts=AtlasCounts.of(rows), seed=seed)


# --- runners: Ray, and a plain loop ----------------------------------------------------------------------------------

class _RayRunner:
    """Tasks on Ray: ``ray.init()`` here (local) unless Ray is already initialised or an address is given."""

    def __init__(self, settings: EngineSettings) -> None:
        try:
            import ray
        except ImportError:
            raise InvalidInputError("the atlas's Ray engine needs ray: pip install 'nullsight[atlas]' "
                                    "(or --engine sequential)") from None
        self.ray, self.settings = ray, settings
        self.started_here = not ray.is_initialized()
        if self.started_here:
            os.environ.setdefault("OMP_NUM_THREADS", "1")  # local workers inherit it: one thread per task
            try:
                ray.init(address=settings.address, num_cpus=None if settings.address else (settings.num_cpus or os.cpu_count()),
                         include_dashboard=False, log_to_driver=False, logging_level="ERROR")
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise InvalidInputError(f"cannot start or reach Ray at {settings.address or 'local'}: {one_line(exc, 200)}") from None
        self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        memory = int(settings.memory_gb * 2**30)
        self.remote = {"survey": ray.remote(survey_task).options(num_cpus=1, memory=memory, max_retries=0),
                       "decide": ray.remote(decide_task).options(num_cpus=1, memory=memory, max_retries=0)}
        self.flight: dict[Any, _Job] = {}

    def busy(self) -> bool:
        return bool(self.flight)

    def has_room(self) -> bool:
        return len(self.flight) < self.slots

    def submit(self, job: _Job) -> None:
        job.started = time.monotonic()
        self.flight[self.remote[job.kind].remote(*job.payload)] = job

    def collect(self) -> list[tuple[_Job, str, Any, float]]:
        ray = self.ray
        ready, _ = ray.wait(list(self.flight), num_returns=1, timeout=1.0)
        out = []
        for ref in ready:
            job = self.flight.pop(ref)
            try:
                out.append((job, *ray.get(ref)))
            except Exception as exc:  # the worker died (memory monitor, crash) or the task was cancelled
                out.append((job, "error", f"{type(exc).__name__}: {one_line(getattr(exc, 'cause', None) or exc, 300)}",
                            time.monotonic() - job.started))
        now = time.monotonic()
        for ref, job in list(self.flight.items()):
            if now - job.started > self.settings.timeout:
                ray.cancel(ref, force=True)
                del self.flight[ref]
                out.append((job, "timeout", f"timed out after {self.settings.timeout:g} s", now - job.started))
        return out

    def close(self) -> None:
        for ref in self.flight:
            self.ray.cancel(ref, force=True)
        self.flight.clear()
        if self.started_here:
            self.ray.shutdown()


class _LoopRunner:
    """The same tasks in this process, one at a time."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self.queue: deque = deque()

    def busy(self) -> bool:
        return bool(self.queue)

    def has_room(self) -> bool:
        return not self.queue

    def submit(self, job: _Job) -> None:
        self.queue.append(job)

    def collect(self) -> list[tuple[_Job, str, Any, float]]:
        job = self.queue.popleft()
        task: Callable[..., tuple[str, Any, float]] = survey_task if job.kind == "survey" else decide_task
        start = time.perf_counter()
        try:
            with _deadline(self.settings.timeout):
                return [(job, *task(*job.payload))]
        except _Timeout:
            return [(job, "timeout", f"timed out after {self.settings.timeout:g} s", time.perf_counter() - start)]

    def close(self) -> None:
        self.queue.clear()


class _Timeout(BaseException):
    """Raised by the alarm (a BaseException, so that the tasks' ``except Exception`` does not swallow it)."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(*_: object) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

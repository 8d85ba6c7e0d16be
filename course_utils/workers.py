"""Start worker processes for a multi-worker TensorFlow job on this machine, and always stop them.

``tf.distribute.MultiWorkerMirroredStrategy`` runs one Python process per worker; each
learns its place in the cluster from the environment variable ``TF_CONFIG``::

    {"cluster": {"worker": ["127.0.0.1:41235", "127.0.0.1:41236"]},
     "task": {"type": "worker", "index": 0}}

On a real cluster a scheduler (Kubernetes, a managed training service) starts the processes
and writes ``TF_CONFIG``. In a notebook, :class:`Workers` does it::

    with Workers("mnist_worker.py", num_workers=2, args=["--epochs", "2"]) as job:
        job.wait(timeout=300)          # streams both logs, raises if a worker fails

Ports are chosen free at run time; every line a worker prints is shown with its index
(TensorFlow's C++ log and absl lines filtered out); a worker that exits with an error stops
the job at once (the others would wait for it forever in their next all-reduce); a time
limit bounds everything; and the processes are killed when the ``with`` block ends, when a
cell fails, when the kernel is interrupted, at interpreter exit, and (on Linux) when the
kernel process itself is killed.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PortInUseError",
    "TFConfigError",
    "WorkerFailed",
    "WorkerTimeout",
    "Workers",
    "free_ports",
    "make_tf_config",
    "validate_tf_config",
]

#: Lines that are TensorFlow/absl/XLA plumbing, not the lesson.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl|[IWEF]\d{4} \d\d:\d\d|"
    r"\S+\.(cc|h):\d+\]|.*cuda_|.*oneDNN custom operations|.*rebuild TensorFlow with|"
    r".*cpu_feature_guard|.*This TensorFlow binary is optimized|INFO:tensorflow:|"
    r"WARNING:absl:|INFO:absl:|.*Platform 'cuda'|.*An NVIDIA GPU may be present)"
)
_LIVE: weakref.WeakSet[Workers] = weakref.WeakSet()


class TFConfigError(ValueError):
    """A ``TF_CONFIG`` that TensorFlow could not use; the message says what to fix."""


class PortInUseError(ValueError):
    """A port given for a worker is already taken by another process."""


class WorkerFailed(RuntimeError):
    """A worker process exited with an error (or before the job was done)."""


class WorkerTimeout(TimeoutError):
    """The job did not finish within its time limit; the workers were killed."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: have the kernel SIGKILL this child when its parent dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the context manager and atexit still clean up


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """Return ``n`` distinct TCP ports on ``host`` that are free right now."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"free_ports needs a positive number of ports, got {n!r}.")
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))  # the OS picks a free port; all n stay bound, so they differ
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def make_tf_config(addresses: Sequence[str], index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``addresses``."""
    config = {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}
    validate_tf_config(config)
    return config


def validate_tf_config(config: dict | str) -> dict:
    """Check a worker-only ``TF_CONFIG`` (dict or JSON text); return it as a dict.

    Raises :class:`TFConfigError` naming the problem: not JSON, no ``cluster.worker`` list,
    an address that is not ``host:port``, the same address twice, or a task index outside
    the list. (TensorFlow itself would often just wait for a peer that never comes.)
    """
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except json.JSONDecodeError as err:
            raise TFConfigError(f"TF_CONFIG is not valid JSON ({err}); build it with "
                                "json.dumps(make_tf_config(addresses, index)).") from None
    if not isinstance(config, dict):
        raise TFConfigError(f"TF_CONFIG must be a JSON object, got {type(config).__name__}.")
    workers = config.get("cluster", {}).get("worker") if isinstance(
        config.get("cluster"), dict) else None
    if not isinstance(workers, list) or not workers:
        raise TFConfigError('TF_CONFIG needs {"cluster": {"worker": ["host:port", ...]}} '
                            f"with at least one address; got {config.get('cluster')!r}.")
    for address in workers:
        host, _, port = str(address).rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise TFConfigError(f"worker address {address!r} is not 'host:port' with a port "
                                "between 1 and 65535, e.g. '127.0.0.1:41235'.")
    if len(set(workers)) != len(workers):
        raise TFConfigError(f"TF_CONFIG lists the same worker address twice: {workers}; each "
                            "worker needs its own port (free_ports(n) picks n different ones).")
    task = config.get("task")
    if not isinstance(task, dict) or task.get("type") != "worker":
        raise TFConfigError(f'TF_CONFIG needs "task": {{"type": "worker", "index": i}}, '
                            f"got {task!r}.")
    index = task.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(workers):
        raise TFConfigError(f"task index {index!r} is not one of 0..{len(workers) - 1} "
                            f"(the cluster has {len(workers)} workers).")
    return config


@dataclass
class WorkerLog:
    """What one worker printed (noise filtered) and how it ended."""

    index: int
    lines: list[str] = field(default_factory=list)
    returncode: int | None = None


class Workers:
    """Run ``script`` as ``num_workers`` processes of one TensorFlow cluster on 127.0.0.1.

    Args:
        script: the Python file every worker runs.
        num_workers: how many processes.
        args: command-line arguments for the script (the same for all workers).
        env: extra environment variables for the workers.
        ports: the ports to use (default: free ones chosen now); a taken port raises
            :class:`PortInUseError` before anything starts.
        tf_configs: override the ``TF_CONFIG`` text of each worker (for tests of bad input);
            each is validated and a bad one raises :class:`TFConfigError`.
        echo: print each worker's lines as they come (``[worker 0] ...``).
        host: the address the workers listen on.
        label: the prefix of the shown lines (``[label 0] ...``; ``[label]`` for one process).

    A port found free here can still be taken by another program before the worker binds
    it; the worker then exits with an error, and :meth:`wait` raises :class:`WorkerFailed`.
    """

    def __init__(self, script: str | os.PathLike[str], num_workers: int = 2, *,
                 args: Iterable[str] = (), env: dict[str, str] | None = None,
                 ports: Sequence[int] | None = None, tf_configs: Sequence[str] | None = None,
                 echo: bool = True, host: str = "127.0.0.1", label: str = "worker") -> None:
        self.script = Path(script)
        if not self.script.is_file():
            raise FileNotFoundError(f"worker script {self.script} does not exist; write it "
                                    "first (for example with %%writefile).")
        if not isinstance(num_workers, int) or num_workers < 1:
            raise ValueError(f"num_workers must be a positive int, got {num_workers!r}.")
        ports = list(free_ports(num_workers, host) if ports is None else ports)
        if len(ports) != num_workers:
            raise ValueError(f"{num_workers} workers need {num_workers} ports, got {ports}.")
        for port in ports:
            if not _port_is_free(host, port):
                raise PortInUseError(f"port {port} on {host} is already in use by another "
                                     "process; leave ports=None to pick free ones.")
        self.addresses = [f"{host}:{p}" for p in ports]
        if tf_configs is None:
            tf_configs = [json.dumps(make_tf_config(self.addresses, i))
                          for i in range(num_workers)]
        if len(tf_configs) != num_workers:
            raise ValueError(f"{num_workers} workers need {num_workers} TF_CONFIGs.")
        for text in tf_configs:
            validate_tf_config(text)
        self.tf_configs = list(tf_configs)
        self.args = [str(a) for a in args]
        self.extra_env = dict(env or {})
        self.echo = echo
        self.label = label
        self.logs = [WorkerLog(i) for i in range(num_workers)]
        self.procs: list[subprocess.Popen] = []
        self._lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ start and stop

    def _environment(self, index: int) -> dict[str, str]:
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)  # this course_utils
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env.update({"TF_CONFIG": self.tf_configs[index], "TF_CPP_MIN_LOG_LEVEL": "3",
                    "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"})
        if not self.tf_configs[index]:  # run_script: a plain process, not a cluster member
            env.pop("TF_CONFIG")
        env.pop("COURSE_RESULTS_FILE", None)  # workers' numbers are the notebook's to record
        env.update(self.extra_env)
        return env

    def start(self) -> Workers:
        """Start the processes (each in its own process group) and their log readers."""
        if self.procs:
            raise RuntimeError("these workers were started already; create a new Workers.")
        _LIVE.add(self)
        for i in range(len(self.logs)):
            proc = subprocess.Popen(
                [sys.executable, str(self.script), *self.args], env=self._environment(i),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                text=True, bufsize=1, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
            self.procs.append(proc)
            reader = threading.Thread(target=self._read, args=(i, proc), daemon=True)
            reader.start()
            self._threads.append(reader)
        return self

    def _read(self, index: int, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.put((index, line.rstrip("\n")))
        self._lines.put((index, None))  # end of this worker's output

    def kill(self, index: int) -> None:
        """Kill worker ``index`` (and anything it started) at once, like a lost machine."""
        proc = self.procs[index]
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def close(self) -> None:
        """Kill every worker still running; safe to call twice."""
        for i in range(len(self.procs)):
            self.kill(i)
            self.logs[i].returncode = self.procs[i].returncode
        for proc in self.procs:
            if proc.stdout is not None:
                proc.stdout.close()
        _LIVE.discard(self)

    def __enter__(self) -> Workers:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ------------------------------------------------------------------ follow the logs

    def _prefix(self, index: int) -> str:
        return f"[{self.label}]" if len(self.logs) == 1 else f"[{self.label} {index}]"

    def _show(self, index: int, line: str) -> bool:
        if not line.strip() or NOISE.match(line):
            return False
        self.logs[index].lines.append(line)
        if self.echo:
            print(f"{self._prefix(index)} {line}", flush=True)
        return True

    def wait(self, timeout: float, *, until: str | None = None) -> list[WorkerLog]:
        """Follow the logs until every worker has exited (or a line matches ``until``).

        Raises :class:`WorkerFailed` as soon as a worker exits with a non-zero code (and
        kills the others), :class:`WorkerTimeout` after ``timeout`` seconds (killing all).
        With ``until`` (a regular expression, searched in the shown line with its prefix,
        e.g. ``r"\\[worker 0\\] epoch 1:"``), returns when a worker prints a matching line,
        leaving the workers running: the caller may then :meth:`kill` one.
        """
        if not self.procs:
            raise RuntimeError("start the workers first (use `with Workers(...) as job:`).")
        pattern = re.compile(until) if until else None
        deadline = time.monotonic() + timeout
        open_streams = {i for i, p in enumerate(self.procs) if p.stdout and not p.stdout.closed}
        try:
            while open_streams:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.close()
                    raise WorkerTimeout(
                        f"the workers did not finish within {timeout:g} s and were killed. "
                        f"Last lines: {self._tails()}. A worker that waits for a peer that "
                        "never started hangs like this; check both logs, or raise timeout.")
                try:
                    index, line = self._lines.get(timeout=min(left, 0.5))
                except queue.Empty:
                    continue
                if line is None:
                    open_streams.discard(index)
                    code = self.procs[index].wait()
                    self.logs[index].returncode = code
                    if code != 0:
                        self.close()
                        raise WorkerFailed(
                            f"worker {index} exited with code {code}; the job was stopped "
                            f"(its peers would wait for it forever). Its last lines:\n"
                            + "\n".join(self.logs[index].lines[-8:] or ["(no output)"]))
                    continue
                if self._show(index, line) and pattern and pattern.search(
                        f"{self._prefix(index)} {line}"):
                    return self.logs
        except KeyboardInterrupt:  # the kernel was interrupted: leave nothing behind
            self.close()
            raise
        return self.logs

    def _tails(self) -> str:
        return "; ".join(f"worker {log.index}: {log.lines[-1] if log.lines else '(nothing)'}"
                         for log in self.logs)


def run_script(script: str | os.PathLike[str], *, args: Iterable[str] = (),
               env: dict[str, str] | None = None, timeout: float = 600,
               echo: bool = True, label: str = "process") -> WorkerLog:
    """Run one Python script in a fresh process (e.g. on another Keras backend), show its log.

    The same filtering, time limit and clean-up as :class:`Workers`, without ``TF_CONFIG``.
    """
    job = Workers(script, 1, args=args, env=env, echo=echo, label=label)
    job.tf_configs = [""]
    with job:
        return job.wait(timeout)[0]


@atexit.register
def _kill_all_left() -> None:
    for job in list(_LIVE):
        job.close()

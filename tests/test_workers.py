"""course_utils.workers: bad input gives a clear error in bounded time, and no process survives."""

import json
import os
import socket
import time

import pytest

from course_utils.workers import (
    PortInUseError,
    TFConfigError,
    WorkerFailed,
    Workers,
    WorkerTimeout,
    free_ports,
    make_tf_config,
    run_script,
    validate_tf_config,
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is dead too
        return fh.read().split()[2] != "Z"


@pytest.fixture
def script(tmp_path):
    def write(body: str):
        path = tmp_path / "worker.py"
        path.write_text(body)
        return path
    return write


def test_free_ports_are_distinct_and_bindable():
    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_workers_get_their_tf_config_and_logs_are_collected(script, capsys):
    path = script("import json, os\n"
                  "c = json.loads(os.environ['TF_CONFIG'])\n"
                  "print('I0101 12:00:00.000 123 cc_noise.cc:12] C++ noise')\n"
                  "print('index', c['task']['index'], 'of', len(c['cluster']['worker']))\n")
    with Workers(path, 2) as job:
        logs = job.wait(timeout=30)
    assert [log.lines for log in logs] == [["index 0 of 2"], ["index 1 of 2"]]
    assert [log.returncode for log in logs] == [0, 0]
    out = capsys.readouterr().out
    assert "[worker 1] index 1 of 2" in out and "noise" not in out


def test_a_taken_port_is_refused_before_anything_starts(script):
    path = script("print('hi')\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} .* already in use"):
            Workers(path, 2, ports=[port, free_ports(1)[0]])


@pytest.mark.parametrize(("config", "message"), [
    ("{not json", "not valid JSON"),
    (json.dumps({"cluster": {}, "task": {"type": "worker", "index": 0}}), "cluster"),
    (json.dumps(make_tf_config(["127.0.0.1:1", "127.0.0.1:2"], 0)).replace(":2", ":x"),
     "host:port"),
    (json.dumps({"cluster": {"worker": ["127.0.0.1:5", "127.0.0.1:5"]},
                 "task": {"type": "worker", "index": 0}}), "twice"),
    (json.dumps({"cluster": {"worker": ["127.0.0.1:5"]},
                 "task": {"type": "worker", "index": 3}}), "task index 3"),
])
def test_a_malformed_tf_config_names_the_problem(script, config, message):
    with pytest.raises(TFConfigError, match=message):
        validate_tf_config(config)
    with pytest.raises(TFConfigError, match=message):
        Workers(script("print(1)\n"), 1, tf_configs=[config])


def test_a_worker_that_exits_early_stops_the_job_at_once(script):
    path = script("import json, os, sys, time\n"
                  "if json.loads(os.environ['TF_CONFIG'])['task']['index'] == 1:\n"
                  "    print('cannot reach the cluster'); sys.exit(3)\n"
                  "time.sleep(60)\n")  # worker 0 would wait for its peer forever
    start = time.monotonic()
    expected = "(?s)worker 1 exited with code 3.*cannot reach the cluster"
    with Workers(path, 2) as job, pytest.raises(WorkerFailed, match=expected):
        job.wait(timeout=30)
    assert time.monotonic() - start < 10
    assert not _alive(job.procs[0].pid), "the waiting peer must be killed"


def test_a_worker_that_never_starts_is_an_error_not_a_hang(tmp_path, script):
    path = script("import does_not_exist\n")
    with Workers(path, 2) as job, pytest.raises(WorkerFailed, match="ModuleNotFoundError"):
        job.wait(timeout=30)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Workers(tmp_path / "missing.py", 2)


def test_a_hanging_job_times_out_and_is_killed(script):
    path = script("import time\nprint('waiting for a peer', flush=True)\ntime.sleep(60)\n")
    start = time.monotonic()
    with Workers(path, 2) as job, pytest.raises(WorkerTimeout, match="within 1.5 s"):
        job.wait(timeout=1.5)
    assert time.monotonic() - start < 6
    assert not any(_alive(p.pid) for p in job.procs)


def test_until_returns_early_and_leaving_the_block_kills_everyone(script):
    path = script("import time\nfor i in range(100):\n"
                  "    print('epoch', i, flush=True); time.sleep(0.2)\n")
    with Workers(path, 2) as job:
        job.wait(timeout=30, until=r"\[worker 0\] epoch 2$")
        job.kill(1)
        assert not _alive(job.procs[1].pid) and _alive(job.procs[0].pid)
        pids = [p.pid for p in job.procs]
    assert not any(_alive(pid) for pid in pids)


def test_an_exception_inside_the_block_still_kills_the_workers(script):
    path = script("import time\ntime.sleep(60)\n")
    with pytest.raises(KeyError), Workers(path, 2) as job:
        pids = [p.pid for p in job.procs]
        raise KeyError("a failing cell")
    assert not any(_alive(pid) for pid in pids)


def test_run_script_runs_one_plain_process(script, capsys):
    path = script("import os\nprint('TF_CONFIG' in os.environ, os.environ['GREETING'])\n")
    log = run_script(path, env={"GREETING": "hello"}, timeout=30, label="jax")
    assert log.lines == ["False hello"] and log.returncode == 0
    assert "[jax] False hello" in capsys.readouterr().out


def test_workers_die_with_a_killed_parent(script, tmp_path):
    """Even a SIGKILLed kernel (no atexit) leaves no worker behind (Linux)."""
    if not os.path.exists("/proc"):
        pytest.skip("Linux only")
    path = script("import time\ntime.sleep(60)\n")
    parent = tmp_path / "parent.py"
    parent.write_text(
        "import sys, time\nfrom course_utils.workers import Workers\n"
        f"job = Workers({str(path)!r}, 2).start()\n"
        "print(' '.join(str(p.pid) for p in job.procs), flush=True)\ntime.sleep(60)\n")
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, str(parent)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    pids = [int(p) for p in proc.stdout.readline().split()]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)

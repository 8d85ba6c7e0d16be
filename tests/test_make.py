"""The two commands of the README: `make lab` must bring JupyterLab up."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("version", ["3.8", "3.10", "3.14"])
def test_make_lab_refuses_an_unsupported_python_with_a_clear_message(tmp_path, version):
    fake = tmp_path / f"python{version}"
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    run = subprocess.run(
        ["make", "lab", f"PYTHON={fake}", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode != 0
    assert "Python 3.11 to 3.13 is needed" in run.stderr and f"Python {version}" in run.stderr
    assert not (tmp_path / "venv").exists()


@pytest.mark.lab
def test_make_lab_serves_jupyterlab_on_localhost():
    port, token = _free_port(), "course-test-token"
    proc = subprocess.Popen(
        ["make", "lab", f"PORT={port}", f"ARGS=--no-browser --IdentityProvider.token={token}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    status, deadline = None, time.monotonic() + 180
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = response.status
                    page = response.read().decode("utf-8", "replace")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output = proc.communicate()[0]
    assert status == 200, f"JupyterLab did not answer on port {port}:\n{output[-3000:]}"
    assert "JupyterLab" in page


def test_make_notebooks_that_selects_nothing_fails_and_says_so(tmp_path):
    # pytest's exit status 5 (no test collected) must fail `make test` and CI loudly.
    stamp = tmp_path / "install-stamp"  # newer than pyproject.toml: make installs nothing
    stamp.touch()
    venv = Path(sys.executable).parent.parent
    run = subprocess.run(
        ["make", "notebooks", "NB=no_such_notebook", f"VENV={venv}", f"STAMP={stamp}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode != 0
    assert "error: pytest collected no tests" in run.stderr, run.stdout[-2000:]

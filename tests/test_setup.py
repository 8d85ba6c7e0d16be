"""course_utils.setup: the one call at the top of every notebook."""

import queue
import re
from importlib import metadata
from pathlib import Path

import pytest

from course_utils import setup as course_setup

ROOT = Path(__file__).resolve().parent.parent

# What TensorFlow's C++ core prints at import and first use on a CPU-only machine.
CPP_LOG = re.compile(r"absl::InitializeLog|cudart_stub|cuda_platform|port\.cc|cpu_feature_guard"
                     r"|^[IWEF]\d{4} ", re.M)


def run_in_kernel(code: str, env: dict[str, str]) -> list[tuple[str, str]]:
    """Run ``code`` in a real ipykernel (fd capture on, as in JupyterLab); return streams."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"), env=env)
    try:
        msg_id = kc.execute(code)
        streams = []
        while True:
            try:
                msg = kc.get_iopub_msg(timeout=120)
            except queue.Empty:
                pytest.fail("the kernel did not finish within 120 s")
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                streams.append((content["name"], content["text"]))
            elif kind == "error":
                streams.append(("error", "\n".join(content["traceback"])))
            elif kind == "status" and content["execution_state"] == "idle":
                return streams
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def kernel_env():
    import os

    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a learner's JupyterLab may start it
    env.pop("PYTEST_CURRENT_TEST", None)  # ipykernel forwards fd 2 only outside pytest
    env["COURSE_PROFILE"] = "smoke"
    return env


def test_setup_keeps_cpp_start_up_lines_out_of_a_real_kernel(kernel_env):
    code = (
        "from course_utils.setup import setup\n"
        "setup()\n"
        "import tensorflow as tf\n"
        "print(float(tf.reduce_sum(tf.ones(3))))\n"
        "import warnings; warnings.warn('python warnings still show')\n"
    )
    streams = run_in_kernel(code, kernel_env)
    text = "".join(t for _, t in streams)
    assert not CPP_LOG.search(text), f"C++ log lines reached the notebook:\n{text}"
    stdout = "".join(t for n, t in streams if n == "stdout")
    assert re.match(r"profile: smoke \| seed 42 \| Python 3\.\d+\.\d+ \| TensorFlow 2\.\d+\.\d+ "
                    r"\| Keras 3\.\d+\.\d+\n3\.0\n", stdout), stdout
    stderr = "".join(t for n, t in streams if n == "stderr")
    assert "python warnings still show" in stderr, "setup must not hide Python's own warnings"


def test_without_setup_the_same_kernel_shows_them(kernel_env):
    """The control: the test above can fail, because the lines are really there."""
    streams = run_in_kernel("import tensorflow as tf\nprint(tf.ones(1).numpy())\n", kernel_env)
    assert CPP_LOG.search("".join(t for _, t in streams))


def test_setup_line_and_determinism(monkeypatch):
    import tensorflow as tf

    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    line = course_setup.setup(7, quiet=True)
    assert line.startswith("profile: smoke | seed 7 | Python ")
    first = tf.random.uniform((3,)).numpy()
    course_setup.setup(7, quiet=True)
    assert (tf.random.uniform((3,)).numpy() == first).all()


def test_setup_rejects_a_bad_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="COURSE_PROFILE='fast' is not a run profile"):
        course_setup.setup()


@pytest.mark.parametrize(("package", "version", "fix"), [
    ("tensorflow", "2.19.1", "pip install 'tensorflow>=2.20,<2.22'"),
    ("tensorflow", "2.22.0", "pip install 'tensorflow>=2.20,<2.22'"),
    ("keras", "2.15.0", "pip install 'keras>=3.13,<4'"),
    ("keras", "3.12.4", "pip install 'keras>=3.13,<4'"),
])
def test_versions_outside_the_tested_range_say_what_to_install(monkeypatch, package, version, fix):
    real = metadata.version
    monkeypatch.setattr(course_setup.metadata, "version",
                        lambda name: version if name == package else real(name))
    with pytest.raises(course_setup.EnvironmentProblem) as err:
        course_setup.check_versions()
    assert f"{package} {version} is installed" in str(err.value) and fix in str(err.value)


def test_a_missing_package_names_the_kernel_to_pick(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(course_setup.metadata, "version", missing)
    with pytest.raises(course_setup.EnvironmentProblem, match="Python \\(Keras course\\)"):
        course_setup.check_versions()


def test_supported_ranges_match_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    for package, low, high in course_setup.SUPPORTED:
        assert f'"{package}>={low},<{high}"' in text, f"{package}: setup.SUPPORTED vs pyproject"


# Notebooks adopt setup() when they are next re-run in full (their code hash changes, so
# their committed outputs must be renewed): the issues that re-run them remove them here.
AWAITING_FULL_RERUN = {
    "08_cnn_mnist", "09_cnn_cifar10",
}
SETUP_CALL = re.compile(r"\Afrom course_utils\.setup import setup\n\nsetup\((seed=)?\d*\)")


def _first_code_cell(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_notebook_starts_with_setup(path):
    source = _first_code_cell(path)
    if path.stem in AWAITING_FULL_RERUN:
        assert not SETUP_CALL.match(source), (
            f"{path.name} calls setup() now: remove it from AWAITING_FULL_RERUN")
        return
    assert SETUP_CALL.match(source), (
        f"{path.name}: the first code cell must begin with\n"
        "from course_utils.setup import setup\n\nsetup()\n"
        f"(before any TensorFlow or Keras import); it begins with:\n{source[:200]}")
    assert "TF_CPP_MIN_LOG_LEVEL" not in source and "seed_everything" not in source, (
        f"{path.name}: setup() already quiets TensorFlow and seeds; do not do it twice")

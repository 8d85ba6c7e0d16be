"""Each notebook executed once, checked twice: nbval's comparison and the student edition.

A pytest plugin (loaded by the root ``conftest.py``). One kernel per notebook (nbclient):

1. **Teacher pass.** Every code cell runs in order, as under ``pytest --nbval-lax``: a cell
   must not raise (unless marked ``# NBVAL_RAISES_EXCEPTION``), ``# NBVAL_SKIP`` cells are
   skipped, and the outputs of cells marked ``# NBVAL_CHECK_OUTPUT`` are compared with the
   committed ones by nbval's own code (``nbval.plugin.IPyNbCell.compare_outputs``), after the
   regexes of ``nbval_sanitize.cfg`` are applied.
2. **Student pass.** Then, in the same kernel, the exercise section of the *student
   edition* (``course_utils.student.make_student_notebook``: solutions cleared by nbgrader's
   ClearSolutions, hidden tests by ClearHiddenTests) runs from its first answer cell to the
   end: answer and lesson cells must run clean, and every check cell must stop with the
   "not answered yet" ``AssertionError``. The cells before the first answer cell are the same
   text in both editions (``tests/test_student_edition.py`` checks that without executing
   anything), so the teacher pass has already run them.

Run one notebook with ``pytest notebooks/08_cnn_mnist.ipynb``,
``pytest tests/test_notebook_runs.py -k 08`` or ``make notebooks NB=08``. A cell gets
``--cell-timeout`` seconds (default ``COURSE_CELL_TIMEOUT`` or 120). ``COURSE_PROFILE``
defaults to ``smoke`` in the kernel when it is not set.
"""

from __future__ import annotations

import copy
import os
import re
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SANITIZE_FILE = ROOT / "nbval_sanitize.cfg"
DEFAULT_CELL_TIMEOUT = 120
NOT_ANSWERED = "not answered yet"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def pytest_addoption(parser):
    group = parser.getgroup("notebooks", "course notebooks (tests/notebook_plugin.py)")
    group.addoption(
        "--cell-timeout", type=float,
        default=float(os.environ.get("COURSE_CELL_TIMEOUT", DEFAULT_CELL_TIMEOUT)),
        help="seconds a notebook cell may run before it fails (default: $COURSE_CELL_TIMEOUT "
             f"or {DEFAULT_CELL_TIMEOUT})")


# ------------------------------------------------------------------ nbval's comparison


def _nbval():
    from nbval import plugin

    return plugin


class OutputComparer:
    """nbval's comparison of a checked cell's outputs, used outside nbval's per-cell items.

    The methods are nbval's own (nbval 0.11, ``IPyNbCell``); this object supplies the few
    attributes they read: the sanitize patterns, the keys nbval skips (images included, as
    without ``--nbdime``), pytest's assertion-diff hook and no colours.
    """

    def __init__(self, config, sanitize_file: Path | None = SANITIZE_FILE):
        plugin = _nbval()
        patterns = OrderedDict()
        if sanitize_file is not None:
            patterns.update(plugin.get_sanitize_patterns(Path(sanitize_file).read_text()))
        skip = ("metadata", "traceback", "prompt_number", "output_type", "name",
                "execution_count", "application/vnd.jupyter.widget-view+json",
                "image/png", "image/jpeg")
        self.parent = SimpleNamespace(sanitize_patterns=patterns, skip_compare=skip)
        self.config, self.ihook, self.colors = config, config.hook, plugin.nocolors
        self.comparison_traceback: list[str] = []

    def sanitize(self, text):
        return _nbval().IPyNbCell.sanitize(self, text)

    def format_output_compare(self, key, left, right):
        return _nbval().IPyNbCell.format_output_compare(self, key, left, right)

    def differences(self, test_outputs, reference_outputs) -> str | None:
        """None when nbval finds the outputs equal, else its explanation."""
        coalesce = _nbval().coalesce_streams
        test = coalesce(copy.deepcopy(list(test_outputs)))
        reference = coalesce(copy.deepcopy(list(reference_outputs)))
        if _nbval().IPyNbCell.compare_outputs(self, test, reference):
            return None
        return "\n".join(self.comparison_traceback)


def cell_options(cell) -> defaultdict:
    """nbval's options of a code cell (tags, then ``# NBVAL_...`` comments), as --nbval-lax."""
    plugin = _nbval()
    options = defaultdict(bool, plugin.find_metadata_tags(cell.metadata))
    options.update(plugin.find_comment_markers(cell.source))
    return options


# ------------------------------------------------------------------ one execution


def _grade(cell) -> dict:
    return cell.metadata.get("nbgrader") or {}


def is_answer(cell) -> bool:
    return cell.cell_type == "code" and bool(_grade(cell).get("solution"))


def is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(_grade(cell).get("grade")) and not is_answer(cell)


@dataclass
class NotebookRun:
    """What one execution of a notebook found."""

    name: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cell_seconds: dict[int, float] = field(default_factory=dict)
    compared: int = 0
    student_checks: int = 0

    def slowest(self) -> tuple[int, float]:
        return max(self.cell_seconds.items(), key=lambda kv: kv[1], default=(-1, 0.0))

    def report(self) -> str:
        return f"{self.name}: {len(self.problems)} problem(s)\n\n" + "\n\n".join(self.problems)


def _source_block(source: str) -> str:
    return "\n".join(f"    {line}" for line in source.splitlines()) or "    (empty)"


def _first_error(cell):
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def _error_text(error) -> str:
    return _ANSI.sub("", "\n".join(error.get("traceback", []))) or \
        f"{error.ename}: {error.evalue}"


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("COURSE_PROFILE", "smoke")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def _client(nb, path: Path, timeout: float):
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    # The Python of this environment (as nbval's --nbval-current-env), not a kernelspec
    # that may point elsewhere.
    km = AsyncKernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME,
                            kernel_spec_manager=NbvalKernelspecManager())
    return NotebookClient(nb, km=km, timeout=int(timeout), allow_errors=True,
                          resources={"metadata": {"path": str(path.parent)}})


def run_notebook(path: str | Path, *, timeout: float = DEFAULT_CELL_TIMEOUT,
                 comparer: OutputComparer | None = None, student: bool = True) -> NotebookRun:
    """Execute ``path`` once (teacher pass, then the student pass of its exercises)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from course_utils.student import make_student_notebook

    path = Path(path)
    reference = nbformat.read(path, as_version=4)
    work = copy.deepcopy(reference)
    run = NotebookRun(path.name)
    cells = reference.cells
    edition = make_student_notebook(reference) if student else None
    answers = [i for i, c in enumerate(cells) if is_answer(c)]
    if edition is not None and len(edition.cells) != len(cells):
        run.problems.append(f"{path.name}: the student edition has {len(edition.cells)} cells, "
                            f"the notebook {len(cells)}; cannot pair them")
        edition = None
    client = _client(work, path, timeout)
    start = time.perf_counter()

    def execute(cell, index: int, label: str) -> bool:
        """Run one cell; False (and a problem) when the kernel hung or died."""
        began = time.perf_counter()
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            run.problems.append(
                f"{path.name}, cell {index} ({label}): did not finish within {timeout:g} s "
                f"(--cell-timeout / COURSE_CELL_TIMEOUT)\n{_source_block(cell.source)}")
            return False
        except DeadKernelError as exc:
            run.problems.append(f"{path.name}, cell {index} ({label}): the kernel died "
                                f"({exc})\n{_source_block(cell.source)}")
            return False
        finally:
            run.cell_seconds[index] = run.cell_seconds.get(index, 0.0) + \
                time.perf_counter() - began
        return True

    with client.setup_kernel(env=_kernel_env(), cleanup_kc=True):
        finished = True  # False once a cell failed: the kernel's state is then unknown
        for index, cell in enumerate(work.cells):
            if cell.cell_type != "code" or cell_options(cell)["skip"]:
                continue
            options = cell_options(cell)
            finished = execute(cell, index, "teacher")
            if not finished:
                break
            error = _first_error(cell)
            if error is not None and not options["check_exception"]:
                run.problems.append(
                    f"{path.name}, cell {index}: {error.ename}: {error.evalue}\n"
                    f"{_source_block(cell.source)}\n{_error_text(error)}")
                finished = False
                break  # later cells would fail because of this one
            if options["check"]:
                ref = cells[index]
                if ref.get("execution_count") is None:
                    if ref.get("outputs"):
                        run.problems.append(f"{path.name}, cell {index}: unrun reference cell "
                                            "has outputs")
                    continue
                run.compared += 1
                diff = (comparer.differences(cell.outputs, ref.outputs)
                        if comparer is not None else None)
                if diff:
                    run.problems.append(
                        f"{path.name}, cell {index}: output differs from the committed one "
                        f"(# NBVAL_CHECK_OUTPUT)\n{_source_block(cell.source)}\n{diff}")
        if finished and edition is not None and answers:
            _student_pass(run, edition, answers[0], execute)
    run.seconds = time.perf_counter() - start
    return run


def _student_pass(run: NotebookRun, edition, first: int, execute) -> None:
    """Run the student edition's exercise section; every check must say 'not answered yet'."""
    for index in range(first, len(edition.cells)):
        cell = copy.deepcopy(edition.cells[index])
        if cell.cell_type != "code" or cell_options(cell)["skip"]:
            continue
        grade_id = _grade(cell).get("grade_id", "lesson")
        where = f"{run.name}, cell {index} [{grade_id}] (student edition)"
        if not execute(cell, index, f"student edition [{grade_id}]"):
            return
        error = _first_error(cell)
        if is_check(cell):
            run.student_checks += 1
            if error is None:
                run.problems.append(f"{where}: the check passed on an unanswered exercise")
            elif error.ename != "AssertionError" or NOT_ANSWERED not in error.evalue:
                hint = (" (the check cell calls an answer function outside a lambda: use "
                        "get_answer(lambda: ...))" if error.ename == "NotImplementedError"
                        else "")
                run.problems.append(f"{where}: expected '{NOT_ANSWERED}', got {error.ename}: "
                                    f"{error.evalue}{hint}\n{_error_text(error)}")
        elif error is not None and not cell_options(cell)["check_exception"]:
            run.problems.append(f"{where}: {error.ename}: {error.evalue}\n"
                                f"{_source_block(cell.source)}\n{_error_text(error)}")


# ------------------------------------------------------------------ pytest glue


def check_notebook(path: str | Path, config, item=None) -> NotebookRun:
    """Run ``path`` under this session's options; fail the test with every problem found."""
    run = run_notebook(path, timeout=config.getoption("cell_timeout"),
                       comparer=OutputComparer(config))
    if item is not None:
        index, seconds = run.slowest()
        item.user_properties.append(("notebook_run", {
            "name": run.name, "seconds": round(run.seconds, 1), "slowest_cell": index,
            "slowest_seconds": round(seconds, 1), "compared": run.compared,
            "student_checks": run.student_checks}))
    if run.problems:
        pytest.fail(run.report(), pytrace=False)
    return run


@pytest.fixture
def notebook_check(request):
    """``notebook_check(path)`` runs a notebook once and fails the test on any problem."""
    return lambda path: check_notebook(path, request.config, request.node)


def pytest_collect_file(file_path, parent):
    """``pytest notebooks/08_cnn_mnist.ipynb``: a notebook named on the command line."""
    option = parent.config.option
    if file_path.suffix != ".ipynb" or getattr(option, "nbval", False) or \
            getattr(option, "nbval_lax", False):
        return None  # nbval itself collects notebooks when asked to
    if parent.session.isinitpath(file_path):
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookItem(pytest.Item):
    def runtest(self):
        check_notebook(self.path, self.config, self)

    def reportinfo(self):
        return self.path, None, f"{self.path.name} (teacher + student pass)"


def pytest_terminal_summary(terminalreporter):
    runs = [value for kind in ("passed", "failed") for report in
            terminalreporter.stats.get(kind, []) if getattr(report, "when", "") == "call"
            for key, value in getattr(report, "user_properties", []) if key == "notebook_run"]
    if not runs:
        return
    terminalreporter.section("notebook executions (one kernel each)")
    terminalreporter.write_line(f"{'notebook':<40} {'seconds':>8} {'slowest cell':>13} "
                                f"{'compared':>9} {'student checks':>15}")
    for r in sorted(runs, key=lambda r: -r["seconds"]):
        slowest = f"{r['slowest_cell']} ({r['slowest_seconds']:.0f} s)"
        terminalreporter.write_line(f"{r['name']:<40} {r['seconds']:>8.1f} {slowest:>13} "
                                    f"{r['compared']:>9} {r['student_checks']:>15}")
    total = sum(r["seconds"] for r in runs)
    terminalreporter.write_line(f"{'total':<40} {total:>8.1f}")

"""environment.yml (conda) and pyproject.toml (pip) must declare the same packages and Pythons."""

import ast
import re
import tomllib  # Python >= 3.11; never pip's vendored tomli (see the last test)
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {"pysoundfile": "soundfile"}
NOT_PACKAGES = {"python", "pip"}
SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _split(spec: str) -> tuple[str, str]:
    match = SPEC.match(spec)
    assert match, f"cannot parse requirement {spec!r}"
    name = match.group(1).lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    specs = list(data["project"]["dependencies"])
    for group in data["project"]["optional-dependencies"].values():
        specs.extend(group)
    return dict(_split(s) for s in specs)


def requires_python() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]


def conda_requirements(keep: frozenset[str] = frozenset()) -> dict[str, str]:
    """Parse the few YAML shapes environment.yml uses (no YAML library needed)."""
    found: dict[str, str] = {}
    in_dependencies = False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if re.match(r"^[A-Za-z_]+:", line):
            in_dependencies = line.startswith("dependencies:")
            continue
        if not in_dependencies:
            continue
        item = re.match(r"^\s*-\s+(.+)$", line)
        if not item or item.group(1).endswith(":") or item.group(1).startswith("-e "):
            continue
        name, spec = _split(item.group(1))
        if name not in NOT_PACKAGES or name in keep:
            found[name] = spec
    return found


def test_both_files_list_the_same_packages():
    pip, conda = pyproject_requirements(), conda_requirements()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml only"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml only"


def test_both_files_give_the_same_ranges():
    pip, conda = pyproject_requirements(), conda_requirements()
    differ = {n: (pip[n], conda[n]) for n in pip if n in conda and pip[n] != conda[n]}
    assert differ == {}, f"ranges disagree (pyproject, environment.yml): {differ}"


def test_every_requirement_is_a_compatible_range_not_an_exact_pin():
    for name, spec in pyproject_requirements().items():
        assert "==" not in spec, f"{name} is pinned exactly ({spec}); use a tested range"
        assert ">=" in spec and "<" in spec, f"{name} needs a lower and an upper bound"


def test_no_legacy_tf_keras():
    assert "tf-keras" not in pyproject_requirements()


def test_the_parser_sees_what_it_should():
    conda = conda_requirements()
    assert conda["tensorflow"] == ">=2.20,<2.22" and "jupyterlab" in conda


# ---------------------------------------------------------------------- Python versions
def _claimed_minors() -> range:
    match = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", requires_python().replace(" ", ""))
    assert match, f"requires-python {requires_python()!r}: expected '>=3.X,<3.Y'"
    return range(int(match.group(1)), int(match.group(2)))


def test_both_files_claim_the_same_pythons():
    conda_python = conda_requirements(keep=frozenset({"python"}))["python"]
    assert conda_python == requires_python().replace(" ", ""), (
        f"environment.yml says python{conda_python}, pyproject.toml says "
        f"requires-python {requires_python()!r}"
    )


def test_setup_refuses_the_pythons_below_the_range():
    from course_utils.setup import MIN_PYTHON

    assert MIN_PYTHON == (3, _claimed_minors()[0]), "course_utils.setup.MIN_PYTHON vs pyproject"


def test_readme_names_the_pythons_that_make_test_pythons_runs():
    minors = _claimed_minors()
    span = f"Python 3.{minors[0]}–3.{minors[-1]}"
    assert span in (ROOT / "README.md").read_text(), f"README should say {span!r}"


def test_no_code_of_ours_imports_pip():
    """On Python 3.10 and 3.11, importing pip makes setuptools' distutils hack hand the
    standard library's distutils to the whole process; the next `import setuptools` (nbgrader
    does it) then fails its own assertion, and pytest stops at collection. Read TOML with
    tomllib and versions with importlib.metadata instead (pypa/setuptools#3044, #3621)."""
    offenders = []
    for path in sorted([*ROOT.glob("tests/**/*.py"), *ROOT.glob("course_utils/**/*.py"),
                        *ROOT.glob("tools/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                else [])
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
                          for name in names if name.split(".")[0] == "pip"]
    assert offenders == []

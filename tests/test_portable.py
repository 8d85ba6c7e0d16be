"""course_utils imports on native Windows: nothing POSIX-only at import time."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import course_utils

ROOT = Path(__file__).resolve().parent.parent
#: Standard-library modules that exist on POSIX only.
POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")

SCRIPT = """
import importlib, sys
for name in {blocked!r}:
    sys.modules[name] = None  # `import fcntl` now raises ImportError, as on Windows
failed = []
for module in {modules!r}:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        failed.append(f"{{module}}: {{exc}}")
print("\\n".join(failed))
"""


def _modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(course_utils.__path__, "course_utils.")
             if not m.name.endswith(".__main__")]  # a command line, run on import
    assert "course_utils.runner" in found and "course_utils.checks" in found
    return sorted(found)


def test_every_course_utils_module_imports_without_posix_only_modules():
    script = SCRIPT.format(blocked=POSIX_ONLY, modules=_modules())
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "", "POSIX-only imports:\n" + done.stdout

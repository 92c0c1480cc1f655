"""The Python interpreters the Python-target tests run on, each with scikit-learn from
PyPI: pyenv's 3.9-3.13 (shared libpython) through .venvs/py3.X (scripts/setup-venv.sh
makes them), and Debian's static /usr/bin/python3.11 through the test venv."""
import os
from pathlib import Path

import pytest

from conftest import SOURCE_DIR


def sklearn_pythons():
    found = []
    root = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
    for minor in range(9, 14):
        if any(root.glob(f"3.{minor}.*")):
            found.append(str(SOURCE_DIR / ".venvs" / f"py3.{minor}" / "bin" / "python"))
    if Path("/usr/bin/python3.11").exists():
        found.append(str(SOURCE_DIR / ".venv" / "bin" / "python"))
    return found


def require_env(python):
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: scripts/setup-venv.sh makes it")

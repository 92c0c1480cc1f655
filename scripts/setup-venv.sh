#!/usr/bin/env bash
# A virtual environment for the tests and examples: the real MLflow client (to read
# back what bpfpads writes) and pytest. Python packages are never needed by
# bpfpads itself.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r tests/requirements.txt

# With --all-pythons (the tests): scikit-learn for each of pyenv's CPython 3.9-3.13,
# as the Python-target tests run the job on every interpreter: .venvs/py3.X, with the
# newest scikit-learn PyPI serves that version (1.6 was the last for 3.9, 1.7 for 3.10).
[ "${1:-}" = "--all-pythons" ] || exit 0
pyenv_root=$( (command -v pyenv >/dev/null && pyenv root) || echo "${PYENV_ROOT:-/root/.pyenv}")
for minor in 9 10 11 12 13; do
  interp=$(ls -d "$pyenv_root"/versions/3.$minor.*/bin/python3.$minor 2>/dev/null | head -1 || true)
  [ -n "$interp" ] || continue
  venv=.venvs/py3.$minor
  [ -x "$venv/bin/python" ] || "$interp" -m venv "$venv"
  case $minor in 9) sklearn=1.6.1 ;; 10) sklearn=1.7.2 ;; *) sklearn=1.9.1 ;; esac
  "$venv/bin/pip" install -q "scikit-learn==$sklearn"
done

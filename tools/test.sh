#!/usr/bin/env bash
# Install everything the test suite needs, build the Cython kernels, check lint and format, and run the whole suite.
# Used as is by the README and by CI (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Graphviz's `dot` renders graphs in the viz tests (Debian package; needs root, as on CI).
if ! command -v dot >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
fi
# PyTorch (CPU build) is the oracle of the comparison tests and the peer in bench/; never a runtime dependency.
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[test,onnx,mpi]"
# Lint and format check (configured in pyproject.toml); `ruff check --fix .` and `ruff format .` repair most of it.
python -m ruff check .
python -m ruff format --check .
python -m pytest -q "$@"

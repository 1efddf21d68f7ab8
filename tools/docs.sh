#!/usr/bin/env bash
# Build the documentation into docs/_build/html with every warning an error; the tutorials
# in docs/tutorials run during the build. One command from a clean clone:
#     bash tools/docs.sh
# It installs Graphviz (Debian package, needs root) and the `docs` extra of pyproject.toml (Sphinx and
# its extensions, matplotlib, and torch==2.13.0 for the benchmark tutorial's side-by-side runs).
# If this checkout's kernels are already built (tools/test.sh or `pip install -e .` ran),
# only the extra's requirements are installed and the built package is left as it is;
# otherwise `pip install -e ".[docs]"` builds it.
#     bash tools/docs.sh --no-install    build with what is installed
# Other arguments go to sphinx-build (e.g. -j 2).
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
if [[ "${1:-}" == "--no-install" ]]; then
    install=0
    shift
fi

if [[ $install == 1 ]]; then
    if ! command -v dot >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    fi
    if python -c "import minigrad_core.conv, minigrad_core.pool, minigrad.autograd._engine" >/dev/null 2>&1 &&
       requirements=$(python - <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["docs"]))
PY
       ); then
        mapfile -t packages <<<"$requirements"
        python -m pip install -q "${packages[@]}"
    else
        python -m pip install -q -e ".[docs]"
    fi
fi

# Generated pages and pictures are rebuilt every time, so that a removed tutorial, API entry or
# picture cannot linger. The saved doctrees go too: an object moved to another API page would
# otherwise be read from both pages' doctrees and reported as a duplicate.
rm -rf docs/auto_tutorials docs/api/generated docs/sg_execution_times.rst docs/images docs/_build/html/.doctrees
started=$(date +%s)
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" python -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
echo "docs: built docs/_build/html/index.html in $(( $(date +%s) - started )) s, no warnings"

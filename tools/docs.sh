#!/usr/bin/env bash
# Build the documentation site into docs/_build/html, warnings as errors.
#   bash tools/docs.sh            install what the build needs, then build
#   bash tools/docs.sh --no-install   build with what is installed
# Extra arguments go to sphinx-build (e.g. -E to rebuild every page).
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
if [[ "${1:-}" == "--no-install" ]]; then
    install=0
    shift
fi

if [[ $install == 1 ]]; then
    # Graphviz's `dot` draws the architecture diagrams and the tutorials' graphs (Debian package; needs root).
    if ! command -v dot >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    fi
    # The docs extra: Sphinx, MyST, furo, sphinx-gallery, matplotlib; builds the Cython kernels in place.
    python -m pip install -q -e ".[docs]"
fi

# Clean generated pages, so that a removed tutorial or API entry cannot survive in the site.
rm -rf docs/auto_tutorials docs/api/generated docs/sg_execution_times.rst
started=$(date +%s)
python -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
echo "docs: built docs/_build/html/index.html in $(( $(date +%s) - started )) s"

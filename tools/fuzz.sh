#!/usr/bin/env bash
# The long fuzz run of the conv, pool, pad, unfold and fold ops against PyTorch, for before
# a release (the test suite runs a short fixed draw of the same cases):
#     bash tools/fuzz.sh            5,000 cases, seed 0
#     bash tools/fuzz.sh 20000 7    20,000 cases, hypothesis seed 7
# Prints the figures per category (cases, crashes, hangs, wrong results, unclear errors,
# and the calls minigrad accepts or refuses unlike PyTorch) and lists the cases found;
# exits 1 if any case crashed, hung, gave a wrong result or an unclear error.
# Needs PyTorch and hypothesis (the `test` extra). Other arguments go to the script:
# --batch N (cases per child process), --show N (cases listed per verdict).
set -euo pipefail
cd "$(dirname "$0")/.."

cases=5000
seed=0
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then cases=$1; shift; fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seed=$1; shift; fi
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" python tests/reliability/test_fuzz_ops.py --cases "$cases" --seed "$seed" "$@"

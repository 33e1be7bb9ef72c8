#!/usr/bin/env bash
# Set-up command 1: installs what is missing, builds the release binary, and runs the main job
# on the embedded default data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
mkdir -p outputs
./build/release/sim/yidi settle scenarios/examples/claims-sample.csv -o outputs/claims-sample-settled.csv
echo "results: outputs/claims-sample-settled.csv"

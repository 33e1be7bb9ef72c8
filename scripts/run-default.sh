#!/usr/bin/env bash
# Set-up command 1: installs what is missing, builds the release binary, and runs the main job:
# the embedded baseline scenario (2022–2027, a 1:1000 sample), then its calibration table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-python-package.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
mkdir -p outputs
./build/release/sim/yidi run baseline -o outputs/baseline.h5 --overwrite
./build/release/sim/yidi calibration outputs/baseline.h5
echo "run output: outputs/baseline.h5 (schema: outputs/SCHEMA.md)"

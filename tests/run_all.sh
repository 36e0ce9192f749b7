#!/usr/bin/env bash
# The README's test command: installs what a fresh Debian 12 machine lacks, builds, runs every test.
# Each step in tests/steps/ builds what it needs and runs in file-name order; one uses an earlier
# step's output (20-wasm.sh replays the fuzz corpus 16-fuzz.sh leaves in build/fuzz/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
for step in tests/steps/[0-9][0-9]-*.sh; do
  echo "=== ${step} ==="
  bash "$step"
done
echo "=== all test steps passed ==="

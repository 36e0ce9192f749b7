#!/usr/bin/env bash
# The README's test command: installs what a fresh Debian 12 machine lacks, builds, runs every test.
# Each step in tests/steps/ is self-sufficient and runs in file-name order.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in tests/steps/[0-9][0-9]-*.sh; do
  echo "=== ${step} ==="
  bash "$step"
done
echo "=== all test steps passed ==="

#!/usr/bin/env bash
# Debian packages every later step needs. apt-get only when something is missing, so a second run
# on the same machine is quick.
set -euo pipefail
packages=(cmake g++ emscripten catch2 libsimde-dev nlohmann-json3-dev chromium libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
node --version

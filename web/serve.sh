#!/usr/bin/env bash
# The README's main command: builds whatever is missing (the npm package's wasm, the page) and serves the
# demo on 127.0.0.1 with COOP/COEP headers, so the threaded wasm build loads.
#   bash web/serve.sh [--port 8080] [--no-isolation]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/build.sh"
exec node "$here/server.mjs" "$@"

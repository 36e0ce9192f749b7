// Node entry point (CommonJS; node.mjs re-exports it, so `import` and `require` share one
// AdaptivePoolError class). Emscripten 3.1.6's Node loader cannot fetch a wasm file by path under
// Node 18+'s global fetch, so the bytes are read from disk and passed as wasmBinary.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AdaptivePoolError, loadWith, simdSupported, threadsMissing } = require('./core.cjs');

function load(options) {
  return loadWith(
    {
      simd: simdSupported(),
      threadsMissing: threadsMissing(true),
      defaultThreads: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
      createModule(build, threads) {
        const dir = path.join(__dirname, 'node', build);
        const createModule = require(path.join(dir, 'adaptive-pool.js'));
        return createModule({
          wasmBinary: fs.readFileSync(path.join(dir, 'adaptive-pool.wasm')),
          // Read by -sPTHREAD_POOL_SIZE: the workers ThreadPool(threads) will start, never 0
          // (an empty pool would leave the module waiting for workers forever).
          adaptivePoolWorkers: Math.max(1, threads - 1),
        });
      },
    },
    options,
  );
}

module.exports = { load, AdaptivePoolError };

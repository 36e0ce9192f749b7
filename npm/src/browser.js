// Browser and bundler entry point. Each build is imported by a literal path so bundlers (Vite,
// webpack) see all three; the Emscripten glue finds its .wasm and worker with
// new URL(..., import.meta.url), which bundlers rewrite to the emitted files.
import { AdaptivePoolError, loadWith, simdSupported, threadsMissing } from './core.js';

const builds = {
  'simd-threads': () => import('./web/simd-threads/adaptive-pool.js'),
  simd: () => import('./web/simd/adaptive-pool.js'),
  scalar: () => import('./web/scalar/adaptive-pool.js'),
};

export function load(options) {
  return loadWith(
    {
      simd: simdSupported(),
      threadsMissing: threadsMissing(false),
      defaultThreads: globalThis.navigator?.hardwareConcurrency ?? 1,
      async createModule(build, threads) {
        const { default: createModule } = await builds[build]();
        // Read by -sPTHREAD_POOL_SIZE; never 0 (an empty pool would wait for workers forever).
        return createModule({ adaptivePoolWorkers: Math.max(1, threads - 1) });
      },
    },
    options,
  );
}

export { AdaptivePoolError };

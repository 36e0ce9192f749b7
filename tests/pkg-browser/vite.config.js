// Plain object (no import from 'vite'): the config is copied into a scratch project without vite.
export default {
  // The threaded build's pthread workers are ES modules; Vite's default iife worker format fails.
  worker: { format: 'es' },
  // The dev server's pre-bundling would move the glue away from its .wasm and worker files.
  optimizeDeps: { exclude: ['adaptive-pool'] },
  build: { outDir: 'dist', emptyOutDir: true },
  logLevel: 'warn',
};

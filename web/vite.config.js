import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so the built page works from any folder of any static host.
  base: './',
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
    target: 'es2022',
  },
  // The threaded wasm build starts its pthreads as module workers; Vite's default iife format fails the build.
  worker: { format: 'es' },
  // Pre-bundling would move the package away from its .wasm files (resolved with import.meta.url).
  optimizeDeps: { exclude: ['adaptive-pool'] },
  server: {
    // The package is linked from ../npm (file:../npm), outside this folder: let the dev server read its wasm.
    fs: { allow: ['..'] },
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
});

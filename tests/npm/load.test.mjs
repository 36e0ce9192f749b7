// load(): the build it picks, explicit builds, unavailable builds, thread counts; and a process
// that exits by itself once ap.dispose() has ended the worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AdaptivePoolError, load } from 'adaptive-pool';
import { BUILD, THREADS } from './helpers.mjs';

test(`load({ build: '${BUILD}' }) reports its build and threads`, async () => {
  const ap = await load({ build: BUILD, threads: THREADS });
  try {
    assert.equal(ap.build, BUILD === 'auto' ? 'simd-threads' : BUILD);
    assert.equal(ap.threads, ap.build === 'simd-threads' ? THREADS : 1);
    const r = ap.adaptiveAvgPool2d({ data: new Float32Array(64).fill(2), shape: [1, 1, 8, 8] }, 3);
    assert.deepEqual(Array.from(r.data), new Array(9).fill(2));
  } finally {
    ap.dispose();
  }
});

test('auto picks simd-threads in Node, with min(4, cores) threads by default', async () => {
  const ap = await load();
  try {
    assert.equal(ap.build, 'simd-threads');
    assert.equal(ap.threads, Math.min(4, availableParallelism()));
  } finally {
    ap.dispose();
  }
});

// Stubs a missing engine feature for the duration of load() (features are probed when it starts).
async function withStub(object, key, value, fn) {
  const saved = Object.getOwnPropertyDescriptor(object, key);
  Object.defineProperty(object, key, { value, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    Object.defineProperty(object, key, saved);
  }
}

test('without SharedArrayBuffer: auto falls back to simd, simd-threads is a clear error', async () => {
  await withStub(globalThis, 'SharedArrayBuffer', undefined, async () => {
    const loading = load();
    await assert.rejects(
      load({ build: 'simd-threads' }),
      (e) =>
        e instanceof AdaptivePoolError &&
        e.code === 'ARGUMENT' &&
        /build 'simd-threads' needs SharedArrayBuffer/.test(e.message),
    );
    const ap = await loading;
    assert.equal(ap.build, 'simd');
    assert.equal(ap.threads, 1);
    ap.dispose();
  });
});

test('without wasm SIMD: auto falls back to scalar, simd is a clear error', async () => {
  await withStub(
    WebAssembly,
    'validate',
    () => false,
    async () => {
      const loading = load();
      await assert.rejects(
        load({ build: 'simd' }),
        (e) => e.code === 'ARGUMENT' && /build 'simd' needs WebAssembly SIMD/.test(e.message),
      );
      await assert.rejects(load({ build: 'simd-threads' }), (e) => e.code === 'ARGUMENT');
      const ap = await loading;
      assert.equal(ap.build, 'scalar');
      ap.dispose();
    },
  );
});

function run(code, timeoutMs) {
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    env: process.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ exited: false, stdout, stderr });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ exited: true, code, stdout, stderr });
    });
  });
}

const script = (dispose) => `
  import { load } from 'adaptive-pool';
  const ap = await load({ build: ${JSON.stringify(BUILD)}, threads: 2 });
  const r = ap.adaptiveMaxPool2d({ data: Float32Array.from({ length: 4096 }, (_, i) => i), shape: [4, 4, 16, 16] }, 3);
  console.log(ap.build, ap.threads, r.data[r.data.length - 1]);
  ${dispose ? 'ap.dispose();' : ''}
`;

test('a Node process exits by itself after ap.dispose()', async () => {
  const r = await run(script(true), 30000);
  assert.ok(r.exited, `still running after 30 s; stderr: ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4095/);
});

test(
  'without ap.dispose() the worker threads keep Node alive (so the test above means something)',
  {
    skip: BUILD === 'simd-threads' || BUILD === 'auto' ? false : 'no worker threads in this build',
  },
  async () => {
    const r = await run(script(false), 4000);
    assert.equal(r.exited, false, `exited with ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /simd-threads 2 4095/);
  },
);

// Benchmark of adaptive-pool against naive JavaScript and the memory roofline, all in one Node
// process. For every case of bench/cases.json:
//   ms          median of our call on wasm tensors (input and output already in wasm memory)
//   api_ms      the same call from plain typed arrays (copies in and out included)
//   naive_ms    the formula as plain JS loops (bench/naive.mjs), same input
//   roofline_ms a SIMD loop in the same wasm module reading the case's input bytes once
//               (for backward: the bytes of grad_input, the tensor with the input's shape)
// Usage: node bench/run.mjs [--json] [--threads N] [--build NAME] [--filter TEXT] [--dist DIR] [--cpu]
// --cpu times with the process's CPU time instead of the wall clock: a development aid on a
// machine shared with other jobs (wall time there mostly measures the scheduler); one thread only.
// --build defaults to 'simd' for one thread and 'simd-threads' otherwise; --dist defaults to the
// package's npm/dist (build it with: bash npm/scripts/build-wasm.sh).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { naiveBackward, naiveForward } from './naive.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = {
    json: false,
    cpu: false,
    threads: 1,
    build: undefined,
    filter: '',
    dist: path.join(here, '..', 'npm', 'dist'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') o.json = true;
    else if (a === '--cpu') o.cpu = true;
    else if (a === '--threads') o.threads = Number(value());
    else if (a === '--build') o.build = value();
    else if (a === '--filter') o.filter = value();
    else if (a === '--dist') o.dist = path.resolve(value());
    else
      throw new Error(
        `unknown argument ${a} (--json, --threads N, --build NAME, --filter TEXT, --dist DIR)`,
      );
  }
  if (!(Number.isInteger(o.threads) && o.threads >= 1))
    throw new Error(`--threads must be an integer >= 1`);
  o.build ??= o.threads > 1 ? 'simd-threads' : 'simd';
  if (o.cpu && o.threads > 1) throw new Error('--cpu measures one thread only');
  return o;
}

let clock = () => performance.now();
const cpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Warm up, then time the four quantities of a case in alternation: every round runs each of them
// (the fast ones several times in a row, so that each takes about as long per round as the
// slowest), and each result is the median of its own runs. A shared machine that slows down or
// speeds up during a case (this VM's memory speed moves 2x within seconds) then moves all four
// alike, so the ratios the targets are about stay put. Warm-up is long for wasm: V8 tiers up hot
// functions while they run, and with threads every worker has to get there too.
function medians(jobs, { budgetMs = 1600, minRounds = 5, maxRounds = 300, maxReps = 50 } = {}) {
  const estimates = jobs.map(({ fn, warmRuns = 10, warmMs = 200 }) => {
    const t0 = performance.now();
    let warm = 0;
    while (warm < warmRuns || (performance.now() - t0 < warmMs && warm < 300)) {
      fn();
      warm++;
    }
    return Math.max((performance.now() - t0) / warm, 1e-3);
  });
  const slowest = Math.max(...estimates);
  const reps = estimates.map((e) => Math.max(1, Math.min(maxReps, Math.round(slowest / e))));
  const roundMs = estimates.reduce((sum, e, i) => sum + e * reps[i], 0);
  const rounds = Math.max(minRounds, Math.min(maxRounds, Math.ceil(budgetMs / roundMs)));
  const times = jobs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    jobs.forEach(({ fn }, i) => {
      for (let k = 0; k < reps[i]; k++) {
        const t0 = clock();
        fn();
        times[i].push(clock() - t0);
      }
    });
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    const m = t.length >> 1;
    return t.length % 2 ? t[m] : (t[m - 1] + t[m]) / 2;
  });
}

// Deterministic values in [-1, 1).
function fillRandom(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
}

function runCase(ap, c, opts) {
  const rank = c.shape.length - 2;
  const [N, C] = c.shape;
  const spatial = c.shape.slice(2);
  const last = c.layout === 'NHWC';
  const pad = (v) => [...Array(3 - v.length).fill(1), ...v];
  const inSize = pad(spatial);
  const outSize = pad(c.output);
  const memShape = (sp) => (last ? [N, ...sp, C] : [N, C, ...sp]);
  const inShape = memShape(spatial);
  const outShape = memShape(c.output);
  const kind = c.op.startsWith('avg') ? 'Avg' : 'Max';
  const forwardName = `adaptive${kind}Pool${rank}d`;
  const backwardName = `${forwardName}Backward`;
  const layout = { channelsLast: last };

  const x = ap.tensor(inShape);
  fillRandom(x.data, 1);
  const y = ap.tensor(outShape);
  const idx = ap.tensor(outShape, { dtype: 'int32' });
  const fwdOpts = kind === 'Max' ? { ...layout, out: y, outIndices: idx } : { ...layout, out: y };
  ap[forwardName](x, c.output, fwdOpts); // indices for max backward
  const xPlain = { data: x.data.slice(), shape: inShape };
  const tensors = [x, y, idx];
  let ms, apiMs, naiveMs, rooflineMs;
  const count = (s) => s.reduce((a, b) => a * b, 1);

  // The naive loops are slow: a short warm-up (V8 optimises them within a few runs).
  const naiveJob = (fn) => ({ fn, warmRuns: 3, warmMs: 50 });
  if (c.op === 'avg' || c.op === 'max') {
    const ny = new Float32Array(count(outShape));
    const ni = new Int32Array(count(outShape));
    [ms, apiMs, naiveMs, rooflineMs] = medians([
      { fn: () => ap[forwardName](x, c.output, fwdOpts) },
      { fn: () => ap[forwardName](xPlain, c.output, layout) },
      naiveJob(() => naiveForward(c.op, last, xPlain.data, N, C, inSize, outSize, ny, ni)),
      { fn: () => ap._roofline(x) },
    ]);
  } else {
    const gy = ap.tensor(outShape);
    fillRandom(gy.data, 2);
    const gx = ap.tensor(inShape);
    tensors.push(gy, gx);
    const gyPlain = { data: gy.data.slice(), shape: outShape };
    const idxPlain = idx.data.slice();
    const max = c.op === 'max_backward';
    const ngx = new Float32Array(count(inShape));
    [ms, apiMs, naiveMs, rooflineMs] = medians([
      {
        fn: max
          ? () => ap[backwardName](gy, idx, inShape, { ...layout, out: gx })
          : () => ap[backwardName](gy, inShape, { ...layout, out: gx }),
      },
      {
        fn: max
          ? () => ap[backwardName](gyPlain, idxPlain, inShape, layout)
          : () => ap[backwardName](gyPlain, inShape, layout),
      },
      naiveJob(() => naiveBackward(c.op, last, gyPlain.data, idxPlain, N, C, inSize, outSize, ngx)),
      { fn: () => ap._roofline(gx) },
    ]);
  }
  for (const t of tensors) t.dispose();
  return {
    name: c.name,
    build: ap.build,
    threads: ap.threads,
    ms,
    api_ms: apiMs,
    naive_ms: naiveMs,
    roofline_ms: rooflineMs,
  };
}

const opts = parseArgs(process.argv.slice(2));
if (opts.cpu) clock = cpuClock;
const require = createRequire(import.meta.url);
const { load } = require(path.join(opts.dist, 'node.cjs'));
const cases = JSON.parse(readFileSync(path.join(here, 'cases.json'), 'utf8')).filter((c) =>
  c.name.includes(opts.filter),
);
const ap = await load({ build: opts.build, threads: opts.threads });
const round = (v) => Number(v.toPrecision(4));
try {
  if (!opts.json) {
    console.log(
      `adaptive-pool bench: build ${ap.build}, threads ${ap.threads}, float32, medians in ms` +
        (opts.cpu ? ' of CPU time' : ''),
    );
    console.log(
      ['case'.padEnd(20), 'ms', 'api_ms', 'naive_ms', 'roofline', 'x roofline', 'naive/ms']
        .map((s, i) => (i ? s.padStart(11) : s))
        .join(''),
    );
  }
  for (const c of cases) {
    const r = runCase(ap, c, opts);
    if (opts.json) {
      console.log(
        JSON.stringify({
          ...r,
          ms: round(r.ms),
          api_ms: round(r.api_ms),
          naive_ms: round(r.naive_ms),
          roofline_ms: round(r.roofline_ms),
        }),
      );
    } else {
      const cells = [r.ms, r.api_ms, r.naive_ms, r.roofline_ms].map((v) =>
        v.toFixed(3).padStart(11),
      );
      cells.push(
        (r.ms / r.roofline_ms).toFixed(2).padStart(11),
        (r.naive_ms / r.ms).toFixed(1).padStart(11),
      );
      console.log(r.name.padEnd(20) + cells.join(''));
    }
  }
} finally {
  ap.dispose();
}

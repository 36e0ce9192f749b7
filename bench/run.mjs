// Benchmark of adaptive-pool against naive JavaScript and the memory roofline, all in one Node
// process. For every case of bench/cases.json:
//   ms          median of our call on wasm tensors (input and output already in wasm memory)
//   api_ms      the same call from plain typed arrays (copies in and out included)
//   naive_ms    the formula as plain JS loops (bench/naive.mjs), same input
//   roofline_ms a SIMD loop in the same wasm module reading the case's input bytes once
//               (for backward: the bytes of grad_input, the tensor with the input's shape)
//   read_write_ms that read of the call's input (forward: x, backward: grad_output), then one SIMD
//               write of its output's bytes (y, grad_input): the floor of calls that write as
//               much as they read or more, which the read alone is not (a max forward's indices
//               and a max backward's are left out: the floor counts one tensor each way)
//   one_thread_ms with --threads above 1 only: ms of the same build loaded again at one thread,
//               timed in the same rounds (the speedup of threads without the drift between runs)
// Usage: node bench/run.mjs [--json] [--threads N] [--build NAME] [--filter TEXT] [--passes N]
//        [--dist DIR] [--cpu] [--check] [--cases FILE] [--budget MS]
// --cpu times with the process's CPU time instead of the wall clock: a development aid on a
// machine shared with other jobs (wall time there mostly measures the scheduler); one thread only.
// --passes N (default 3): visits of every case, in turn, whose run times are pooled.
// --check times nothing: every timed path's result is compared with the naive loops' (check.mjs),
// one line per case, and the exit status says whether all agree.
// --cases FILE times the cases of another file of bench/cases.json's format (bench/sweep.mjs
// writes one), --budget MS each case's timed time over all its visits (default 1600).
// --build defaults to 'simd' for one thread and 'simd-threads' otherwise; --dist defaults to the
// package's npm/dist (build it with: bash npm/scripts/build-wasm.sh).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { firstMismatch } from './check.mjs';
import { naiveBackward, naiveForward } from './naive.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = {
    json: false,
    cpu: false,
    check: false,
    threads: 1,
    passes: 3,
    build: undefined,
    filter: '',
    dist: path.join(here, '..', 'npm', 'dist'),
    cases: path.join(here, 'cases.json'),
    budget: 1600,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') o.json = true;
    else if (a === '--cpu') o.cpu = true;
    else if (a === '--check') o.check = true;
    else if (a === '--threads') o.threads = Number(value());
    else if (a === '--passes') o.passes = Number(value());
    else if (a === '--build') o.build = value();
    else if (a === '--filter') o.filter = value();
    else if (a === '--dist') o.dist = path.resolve(value());
    else if (a === '--cases') o.cases = path.resolve(value());
    else if (a === '--budget') o.budget = Number(value());
    else
      throw new Error(
        `unknown argument ${a} (--json, --threads N, --build NAME, --filter TEXT, --passes N, --dist DIR, --cpu, --check, --cases FILE, --budget MS)`,
      );
  }
  if (!(Number.isInteger(o.threads) && o.threads >= 1))
    throw new Error(`--threads must be an integer >= 1`);
  if (!(Number.isInteger(o.passes) && o.passes >= 1))
    throw new Error(`--passes must be an integer >= 1`);
  if (!(Number.isFinite(o.budget) && o.budget > 0)) throw new Error(`--budget must be a time > 0`);
  o.build ??= o.threads > 1 ? 'simd-threads' : 'simd';
  if (o.cpu && o.threads > 1) throw new Error('--cpu measures one thread only');
  return o;
}

let clock = () => performance.now();
const cpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Per case, over all its visits: about --budget ms in timed rounds, and at least this many.
const kMinRounds = 5;

// Warm up, then time the four quantities of a case in alternation: every round runs each of them
// (the fast ones several times in a row, so that each takes about as long per round as the
// slowest). A shared machine that slows down or speeds up during a case (this VM's memory speed
// moves 2x within seconds) then moves all four alike, so the ratios the targets are about stay
// put. Warm-up is long for wasm on the first visit: V8 tiers up hot functions while they run, and
// with threads every worker has to get there too. Returns each job's run times.
function sample(jobs, { budgetMs, minRounds, firstVisit, maxRounds = 300, maxReps = 50 }) {
  const estimates = jobs.map(({ fn, warmRuns = 10, warmMs = 200 }) => {
    const t0 = performance.now();
    let warm = 0;
    const runs = firstVisit ? warmRuns : 3;
    const ms = firstVisit ? warmMs : 20;
    while (warm < runs || (performance.now() - t0 < ms && warm < 300)) {
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
  return times;
}

function median(t) {
  const s = [...t].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Deterministic values in [-1, 1).
function fillRandom(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
}

// Elements of a tensor of this shape.
const count = (shape) => shape.reduce((a, b) => a * b, 1);

// Shapes and entry points of a case.
function describe(c) {
  const rank = c.shape.length - 2;
  const [N, C] = c.shape;
  const spatial = c.shape.slice(2);
  const last = c.layout === 'NHWC';
  const pad = (v) => [...Array(3 - v.length).fill(1), ...v];
  const memShape = (sp) => (last ? [N, ...sp, C] : [N, C, ...sp]);
  const kind = c.op.startsWith('avg') ? 'Avg' : 'Max';
  const forwardName = `adaptive${kind}Pool${rank}d`;
  return {
    N,
    C,
    last,
    kind,
    forwardName,
    backwardName: `${forwardName}Backward`,
    inSize: pad(spatial),
    outSize: pad(c.output),
    inShape: memShape(spatial),
    outShape: memShape(c.output),
    layout: { channelsLast: last },
  };
}

// The case's tensors in module `m` (the same seeded data in every module) and its zero-copy call.
function zeroCopyCall(m, c, d) {
  const x = m.tensor(d.inShape);
  fillRandom(x.data, 1);
  const y = m.tensor(d.outShape);
  const idx = m.tensor(d.outShape, { dtype: 'int32' });
  const fwdOpts =
    d.kind === 'Max' ? { ...d.layout, out: y, outIndices: idx } : { ...d.layout, out: y };
  m[d.forwardName](x, c.output, fwdOpts); // indices for max backward
  const tensors = [x, y, idx];
  if (c.op === 'avg' || c.op === 'max') {
    return {
      call: () => m[d.forwardName](x, c.output, fwdOpts),
      x,
      y,
      idx,
      tensors,
    };
  }
  const gy = m.tensor(d.outShape);
  fillRandom(gy.data, 2);
  const gx = m.tensor(d.inShape);
  tensors.push(gy, gx);
  const bwdOpts = { ...d.layout, out: gx };
  const call =
    c.op === 'max_backward'
      ? () => m[d.backwardName](gy, idx, d.inShape, bwdOpts)
      : () => m[d.backwardName](gy, d.inShape, bwdOpts);
  return { call, x, idx, gy, gx, tensors };
}

// The call from plain arrays and the naive loops of a case, on copies of the inputs of its
// zero-copy call `z`: what visitCase times besides `z`, and what checkCase compares. The naive
// loops write `naive.data` (and `naive.indices` for a forward max).
function plainPaths(ap, c, d, z) {
  if (c.op === 'avg' || c.op === 'max') {
    const x = { data: z.x.data.slice(), shape: d.inShape };
    const naive = {
      data: new Float32Array(count(d.outShape)),
      indices: new Int32Array(count(d.outShape)),
    };
    return {
      api: () => ap[d.forwardName](x, c.output, d.layout),
      naive: () =>
        naiveForward(
          c.op,
          d.last,
          x.data,
          d.N,
          d.C,
          d.inSize,
          d.outSize,
          naive.data,
          naive.indices,
        ),
      naiveOut: naive,
    };
  }
  const gy = { data: z.gy.data.slice(), shape: d.outShape };
  const idx = z.idx.data.slice(); // max backward scatters the indices of our forward
  const naive = { data: new Float32Array(count(d.inShape)) };
  return {
    api:
      c.op === 'max_backward'
        ? () => ap[d.backwardName](gy, idx, d.inShape, d.layout)
        : () => ap[d.backwardName](gy, d.inShape, d.layout),
    naive: () =>
      naiveBackward(c.op, d.last, gy.data, idx, d.N, d.C, d.inSize, d.outSize, naive.data),
    naiveOut: naive,
  };
}

// --check: the case computed once by each path visitCase times, compared with the naive loops.
// Returns the mismatches (empty when all agree).
function checkCase(ap, ap1, c) {
  const d = describe(c);
  const z = zeroCopyCall(ap, c, d);
  const z1 = ap1 ? zeroCopyCall(ap1, c, d) : null;
  try {
    z.call();
    z1?.call();
    const p = plainPaths(ap, c, d, z);
    p.naive();
    const api = p.api();
    const forward = c.op === 'avg' || c.op === 'max';
    const exact = c.op.startsWith('max');
    // [label, data, indices] of every path; a backward's data is grad_input.
    const results = [
      ['ms (wasm tensors)', (forward ? z.y : z.gx).data, z.idx.data],
      ['api_ms (plain arrays)', api.data, api.indices],
    ];
    if (z1) results.push(['one_thread_ms', (forward ? z1.y : z1.gx).data, z1.idx.data]);
    const errors = [];
    for (const [label, data, indices] of results) {
      errors.push(
        firstMismatch(
          exact,
          data,
          p.naiveOut.data,
          `${label} ${forward ? 'output' : 'grad_input'}`,
        ),
      );
      if (forward && exact) {
        errors.push(firstMismatch(true, indices, p.naiveOut.indices, `${label} indices`));
      }
    }
    return errors.filter((e) => e !== '');
  } finally {
    for (const t of [...z.tensors, ...(z1 ? z1.tensors : [])]) t.dispose();
  }
}

// One visit of a case: its tensors made, its jobs sampled with the given budget, the tensors freed.
// Returns the run times of [ms, api_ms, naive_ms, roofline_ms, read_write_ms, one_thread_ms?].
// ap1: the same build at one thread (only with --threads above 1), timed in the same rounds so the
// speedup compares two runs under the same machine conditions.
function visitCase(ap, ap1, c, sampling) {
  const d = describe(c);
  const z = zeroCopyCall(ap, c, d);
  const z1 = ap1 ? zeroCopyCall(ap1, c, d) : null;
  const p = plainPaths(ap, c, d, z);
  const forward = c.op === 'avg' || c.op === 'max';
  const jobs = [
    { fn: z.call },
    { fn: p.api },
    // The naive loops are slow: a short warm-up (V8 optimises them within a few runs).
    { fn: p.naive, warmRuns: 3, warmMs: 50 },
    { fn: () => ap._roofline(forward ? z.x : z.gx) },
    { fn: () => ap._rooflineReadWrite(forward ? z.x : z.gy, forward ? z.y : z.gx) },
  ];
  if (z1) jobs.push({ fn: z1.call });
  const times = sample(jobs, sampling);
  for (const t of [...z.tensors, ...(z1 ? z1.tensors : [])]) t.dispose();
  return times;
}

// The result line of a case from the run times of all its visits.
function result(ap, ap1, c, times) {
  const [ms, apiMs, naiveMs, rooflineMs, readWriteMs, oneThreadMs] = times.map(median);
  const r = {
    name: c.name,
    build: ap.build,
    threads: ap.threads,
    ms,
    api_ms: apiMs,
    naive_ms: naiveMs,
    roofline_ms: rooflineMs,
    read_write_ms: readWriteMs,
  };
  if (ap1) r.one_thread_ms = oneThreadMs;
  return r;
}

// --check: one line per case, and exit status 1 when any case disagrees.
function checkCases() {
  let failed = 0;
  for (const c of cases) {
    const errors = checkCase(ap, ap1, c);
    if (errors.length) failed++;
    if (opts.json) {
      console.log(JSON.stringify({ name: c.name, build: ap.build, threads: ap.threads, errors }));
    } else {
      console.log(`${c.name.padEnd(20)}${errors.length ? errors.join('; ') : 'agrees'}`);
    }
  }
  if (failed) {
    console.error(`${failed} of ${cases.length} cases disagree with the naive loops`);
    process.exitCode = 1;
  }
}

// The benchmark proper: a table, or with --json one line per case.
function timeCases() {
  if (!opts.json) {
    console.log(
      `adaptive-pool bench: build ${ap.build}, threads ${ap.threads}, float32, medians in ms` +
        (opts.cpu ? ' of CPU time' : ''),
    );
    console.log(
      [
        'case'.padEnd(20),
        'ms',
        'api_ms',
        'naive_ms',
        'roofline',
        'x roofline',
        'read+write',
        'x r+w',
        'naive/ms',
      ]
        .concat(ap1 ? ['1 thr ms', 'speedup'] : [])
        .map((s, i) => (i ? s.padStart(11) : s))
        .join(''),
    );
  }
  // Every case is visited `passes` times, in turn, each visit with its share of the case's time
  // budget, and its medians are taken over the run times of all visits: a slow spell of the shared
  // machine (seconds long, it slowed two neighbouring cases by half in one run and not in the next)
  // then touches a fraction of each case's runs instead of all the runs of a few cases.
  const times = cases.map(() => null);
  for (let pass = 0; pass < opts.passes; pass++) {
    cases.forEach((c, i) => {
      const t = visitCase(ap, ap1, c, {
        budgetMs: opts.budget / opts.passes,
        minRounds: Math.ceil(kMinRounds / opts.passes),
        firstVisit: pass === 0,
      });
      times[i] = times[i] ? times[i].map((old, j) => old.concat(t[j])) : t;
    });
  }
  for (const [i, c] of cases.entries()) {
    const r = result(ap, ap1, c, times[i]);
    if (opts.json) {
      console.log(
        JSON.stringify({
          ...r,
          ms: round(r.ms),
          api_ms: round(r.api_ms),
          naive_ms: round(r.naive_ms),
          roofline_ms: round(r.roofline_ms),
          read_write_ms: round(r.read_write_ms),
          ...(ap1 ? { one_thread_ms: round(r.one_thread_ms) } : {}),
        }),
      );
    } else {
      const cells = [r.ms, r.api_ms, r.naive_ms, r.roofline_ms].map((v) =>
        v.toFixed(3).padStart(11),
      );
      cells.push(
        (r.ms / r.roofline_ms).toFixed(2).padStart(11),
        r.read_write_ms.toFixed(3).padStart(11),
        (r.ms / r.read_write_ms).toFixed(2).padStart(11),
        (r.naive_ms / r.ms).toFixed(1).padStart(11),
      );
      if (ap1) {
        cells.push(
          r.one_thread_ms.toFixed(3).padStart(11),
          (r.one_thread_ms / r.ms).toFixed(2).padStart(11),
        );
      }
      console.log(r.name.padEnd(20) + cells.join(''));
    }
  }
}

const opts = parseArgs(process.argv.slice(2));
if (opts.cpu) clock = cpuClock;
const require = createRequire(import.meta.url);
const { load } = require(path.join(opts.dist, 'node.cjs'));
const cases = JSON.parse(readFileSync(opts.cases, 'utf8')).filter((c) =>
  c.name.includes(opts.filter),
);
const ap = await load({ build: opts.build, threads: opts.threads });
const ap1 = opts.threads > 1 ? await load({ build: opts.build, threads: 1 }) : null;
const round = (v) => Number(v.toPrecision(4));
try {
  if (opts.check) checkCases();
  else timeCases();
} finally {
  ap.dispose();
  ap1?.dispose();
}

// Shapes the benchmark's cases leave out, to find where a kernel falls far behind the others (a
// dispatch that sends a shape to a slow path, a loop that costs per window what it should cost per
// row). bench/cases.json holds the cases; this writes a grid of others in the same format:
// every op in both layouts, square and lopsided planes from 7x7 to 224x224, outputs from global
// to growing, about 2 MB of float32 input each. Then, in one process:
//   node bench/sweep.mjs > sweep.json
//   node bench/run.mjs --cases sweep.json --passes 1 --budget 300 --json > sweep.jsonl
//   node bench/sweep.mjs --worst sweep.jsonl
// --worst lists the cases with the lowest naive_ms / ms and the highest ms / roofline_ms; given
// bench/torch_bench.py's lines for the same file (--cases sweep.json) as well, also every case
// slower than PyTorch:
//   /usr/bin/python3 bench/torch_bench.py --cases sweep.json > sweep-torch.jsonl
//   node bench/sweep.mjs --worst sweep.jsonl sweep-torch.jsonl
// Growing outputs write far more than they read, so their roofline ratio is high by nature:
// compare a case with its neighbours, not with the targets.
import { readFileSync } from 'node:fs';

const ops = ['avg', 'max', 'avg_backward', 'max_backward'];
const planes = [
  [7, 7],
  [13, 13],
  [14, 14],
  [28, 28],
  [56, 56],
  [112, 112],
  [224, 224],
  [15, 33],
  [100, 3],
  [3, 100],
];
// Fixed outputs, then sizes relative to the input: one smaller (near identity) and twice (growing).
const outputs = [[1, 1], [2, 2], [3, 3], [5, 5], [7, 7], [6, 9], 'minus1', 'twice'];
const kElements = 2 ** 19;

function sweepCases() {
  const cases = [];
  for (const op of ops) {
    for (const layout of ['NCHW', 'NHWC']) {
      for (const [H, W] of planes) {
        for (const o of outputs) {
          if (o === 'minus1' && (H < 3 || W < 3)) continue;
          const [oh, ow] = o === 'minus1' ? [H - 1, W - 1] : o === 'twice' ? [2 * H, 2 * W] : o;
          const count = Math.max(1, Math.round(kElements / (H * W)));
          // Channels-last: 64 channels, the batch makes up the rest; channels-first: up to 256.
          const C = layout === 'NHWC' ? 64 : Math.min(count, 256);
          const N = Math.max(1, Math.round(count / C));
          cases.push({
            name: `${op}-${layout}-${H}x${W}-${oh}x${ow}`,
            op,
            layout,
            shape: [N, C, H, W],
            output: [oh, ow],
          });
        }
      }
    }
  }
  return cases;
}

const readLines = (file) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

function worst(file, torchFile, n = 20) {
  const rows = readLines(file).map((r) => ({
    ...r,
    naive: r.naive_ms / r.ms,
    roof: r.ms / r.roofline_ms,
  }));
  const show = (r) =>
    `${r.name.padEnd(36)} ms ${r.ms.toFixed(3).padStart(8)}  naive/ms ${r.naive.toFixed(1).padStart(6)}` +
    `  ms/roofline ${r.roof.toFixed(1).padStart(6)}`;
  console.log(`lowest naive_ms / ms of ${rows.length}:`);
  for (const r of [...rows].sort((a, b) => a.naive - b.naive).slice(0, n)) console.log(show(r));
  console.log(`highest ms / roofline_ms:`);
  for (const r of [...rows].sort((a, b) => b.roof - a.roof).slice(0, n)) console.log(show(r));
  if (!torchFile) return;
  const torch = new Map(readLines(torchFile).map((t) => [t.name, t.torch_ms]));
  const slower = rows.filter((r) => torch.has(r.name) && r.ms > torch.get(r.name));
  console.log(
    `slower than PyTorch: ${slower.length} of ${rows.filter((r) => torch.has(r.name)).length}`,
  );
  for (const r of slower) console.log(`${show(r)}  torch ${torch.get(r.name).toFixed(3)}`);
}

const args = process.argv.slice(2);
if (args[0] === '--worst' && args[1] && args.length <= 3) worst(args[1], args[2]);
else if (args.length === 0) console.log(JSON.stringify(sweepCases(), null, 0));
else {
  console.error('usage: node bench/sweep.mjs [--worst RESULTS.jsonl [TORCH.jsonl]]');
  process.exitCode = 2;
}

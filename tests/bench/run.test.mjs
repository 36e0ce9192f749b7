// bench/run.mjs keeps working and keeps its output format (what the README and the issue's
// targets are read from), and what it times computes what the naive loops compute (--check). Times
// are not asserted: speed is the benchmark's business, not a test's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { firstMismatch } from '../../bench/check.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = (args) =>
  promisify(execFile)(process.execPath, [path.join(root, 'bench', 'run.mjs'), ...args], {
    cwd: root,
  });

const timeFields = ['ms', 'api_ms', 'naive_ms', 'roofline_ms', 'read_write_ms'];

function assertTimes(line, fields) {
  for (const f of fields) {
    assert.ok(Number.isFinite(line[f]) && line[f] > 0, `${line.name}: ${f} = ${line[f]}`);
  }
}

test('--json: one line per matching case, every field a positive time', async () => {
  const { stdout } = await run(['--json', '--filter', '13x17', '--passes', '2']);
  const lines = stdout.trim().split('\n').map(JSON.parse);
  assert.deepEqual(
    lines.map((l) => l.name),
    ['odd-13x17', 'odd-13x17-nhwc', 'max-odd-13x17'],
  );
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), ['name', 'build', 'threads', ...timeFields]);
    assert.equal(l.build, 'simd');
    assert.equal(l.threads, 1);
    assertTimes(l, timeFields);
  }
});

test('--threads 2: the threaded build, with the one-thread time of the same rounds', async () => {
  const { stdout } = await run([
    '--json',
    '--threads',
    '2',
    '--filter',
    'max-bwd',
    '--passes',
    '1',
  ]);
  const [l, ...rest] = stdout.trim().split('\n').map(JSON.parse);
  assert.equal(rest.length, 0);
  assert.equal(l.name, 'max-bwd-odd');
  assert.equal(l.build, 'simd-threads');
  assert.equal(l.threads, 2);
  assertTimes(l, [...timeFields, 'one_thread_ms']);
});

test('the table: a header and one row per case', async () => {
  const { stdout } = await run(['--filter', 'grow-5to7', '--passes', '1']);
  const rows = stdout.trim().split('\n');
  assert.equal(rows.length, 3, stdout);
  assert.match(rows[1], /^case\s+ms\s+api_ms\s+naive_ms\s+roofline/);
  assert.match(rows[2], /^grow-5to7\s+\d/);
});

test('--check: every timed path agrees with the naive loops on every case', async () => {
  const cases = JSON.parse(readFileSync(path.join(root, 'bench', 'cases.json'), 'utf8'));
  for (const args of [
    ['--check', '--json'],
    ['--check', '--json', '--threads', '2'],
  ]) {
    const { stdout } = await run(args);
    const lines = stdout.trim().split('\n').map(JSON.parse);
    assert.deepEqual(
      lines.map((l) => l.name),
      cases.map((c) => c.name),
    );
    for (const l of lines) assert.deepEqual(l.errors, [], `${l.name} (${args.join(' ')})`);
  }
});

test('--cases and --budget: the sweep of bench/sweep.mjs, timed and checked like the cases', async () => {
  const sweep = await promisify(execFile)(process.execPath, [
    path.join(root, 'bench', 'sweep.mjs'),
  ]);
  const all = JSON.parse(sweep.stdout);
  // Every op in both layouts, growing and near-identity outputs included.
  for (const op of ['avg', 'max', 'avg_backward', 'max_backward']) {
    for (const layout of ['NCHW', 'NHWC']) {
      const some = all.filter((c) => c.op === op && c.layout === layout);
      assert.ok(
        some.some((c) => c.output[0] > c.shape[2]),
        `${op} ${layout} grows`,
      );
      assert.ok(
        some.some((c) => c.output[0] === c.shape[2] - 1),
        `${op} ${layout} near identity`,
      );
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ap-sweep-'));
  try {
    const file = path.join(dir, 'sweep.json');
    const picked = all.filter((c) => /^(max|avg_backward)-NHWC-13x13-(1x1|26x26)$/.test(c.name));
    assert.equal(picked.length, 4);
    writeFileSync(file, JSON.stringify(picked));
    const timed = await run(['--json', '--cases', file, '--budget', '40', '--passes', '1']);
    const lines = timed.stdout.trim().split('\n').map(JSON.parse);
    assert.deepEqual(
      lines.map((l) => l.name),
      picked.map((c) => c.name),
    );
    for (const l of lines) assertTimes(l, timeFields);
    const checked = await run(['--check', '--json', '--cases', file]);
    const agree = checked.stdout.trim().split('\n').map(JSON.parse);
    assert.deepEqual(
      agree.map((l) => l.name),
      picked.map((c) => c.name),
    );
    for (const l of agree) assert.deepEqual(l.errors, [], l.name);
    const results = path.join(dir, 'sweep.jsonl');
    writeFileSync(results, timed.stdout);
    const worst = await promisify(execFile)(process.execPath, [
      path.join(root, 'bench', 'sweep.mjs'),
      '--worst',
      results,
    ]);
    assert.match(worst.stdout, /^lowest naive_ms \/ ms of 4:\n/);
    assert.match(worst.stdout, /\nhighest ms \/ roofline_ms:\n/);
    assert.doesNotMatch(worst.stdout, /PyTorch/);
    // With PyTorch's times (made up here: one case far faster than ours, one far slower).
    const torch = path.join(dir, 'torch.jsonl');
    writeFileSync(
      torch,
      `${JSON.stringify({ name: picked[0].name, threads: 1, torch_ms: 1e-9 })}\n` +
        `${JSON.stringify({ name: picked[1].name, threads: 1, torch_ms: 1e9 })}\n`,
    );
    const vsTorch = await promisify(execFile)(process.execPath, [
      path.join(root, 'bench', 'sweep.mjs'),
      '--worst',
      results,
      torch,
    ]);
    const slower = vsTorch.stdout.split('slower than PyTorch: ')[1].trim().split('\n');
    assert.equal(slower[0], '1 of 2');
    assert.equal(slower.length, 2);
    assert.ok(slower[1].startsWith(picked[0].name), slower[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--check's comparison: max exactly, averages within 1e-5 of the largest value", () => {
  assert.equal(firstMismatch(true, [1, 2], [1, 2], 'x'), '');
  assert.match(firstMismatch(true, [1, 2.000001], [1, 2], 'x'), /^x: element 1 is 2.000001/);
  assert.equal(firstMismatch(false, [1, 2.00001], [1, 2], 'x'), '');
  assert.match(firstMismatch(false, [1, 2.0001], [1, 2], 'x'), /element 1/);
  assert.match(firstMismatch(false, [NaN], [0], 'x'), /element 0 is NaN/);
  assert.match(firstMismatch(true, [1], [1, 2], 'x'), /1 elements, expected 2/);
});

for (const [args, message] of [
  [['--passes', '0'], /--passes must be an integer >= 1/],
  [['--threads', 'two'], /--threads must be an integer >= 1/],
  [['--filter'], /--filter needs a value/],
  [['--fast'], /unknown argument --fast/],
  [['--budget', '0'], /--budget must be a time > 0/],
]) {
  test(`rejects ${args.join(' ')}`, async () => {
    await assert.rejects(run(args), (e) => {
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, message);
      return true;
    });
  });
}

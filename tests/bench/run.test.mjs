// bench/run.mjs keeps working and keeps its output format (what the README and the issue's
// targets are read from), and what it times computes what the naive loops compute (--check). Times
// are not asserted: speed is the benchmark's business, not a test's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

const timeFields = ['ms', 'api_ms', 'naive_ms', 'roofline_ms'];

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
]) {
  test(`rejects ${args.join(' ')}`, async () => {
    await assert.rejects(run(args), (e) => {
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, message);
      return true;
    });
  });
}

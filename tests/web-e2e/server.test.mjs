// web/server.mjs on its own: headers with and without --no-isolation, MIME types, path traversal, bad options.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../web/server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ap-server-'));
const servers = [];

function start(extra) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [
      SERVER,
      '--port',
      '0',
      '--dir',
      join(dir, 'site'),
      ...extra,
    ]);
    servers.push(proc);
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({ port: Number(m[1]), out });
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

// Raw requests, so paths like /../ reach the server unnormalised.
function get(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let isolated;
let plain;
before(async () => {
  mkdirSync(join(dir, 'site', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'site', 'assets', 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(dir, 'secret.txt'), 'outside the served folder');
  [isolated, plain] = await Promise.all([start([]), start(['--no-isolation'])]);
});
after(() => servers.forEach((p) => p.kill()));

test('prints the URL it serves and the isolation mode', () => {
  assert.match(isolated.out, /COOP\/COEP on/);
  assert.match(plain.out, /no COOP\/COEP/);
});

test('sends COOP/COEP by default and leaves them out with --no-isolation', async () => {
  const a = await get(isolated.port, '/');
  assert.equal(a.status, 200);
  assert.equal(a.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(a.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.match(a.headers['content-type'], /^text\/html/);
  const b = await get(plain.port, '/');
  assert.equal(b.status, 200);
  assert.equal(b.headers['cross-origin-opener-policy'], undefined);
  assert.equal(b.headers['cross-origin-embedder-policy'], undefined);
});

test('serves wasm as application/wasm, 404 for missing files, 405 for other methods', async () => {
  const w = await get(isolated.port, '/assets/m.wasm');
  assert.equal(w.headers['content-type'], 'application/wasm');
  assert.equal((await get(isolated.port, '/nope.js')).status, 404);
  assert.equal((await get(isolated.port, '/', 'POST')).status, 405);
});

test('never serves files outside its folder', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
    const r = await get(isolated.port, path);
    assert.notEqual(r.status, 200, path);
    assert.ok(!r.body.includes('outside the served folder'), path);
  }
});

test('rejects bad options with a message naming them', () => {
  const port = spawnSync(process.execPath, [SERVER, '--port', 'eighty'], { encoding: 'utf8' });
  assert.equal(port.status, 2);
  assert.match(port.stderr, /--port must be an integer 0\.\.65535, got "eighty"/);
  const unknown = spawnSync(process.execPath, [SERVER, '--colour'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown argument "--colour"/);
  const nodir = spawnSync(process.execPath, [SERVER, '--dir', join(dir, 'missing')], {
    encoding: 'utf8',
  });
  assert.equal(nodir.status, 1);
  assert.match(nodir.stderr, /index\.html not found/);
});

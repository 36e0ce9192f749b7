#!/usr/bin/env node
// Static server for the built demo page (no dependencies). Sends COOP/COEP so the page is cross-origin
// isolated and the threaded wasm build can use SharedArrayBuffer; --no-isolation leaves them out, like a
// plain static host, and the page falls back to the simd build.
//
//   node web/server.mjs [--port 8080] [--dir build/web] [--no-isolation]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function usage(message) {
  if (message) console.error(`server.mjs: ${message}`);
  console.error('usage: node web/server.mjs [--port N] [--dir FOLDER] [--no-isolation]');
  process.exit(2);
}

function parseArgs(argv) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const opts = { port: 8080, dir: resolve(here, '..', 'build', 'web'), isolation: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--no-isolation') opts.isolation = false;
    else if (a === '--port' || a.startsWith('--port=')) {
      const v = value();
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        usage(`--port must be an integer 0..65535, got "${v}"`);
      opts.port = port;
    } else if (a === '--dir' || a.startsWith('--dir=')) opts.dir = resolve(value());
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument "${a}"`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
try {
  await stat(join(opts.dir, 'index.html'));
} catch {
  console.error(
    `server.mjs: ${join(opts.dir, 'index.html')} not found — build the page first (bash web/serve.sh)`,
  );
  process.exit(1);
}

const root = opts.dir.endsWith(sep) ? opts.dir : opts.dir + sep;
const server = createServer(async (req, res) => {
  const headers = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  if (opts.isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    headers['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    res.writeHead(400, headers).end('bad request');
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) {
    res.writeHead(403, headers).end('forbidden');
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res
      .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      .end('not found');
  }
});

server.on('error', (err) => {
  console.error(`server.mjs: cannot listen on 127.0.0.1:${opts.port}: ${err.message}`);
  process.exit(1);
});
server.listen(opts.port, '127.0.0.1', () => {
  const { port } = server.address();
  const mode = opts.isolation
    ? 'COOP/COEP on: threaded build'
    : 'no COOP/COEP: single-threaded simd build';
  console.log(`adaptive-pool demo: http://127.0.0.1:${port}/ (${mode}; serving ${opts.dir})`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));

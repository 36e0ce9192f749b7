// Loads the Vite-built page in headless Chromium (Debian's, driven by playwright-core): threaded
// when served with COOP/COEP, the simd build without them.
// Also the same page without a bundler (plain.html: an import map onto node_modules).
// Env: AP_PAGE_DIR (the scratch project: the built page in dist/, plain.html at its root), AP_JS_TOOLS (folder whose node_modules has playwright-core),
// AP_CHROMIUM (default /usr/bin/chromium).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { serve } from './serve.mjs';

const require = createRequire(resolve(process.env.AP_JS_TOOLS, 'package.json'));
const { chromium } = require('playwright-core');

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.AP_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});
after(() => browser?.close());

async function runPage(isolated, { bundled = true } = {}) {
  const root = bundled ? join(process.env.AP_PAGE_DIR, 'dist') : process.env.AP_PAGE_DIR;
  const { server, url: base } = await serve(root, isolated);
  const url = bundled ? base : `${base}plain.html`;
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on(
    'console',
    (m) =>
      m.type() === 'error' &&
      !/status of 404/.test(m.text()) &&
      problems.push(`console: ${m.text()}`),
  );
  // Chromium asks for /favicon.ico by itself; any other missing file is a packaging bug.
  page.on(
    'response',
    (r) =>
      r.status() >= 400 &&
      !r.url().endsWith('/favicon.ico') &&
      problems.push(`${r.status()}: ${r.url()}`),
  );
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60000 });
    return { result: await page.evaluate(() => window.__result), problems };
  } finally {
    await page.close();
    server.close();
  }
}

function assertComputes(r, build) {
  assert.equal(r.build, build);
  assert.deepEqual(r.avg, [0.5, 2, 4, 5.5]);
  assert.deepEqual(r.maxIndices, [1, 3, 5, 6]);
  assert.ok(r.maxError < 1e-12, `2d average differs from the naive oracle by ${r.maxError}`);
  assert.equal(r.zeroCopy, true);
  assert.equal(r.errorCode, 'RANK');
}

test('with COOP/COEP: cross-origin isolated, auto loads simd-threads with 2 threads', async () => {
  const { result, problems } = await runPage(true);
  assert.equal(result.failure, undefined, result.failure);
  assert.deepEqual(problems, []);
  assert.equal(result.crossOriginIsolated, true);
  assertComputes(result.auto, 'simd-threads');
  assert.equal(result.auto.threads, 2);
  assertComputes(result.scalar, 'scalar');
  assert.equal(result.explicitThreads, 'loaded');
});

test('without COOP/COEP: auto loads simd; simd-threads is a clear error', async () => {
  const { result, problems } = await runPage(false);
  assert.equal(result.failure, undefined, result.failure);
  assert.deepEqual(problems, []);
  assert.equal(result.crossOriginIsolated, false);
  assertComputes(result.auto, 'simd');
  assert.equal(result.auto.threads, 1);
  assertComputes(result.scalar, 'scalar');
  assert.match(
    result.explicitThreads,
    /^ARGUMENT: load\(\): build 'simd-threads' needs a cross-origin isolated page/,
  );
});

test('no bundler, with COOP/COEP: the package imported from node_modules runs threaded', async () => {
  const { result, problems } = await runPage(true, { bundled: false });
  assert.equal(result.failure, undefined, result.failure);
  assert.deepEqual(problems, []);
  assertComputes(result.auto, 'simd-threads');
  assertComputes(result.scalar, 'scalar');
});

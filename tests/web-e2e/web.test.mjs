// End-to-end tests of the demo page in headless Chromium (Debian's /usr/bin/chromium via playwright-core).
// The page must already be built into build/web (bash web/build.sh; tests/steps/50-web-e2e.sh does it).
// Screenshots go to build/web-e2e/, or to docs/screenshots/ when WEB_E2E_SCREENSHOTS=docs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS =
  process.env.WEB_E2E_SCREENSHOTS === 'docs'
    ? join(ROOT, 'docs', 'screenshots')
    : join(ROOT, 'build', 'web-e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

function startServer(extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [join(ROOT, 'web', 'server.mjs'), '--port', '0', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const fail = (why) => reject(new Error(`server did not start (${why}): ${out}`));
    const timer = setTimeout(() => fail('timeout'), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], stop: () => proc.kill() });
      }
    });
    proc.stderr.on('data', (d) => (out += d));
    proc.on('exit', (code) => fail(`exit ${code}`));
  });
}

const numbers = (text) => text.trim().split(/\s+/).map(Number);
function assertClose(actual, expected, what) {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: length ${actual.length}, expected ${expected.length}`,
  );
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) < 1e-4, `${what}[${i}] = ${v}, expected ${expected[i]}`),
  );
}

let browser;
let isolated;
let plain;
const pageErrors = [];

async function open(server, query = '') {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 1400 },
    deviceScaleFactor: 1,
  });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on(
    'console',
    (m) => m.type() === 'error' && pageErrors.push(`${page.url()}: console: ${m.text()}`),
  );
  await page.goto(server.url + query);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  assert.equal(
    await page.getAttribute('body', 'data-ready'),
    'true',
    await page.textContent('[data-testid=status-note]'),
  );
  return page;
}

const texts = (page, testid) => page.locator(`[data-testid="${testid}"]`).allTextContents();

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [isolated, plain] = await Promise.all([startServer(), startServer(['--no-isolation'])]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  isolated?.stop();
  plain?.stop();
});

describe('demo page', () => {
  test('served with COOP/COEP it loads the simd-threads build with its worker threads', async () => {
    const page = await open(isolated);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.textContent('[data-testid=status-build]'), 'simd-threads');
    const threads = Number(await page.textContent('[data-testid=status-threads]'));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(Number.isInteger(threads) && threads >= 1, `threads: ${threads}`);
    if (cores >= 2) assert.ok(threads >= 2, `threads ${threads} on ${cores} cores`);
    assert.match(await page.textContent('[data-testid=status-last]'), /^\w+ · [\d.]+ ms$/);
    await page.screenshot({
      path: join(SHOTS, 'demo-top.png'),
      clip: { x: 0, y: 0, width: 1280, height: 900 },
    });
    await page.close();
  });

  test('served without COOP/COEP it runs the simd build and says so', async () => {
    const page = await open(plain);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.equal(await page.textContent('[data-testid=status-build]'), 'simd');
    assert.equal(await page.textContent('[data-testid=status-threads]'), '1');
    assert.match(await page.textContent('[data-testid=status-note]'), /not cross-origin isolated/);
    // It still computes: default windows are on the page.
    assert.ok((await texts(page, 'window-1d')).length > 0);
    await page.close();
  });

  test('?build=scalar forces the scalar build, which computes the same windows', async () => {
    const page = await open(plain, '?build=scalar&l=9&o=2');
    assert.equal(await page.textContent('[data-testid=status-build]'), 'scalar');
    assert.deepEqual(await texts(page, 'window-1d'), ['[0,5)', '[4,9)']);
    assertClose((await texts(page, 'avg-1d')).map(Number), [2, 6], 'avg 9 -> 2');
    await page.close();
  });

  test('7 -> 4 shows the windows [0,2) [1,4) [3,6) [5,7) with their avg and max', async () => {
    const page = await open(isolated);
    await page.fill('[data-testid=in-1d]', '7');
    await page.fill('[data-testid=out-1d]', '4');
    assert.deepEqual(await texts(page, 'window-1d'), ['[0,2)', '[1,4)', '[3,6)', '[5,7)']);
    assertClose((await texts(page, 'avg-1d')).map(Number), [0.5, 2, 4, 5.5], 'avg');
    assert.deepEqual((await texts(page, 'argmax-1d')).map(Number), [1, 3, 5, 6]);
    // The drawing carries the same windows, and the formula panel shows output 2's numbers.
    assert.equal(await page.locator('[data-testid=win1d]').count(), 4);
    await page.click('[data-testid=win1d][data-o="2"]');
    assert.equal(await page.textContent('[data-testid=formula-start]'), '3');
    assert.equal(await page.textContent('[data-testid=formula-end]'), '6');
    assert.match(await page.textContent('[data-testid=torch-1d]'), /nn\.AdaptiveAvgPool1d\(4\)/);
    await page.locator('#sec-1d').screenshot({ path: join(SHOTS, 'demo-1d.png') });
    // More outputs than inputs: windows repeat inputs.
    await page.fill('[data-testid=in-1d]', '5');
    await page.fill('[data-testid=out-1d]', '7');
    assert.deepEqual(await texts(page, 'window-1d'), [
      '[0,1)',
      '[0,2)',
      '[1,3)',
      '[2,3)',
      '[2,4)',
      '[3,5)',
      '[4,5)',
    ]);
    assertClose(
      (await texts(page, 'avg-1d')).map(Number),
      [0, 0.5, 1.5, 2, 2.5, 3.5, 4],
      'avg 5 -> 7',
    );
    await page.close();
  });

  test('14 -> 4 with grad_output 1..n gives the receptive-field gradient from the forum', async () => {
    const page = await open(isolated);
    await page.fill('[data-testid=in-1d]', '14');
    await page.fill('[data-testid=out-1d]', '4');
    await page.click('[data-testid=grad-mode-ones]');
    assertClose(
      numbers(await page.textContent('[data-testid=grad-avg-text]')),
      [0.25, 0.25, 0.25, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.5, 0.25, 0.25, 0.25],
      'ones',
    );
    await page.click('[data-testid=grad-mode-ramp]');
    const expected = [0.25, 0.25, 0.25, 0.75, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 1.75, 1, 1, 1];
    assertClose(
      numbers(await page.textContent('[data-testid=grad-avg-text]')),
      expected,
      'grad_input',
    );
    const bars = await page
      .locator('[data-testid=grad-avg-bar]')
      .evaluateAll((n) => n.map((g) => Number(g.dataset.value)));
    assertClose(bars, expected, 'bars');
    // Max pooling routes each grad_output to its argmax (3, 6, 10, 13 for arange).
    assertClose(
      numbers(await page.textContent('[data-testid=grad-max-text]')),
      [0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 4],
      'max grad',
    );
    await page.locator('#sec-grad').screenshot({ path: join(SHOTS, 'demo-gradient.png') });
    // A click on output 2 makes grad_output one-hot there: only its window [7,11) gets 1/4 each.
    await page.click('[data-testid=grad-out-cell][data-o="2"]');
    assertClose(
      numbers(await page.textContent('[data-testid=grad-avg-text]')),
      [0, 0, 0, 0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0, 0, 0],
      'one-hot',
    );
    // The forum-example button brings back 14 -> 4 with 1..n from anywhere.
    await page.fill('[data-testid=in-1d]', '9');
    await page.click('[data-testid=grad-forum]');
    assertClose(
      numbers(await page.textContent('[data-testid=grad-avg-text]')),
      expected,
      'forum button',
    );
    await page.close();
  });

  test('hovering a 2d output highlights exactly its window', async () => {
    const page = await open(isolated);
    for (const [id, v] of [
      ['h-2d', '7'],
      ['w-2d', '10'],
      ['oh-2d', '4'],
      ['ow-2d', '3'],
    ])
      await page.fill(`[data-testid=${id}]`, v);
    await page.hover('[data-testid=out2d-cell][data-r="1"][data-c="2"]');
    assert.equal(await page.textContent('[data-testid=window-2d-rows]'), '[1,4)');
    assert.equal(await page.textContent('[data-testid=window-2d-cols]'), '[6,10)');
    const lit = await page
      .locator('[data-testid=in2d-cell][data-hl="1"]')
      .evaluateAll((n) => n.map((g) => [Number(g.dataset.r), Number(g.dataset.c)]));
    assert.equal(lit.length, 3 * 4);
    for (const [r, c] of lit)
      assert.ok(r >= 1 && r < 4 && c >= 6 && c < 10, `cell (${r}, ${c}) is outside the window`);
    await page.locator('#sec-2d').screenshot({ path: join(SHOTS, 'demo-2d.png') });
    // Coverage heat map: input (3, 6) sits in two row windows and two column windows.
    await page.click('[data-testid=in2d-cell][data-r="3"][data-c="6"]');
    assert.equal(
      await page.textContent('[data-testid=projective-2d-outputs]'),
      '(1, 1) (1, 2) (2, 1) (2, 2)',
    );
    await page.fill('[data-testid=oh-2d]', '1');
    await page.fill('[data-testid=ow-2d]', '1');
    assert.equal(await page.isVisible('[data-testid=global-note]'), true);
    assert.match(
      await page.textContent('[data-testid=torch-2d]'),
      /nn\.AdaptiveAvgPool2d\(\(1, 1\)\)/,
    );
    await page.close();
  });

  test('the rounded-linspace explanation is shown wrong for 7 -> 4', async () => {
    const page = await open(isolated);
    await page.fill('[data-testid=in-differs]', '7');
    await page.fill('[data-testid=out-differs]', '4');
    assert.deepEqual(await texts(page, 'differs-real'), ['[0,2)', '[1,4)', '[3,6)', '[5,7)']);
    const flagged = await page
      .locator('[data-testid=differs-row]')
      .evaluateAll((n) => n.map((r) => r.dataset.mismatch));
    assert.deepEqual(flagged, ['0', '1', '1', '0']);
    await page.locator('#sec-differs').screenshot({ path: join(SHOTS, 'demo-differs.png') });
    // 14 -> 4 is the case the explanation gets right.
    await page.fill('[data-testid=in-differs]', '14');
    const flagged14 = await page
      .locator('[data-testid=differs-row]')
      .evaluateAll((n) => n.map((r) => r.dataset.mismatch));
    assert.deepEqual(flagged14, ['0', '0', '0', '0']);
    await page.close();
  });

  test('settings live in the URL: a shared link reopens the same view with the projective field', async () => {
    const page = await open(isolated);
    await page.fill('[data-testid=in-1d]', '7');
    await page.fill('[data-testid=out-1d]', '4');
    await page.click('[data-testid=in1d-cell][data-i="3"]');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('l'), '7');
    assert.equal(url.searchParams.get('cell'), '3');
    const again = await open(isolated, url.search);
    assert.deepEqual(await texts(again, 'window-1d'), ['[0,2)', '[1,4)', '[3,6)', '[5,7)']);
    assert.equal(await again.textContent('[data-testid=projective-1d-outputs]'), '1, 2');
    await page.close();
    await again.close();
  });

  test('image view pools the sample and exports drawings as SVG and PNG', async () => {
    const page = await open(isolated, '?ioh=7&iow=9');
    await page.hover('[data-testid=image-out-cell][data-r="1"][data-c="1"] >> nth=0');
    // The sample is 160 x 120: rows 120 -> 7, columns 160 -> 9.
    assert.match(
      await page.textContent('[data-testid=info-image]'),
      /rows \[17,35\) × cols \[17,36\)/,
    );
    assert.equal(await page.locator('[data-testid=image-window]').count(), 1);
    await page.locator('#sec-image').screenshot({ path: join(SHOTS, 'demo-image.png') });
    // A file that is no image leaves the sample in place and says why.
    await page.setInputFiles('[data-testid=image-file]', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not an image'),
    });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=image-source]').textContent.startsWith('notes.txt'),
    );
    assert.match(
      await page.textContent('[data-testid=image-source]'),
      /notes\.txt could not be read as an image .*; still showing built-in sample\./,
    );
    // A picked file replaces the sample: a 40 x 30 PNG made in the browser, pooled to 7 x 9.
    const png = await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 30;
      const g = c.getContext('2d');
      g.fillStyle = '#3366cc';
      g.fillRect(0, 0, 40, 30);
      g.fillStyle = '#ffcc00';
      g.fillRect(10, 5, 20, 20);
      const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/png'));
      return [...new Uint8Array(await blob.arrayBuffer())];
    });
    await page.setInputFiles('[data-testid=image-file]', {
      name: 'picked.png',
      mimeType: 'image/png',
      buffer: Buffer.from(png),
    });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=image-source]').textContent.startsWith('picked.png'),
    );
    assert.equal(await page.textContent('[data-testid=image-source]'), 'picked.png, 40 × 30 px');
    await page.hover('[data-testid=image-out-cell][data-r="6"][data-c="8"] >> nth=0');
    assert.match(
      await page.textContent('[data-testid=info-image]'),
      /rows \[25,30\) × cols \[35,40\)/,
    );
    const [svgDl] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=fig-1d-svg]'),
    ]);
    assert.match(
      readFileSync(await svgDl.path(), 'utf8'),
      /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    const [pngDl] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=fig-grad-png]'),
    ]);
    assert.deepEqual(
      [...readFileSync(await pngDl.path()).subarray(0, 4)],
      [0x89, 0x50, 0x4e, 0x47],
    );
    await page.close();
  });

  test('no page errors on any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});

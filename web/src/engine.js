// The page's only door to the numbers: every window, value and gradient shown comes from these calls into the
// adaptive-pool wasm module. Each call is timed for the status line.
import { load } from 'adaptive-pool';

export class Engine {
  static async start(build, onCall) {
    const ap = await load({ build });
    return new Engine(ap, onCall);
  }

  constructor(ap, onCall) {
    this.ap = ap;
    this.onCall = onCall;
  }

  get build() {
    return this.ap.build;
  }

  get threads() {
    return this.ap.threads;
  }

  timed(name, fn) {
    const t0 = performance.now();
    const result = fn();
    this.onCall?.(name, performance.now() - t0);
    return result;
  }

  /** Windows [start[o], end[o]) along one axis. */
  bins(inSize, outSize) {
    const b = this.timed('bins', () => this.ap.bins(inSize, outSize));
    return { start: Int32Array.from(b.start), end: Int32Array.from(b.end) };
  }

  // 1d: one channel, shape (C=1, L).
  avg1d(x, outSize) {
    return this.timed('adaptiveAvgPool1d', () =>
      this.ap.adaptiveAvgPool1d({ data: x, shape: [1, x.length] }, outSize),
    ).data;
  }

  max1d(x, outSize) {
    const r = this.timed('adaptiveMaxPool1d', () =>
      this.ap.adaptiveMaxPool1d({ data: x, shape: [1, x.length] }, outSize),
    );
    return { data: r.data, indices: r.indices };
  }

  avgBackward1d(gradOut, inSize) {
    return this.timed('adaptiveAvgPool1dBackward', () =>
      this.ap.adaptiveAvgPool1dBackward({ data: gradOut, shape: [1, gradOut.length] }, [1, inSize]),
    ).data;
  }

  maxBackward1d(gradOut, indices, inSize) {
    return this.timed('adaptiveMaxPool1dBackward', () =>
      this.ap.adaptiveMaxPool1dBackward({ data: gradOut, shape: [1, gradOut.length] }, indices, [
        1,
        inSize,
      ]),
    ).data;
  }

  // 2d: one channel, shape (C=1, H, W).
  avg2d(x, h, w, oh, ow) {
    return this.timed('adaptiveAvgPool2d', () =>
      this.ap.adaptiveAvgPool2d({ data: x, shape: [1, h, w] }, [oh, ow]),
    ).data;
  }

  avgBackward2d(gradOut, oh, ow, h, w) {
    return this.timed('adaptiveAvgPool2dBackward', () =>
      this.ap.adaptiveAvgPool2dBackward({ data: gradOut, shape: [1, oh, ow] }, [1, h, w]),
    ).data;
  }

  // Images: interleaved RGB, channels-last (H, W, C) as a canvas holds them.
  avgImage(rgb, h, w, oh, ow) {
    return this.timed('adaptiveAvgPool2d', () =>
      this.ap.adaptiveAvgPool2d({ data: rgb, shape: [h, w, 3] }, [oh, ow], { channelsLast: true }),
    ).data;
  }

  maxImage(rgb, h, w, oh, ow) {
    return this.timed('adaptiveMaxPool2d', () =>
      this.ap.adaptiveMaxPool2d({ data: rgb, shape: [h, w, 3] }, [oh, ow], { channelsLast: true }),
    ).data;
  }

  /**
   * How many windows cover each input, computed by the wasm backward pass: average pooling spreads
   * grad_output / window_size over its window, so grad_output = window size adds exactly 1 per window.
   */
  coverage1d(b, inSize) {
    const g = new Float64Array(b.start.length);
    for (let o = 0; o < g.length; o++) g[o] = b.end[o] - b.start[o];
    return this.avgBackward1d(g, inSize);
  }

  coverage2d(bh, bw, h, w) {
    const oh = bh.start.length;
    const ow = bw.start.length;
    const g = new Float64Array(oh * ow);
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++)
        g[i * ow + j] = (bh.end[i] - bh.start[i]) * (bw.end[j] - bw.start[j]);
    }
    return this.avgBackward2d(g, oh, ow, h, w);
  }
}

// Every PyTorch case of tests/data/torch-cases.json through the public API: forward and backward,
// in both layouts (the other layout by permuting inputs and expectations) and both dtypes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClose,
  assertExact,
  decode,
  layoutPerm,
  loadBuild,
  loadCases,
  permute,
} from './helpers.mjs';

const OPS = {
  adaptive_avg_pool1d: ['avg', '1d'],
  adaptive_avg_pool2d: ['avg', '2d'],
  adaptive_avg_pool3d: ['avg', '3d'],
  adaptive_max_pool1d: ['max', '1d'],
  adaptive_max_pool2d: ['max', '2d'],
  adaptive_max_pool3d: ['max', '3d'],
};

let ap;
before(async () => {
  ap = await loadBuild();
});
after(() => ap.dispose());

// The case as given, or converted to the other layout: inputs, outputs and gradients permuted
// alike; index values are positions within a plane, the same in both layouts.
function variant(c, channelsLast, dtype) {
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  const dims = Number(c.op.at(-2));
  const rank = c.input_shape.length;
  const batched = rank === dims + 2;
  const given = c.layout === 'NHWC';
  const perm = given === channelsLast ? null : layoutPerm(rank, batched, channelsLast);
  const t = (values, shape, C = Ctor) => {
    const data = C.from(decode(values));
    return perm ? permute(data, shape, perm) : { data, shape: shape.slice() };
  };
  return {
    x: t(c.input, c.input_shape),
    out: t(c.output, c.output_shape),
    gradOut: t(c.grad_output, c.output_shape),
    gradIn: t(c.grad_input, c.input_shape),
    indices: c.indices ? t(c.indices, c.output_shape, Int32Array) : null,
  };
}

const cases = loadCases();
assert.ok(cases.length >= 78, `expected the 78 PyTorch cases, found ${cases.length}`);

for (const c of cases) {
  const [kind, dims] = OPS[c.op];
  const name = kind === 'avg' ? `adaptiveAvgPool${dims}` : `adaptiveMaxPool${dims}`;
  const outputSize = c.output_size.length === 1 ? c.output_size[0] : c.output_size;
  describe(`${c.id} ${c.op} ${JSON.stringify(c.input_shape)} ${c.layout} -> ${JSON.stringify(c.output_size)}`, () => {
    for (const channelsLast of [false, true]) {
      for (const dtype of ['float32', 'float64']) {
        test(`${channelsLast ? 'channelsLast' : 'channelsFirst'} ${dtype}`, () => {
          const v = variant(c, channelsLast, dtype);
          const opts = { channelsLast };
          const y = ap[name](v.x, outputSize, opts);
          assert.deepEqual(y.shape, v.out.shape);
          assert.equal(y.data.constructor, v.x.data.constructor, 'output keeps the dtype');
          const label = `${c.id} ${name}`;
          // Sums in another order (another layout, SIMD lanes, float64) round differently, and
          // windows may cancel: allow float32 rounding relative to the largest summand.
          const atol = (values) =>
            1e-5 * Math.max(1, ...decode(values).filter(Number.isFinite).map(Math.abs));
          if (kind === 'avg') {
            assertClose(y.data, v.out.data, `${label} output`, 1e-5, atol(c.input));
            const g = ap[`${name}Backward`](v.gradOut, v.x.shape, opts);
            assert.deepEqual(g.shape, v.x.shape);
            assertClose(g.data, v.gradIn.data, `${label} grad_input`, 1e-5, atol(c.grad_output));
          } else {
            // Max picks an input element: values and indices match exactly.
            assertExact(y.data, v.out.data, `${label} output`);
            assertExact(y.indices, v.indices.data, `${label} indices`);
            const g = ap[`${name}Backward`](v.gradOut, y.indices, v.x.shape, opts);
            assert.deepEqual(g.shape, v.x.shape);
            assertClose(g.data, v.gradIn.data, `${label} grad_input`, 1e-5, atol(c.grad_output));
          }
        });
      }
    }
  });
}

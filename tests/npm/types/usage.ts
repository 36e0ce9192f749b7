// Uses every declared API; compiled with tsc --strict against the installed package. The lines
// marked as expected errors fail the compile if the declarations become too loose.
import {
  AdaptivePoolError,
  load,
  type AdaptivePool,
  type Bins,
  type ErrorCode,
  type MaxPoolResult,
  type PoolResult,
  type Tensor,
  type WasmTensor,
} from 'adaptive-pool';

export async function main(): Promise<void> {
  const ap: AdaptivePool = await load({ build: 'auto', threads: 4 });
  await load();
  await load({ build: 'simd-threads' });
  await load({ build: 'simd' });
  await load({ build: 'scalar' });
  const build: 'simd-threads' | 'simd' | 'scalar' = ap.build;
  const threads: number = ap.threads;
  const disposed: boolean = ap.disposed;

  const x: Tensor = { data: new Float32Array(2 * 3 * 8 * 8), shape: [2, 3, 8, 8] };
  const x64: Tensor<Float64Array> = { data: new Float64Array(3 * 8), shape: [3, 8] };
  const x3: Tensor = { data: new Float32Array(4 * 4 * 4 * 4), shape: [1, 4, 4, 4, 4] };

  const a1: PoolResult = ap.adaptiveAvgPool1d(x64, 4);
  const a2: PoolResult = ap.adaptiveAvgPool2d(x, [4, null], { channelsLast: false });
  const a3: PoolResult = ap.adaptiveAvgPool3d(x3, [2, null, 1], { channelsLast: true });
  const m1: MaxPoolResult = ap.adaptiveMaxPool1d(x64, [4]);
  const m2: MaxPoolResult = ap.adaptiveMaxPool2d(x, 4);
  const m3: MaxPoolResult = ap.adaptiveMaxPool3d(x3, 2);
  const indices: Int32Array = m2.indices;
  const values: Float32Array | Float64Array = a2.data;
  const shape: number[] = a1.shape;

  ap.adaptiveAvgPool1dBackward(a1, x64.shape);
  ap.adaptiveAvgPool2dBackward(a2, x.shape, { channelsLast: false });
  ap.adaptiveAvgPool3dBackward(a3, x3.shape, { channelsLast: true });
  ap.adaptiveMaxPool1dBackward(m1, m1.indices, x64.shape);
  ap.adaptiveMaxPool2dBackward(m2, indices, x.shape, {});
  ap.adaptiveMaxPool3dBackward(m3, m3.indices, x3.shape, { channelsLast: false });

  const bins: Bins = ap.bins(7, 4);
  const starts: Int32Array = bins.start;
  const ends: Int32Array = bins.end;

  const t: WasmTensor<'float32'> = ap.tensor([2, 3, 8, 8]);
  const f32: Float32Array = t.data;
  const t64 = ap.tensor([3, 8], { dtype: 'float64' });
  const f64: Float64Array = t64.data;
  const out = ap.tensor([2, 3, 4, 4]);
  const outIndices = ap.tensor([2, 3, 4, 4], { dtype: 'int32' });
  const i32: Int32Array = outIndices.data;
  ap.adaptiveAvgPool2d(t, 4, { out });
  ap.adaptiveMaxPool2d(t, 4, { out, outIndices });
  ap.adaptiveMaxPool2dBackward(out, outIndices, t.shape, { out: t });
  const size: number = t.size;
  const dtype: 'float32' = t.dtype;
  const gone: boolean = t.disposed;
  t.dispose();
  t64.dispose();
  const inUse: number = ap.memoryInUse();

  try {
    ap.adaptiveAvgPool2d(x, -1);
  } catch (e) {
    if (e instanceof AdaptivePoolError) {
      const code: ErrorCode = e.code;
      const message: string = e.message;
      void [code, message];
    }
  }

  // Results have the input's array type.
  const typed32: Float32Array = ap.adaptiveAvgPool1d(
    { data: new Float32Array(4), shape: [1, 4] },
    2,
  ).data;
  const typed64: Float64Array = ap.adaptiveMaxPool1d(x64, 2).data;
  const w64 = ap.tensor([3, 8], { dtype: 'float64' });
  const fromWasm: Float64Array = ap.adaptiveAvgPool1dBackward(
    ap.adaptiveAvgPool1d(w64, 2),
    w64.shape,
  ).data;
  void [typed32, typed64, fromWasm];
  // @ts-expect-error: a float64 input gives a Float64Array
  const wrong: Float32Array = ap.adaptiveAvgPool1d(x64, 2).data;
  void wrong;

  // @ts-expect-error: not a build
  await load({ build: 'gpu' });
  // @ts-expect-error: integer typed arrays are not tensors
  ap.adaptiveAvgPool2d({ data: new Int32Array(4), shape: [1, 1, 2, 2] }, 1);
  // @ts-expect-error: int32 tensors are not pooled
  ap.adaptiveAvgPool1d(outIndices, 2);
  // @ts-expect-error: outIndices is for max pooling only
  ap.adaptiveAvgPool2d(x, 2, { outIndices });
  // @ts-expect-error: unknown dtype
  ap.tensor([1], { dtype: 'int8' });
  // @ts-expect-error: max backward needs indices
  ap.adaptiveMaxPool2dBackward(m2, x.shape);

  ap.dispose();
  void [
    build,
    threads,
    disposed,
    values,
    shape,
    starts,
    ends,
    f32,
    f64,
    i32,
    size,
    dtype,
    gone,
    inUse,
  ];
}

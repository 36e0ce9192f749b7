// Type declarations of the adaptive-pool package (hand-written; the same file serves import and require).

export type Build = 'simd-threads' | 'simd' | 'scalar';
export type FloatArray = Float32Array | Float64Array;
export type FloatDtype = 'float32' | 'float64';
export type Dtype = FloatDtype | 'int32';

export type ErrorCode =
  'RANK' | 'SHAPE' | 'OUTPUT_SIZE' | 'DTYPE' | 'INDEX' | 'DISPOSED' | 'MEMORY' | 'ARGUMENT';

/** Every error the package throws. `message` names the argument and the bad value. */
export class AdaptivePoolError extends Error {
  readonly name: 'AdaptivePoolError';
  readonly code: ErrorCode;
}

export interface LoadOptions {
  /** Which wasm build to load; 'auto' (default) picks the fastest this environment allows. */
  build?: 'auto' | Build;
  /** Threads for the 'simd-threads' build (1 to 64; default: the core count, at most 4). */
  threads?: number;
}

/** A tensor in JS memory. `shape` lists the axes in memory order. */
export interface Tensor<A extends FloatArray = FloatArray> {
  data: A;
  shape: readonly number[];
}

type ArrayOf<D extends Dtype> = D extends 'float64'
  ? Float64Array
  : D extends 'int32'
    ? Int32Array
    : Float32Array;

/** A tensor in wasm memory (from `ap.tensor`): pass it as input or `out` to copy nothing. */
export interface WasmTensor<D extends Dtype = Dtype> {
  /** A view of wasm memory, re-derived on every access (valid after memory growth). */
  readonly data: ArrayOf<D>;
  readonly shape: readonly number[];
  readonly dtype: D;
  /** Number of elements. */
  readonly size: number;
  readonly disposed: boolean;
  /** Frees the memory; idempotent. */
  dispose(): void;
}

export type FloatInput = Tensor | WasmTensor<'float32'> | WasmTensor<'float64'>;

/** The typed array of a result: the input's dtype. */
export type ArrayFor<X> =
  X extends WasmTensor<infer D>
    ? D extends 'float64'
      ? Float64Array
      : Float32Array
    : X extends Tensor<infer A>
      ? A
      : FloatArray;

/** One size for every axis, or one entry per axis; `null` keeps that input size (2d/3d only). */
export type OutputSize = number | readonly (number | null)[];

export interface PoolOptions {
  /** Input and output in channels-last memory order ([N, L, C], [N, H, W, C], [N, D, H, W, C]). */
  channelsLast?: boolean;
  /** Write the result into this wasm tensor (same dtype as the input, the output's shape). */
  out?: WasmTensor<'float32'> | WasmTensor<'float64'>;
}

export interface MaxPoolOptions extends PoolOptions {
  /** Write the indices into this int32 wasm tensor (the output's shape). */
  outIndices?: WasmTensor<'int32'>;
}

export interface PoolResult<A extends FloatArray = FloatArray> {
  data: A;
  shape: number[];
}

export interface MaxPoolResult<A extends FloatArray = FloatArray> extends PoolResult<A> {
  /** PyTorch's indices: flattened positions within each (n, c) plane. */
  indices: Int32Array;
}

export type Indices = Int32Array | WasmTensor<'int32'>;

export interface Bins {
  /** Window starts, one per output position. */
  start: Int32Array;
  /** Window ends (exclusive). */
  end: Int32Array;
}

export interface AdaptivePool {
  /** The build that was loaded. */
  readonly build: Build;
  /** Threads computing each call (1 unless the 'simd-threads' build is loaded). */
  readonly threads: number;
  readonly disposed: boolean;

  adaptiveAvgPool1d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveAvgPool2d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveAvgPool3d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveMaxPool1d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: MaxPoolOptions,
  ): MaxPoolResult<ArrayFor<X>>;
  adaptiveMaxPool2d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: MaxPoolOptions,
  ): MaxPoolResult<ArrayFor<X>>;
  adaptiveMaxPool3d<X extends FloatInput>(
    x: X,
    outputSize: OutputSize,
    options?: MaxPoolOptions,
  ): MaxPoolResult<ArrayFor<X>>;

  adaptiveAvgPool1dBackward<X extends FloatInput>(
    gradOutput: X,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveAvgPool2dBackward<X extends FloatInput>(
    gradOutput: X,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveAvgPool3dBackward<X extends FloatInput>(
    gradOutput: X,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveMaxPool1dBackward<X extends FloatInput>(
    gradOutput: X,
    indices: Indices,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveMaxPool2dBackward<X extends FloatInput>(
    gradOutput: X,
    indices: Indices,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;
  adaptiveMaxPool3dBackward<X extends FloatInput>(
    gradOutput: X,
    indices: Indices,
    inputShape: readonly number[],
    options?: PoolOptions,
  ): PoolResult<ArrayFor<X>>;

  /** PyTorch's pooling windows along one axis. */
  bins(inputSize: number, outputSize: number): Bins;

  /** A zero-filled tensor in wasm memory; `dispose()` it (or `ap.dispose()`) to free it. */
  tensor<D extends Dtype = 'float32'>(
    shape: readonly number[],
    options?: { dtype?: D },
  ): WasmTensor<D>;

  /** Bytes of wasm heap in use (wasm tensors plus the module's own allocations). */
  memoryInUse(): number;

  /** Frees every wasm tensor and ends the worker threads (so Node can exit); idempotent. */
  dispose(): void;
}

/** Loads a wasm build and returns the API bound to it. */
export function load(options?: LoadOptions): Promise<AdaptivePool>;

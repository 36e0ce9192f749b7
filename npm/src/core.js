// The environment-independent part of the package: build choice, checks of JS-level arguments,
// tensors in wasm memory, and the ops over the embind module. Shape, rank and output-size rules
// are the core's (plan_forward/plan_backward): their messages are defined once, in C++.
// browser.js and node.cjs supply the module; node's copy of this file (core.cjs) is generated.

export class AdaptivePoolError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'AdaptivePoolError';
    this.code = code;
  }
}

function fail(code, message) {
  throw new AdaptivePoolError(code, message);
}

// A short, exact rendering of a bad value for error messages.
function describe(v) {
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map(describe).join(', ');
    return `[${items}${v.length > 8 ? ', ...' : ''}]`;
  }
  if (v instanceof WasmTensor) return `wasm tensor [${v.shape.join(', ')}] ${v.dtype}`;
  return v.constructor && v.constructor !== Object ? v.constructor.name : 'object';
}

export const BUILDS = ['simd-threads', 'simd', 'scalar'];

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): the same probe as
// wasm-feature-detect; popcnt is one of the last opcodes standardised, so engines with an early,
// incompatible SIMD draft fail it.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

export function simdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Why threads cannot be used here, or '' when they can. Node is always allowed; a browser page
// needs SharedArrayBuffer and cross-origin isolation (COOP/COEP headers).
export function threadsMissing(isNode) {
  if (!isNode && globalThis.crossOriginIsolated !== true)
    return 'a cross-origin isolated page for SharedArrayBuffer (serve it with COOP/COEP headers)';
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer, which this engine lacks';
  return '';
}

function chooseBuild(requested, env) {
  const simd = env.simd;
  const missing = env.threadsMissing;
  if (requested === undefined || requested === 'auto') {
    if (simd && !missing) return 'simd-threads';
    return simd ? 'simd' : 'scalar';
  }
  if (!BUILDS.includes(requested))
    fail(
      'ARGUMENT',
      `load(): options.build must be 'auto', 'simd-threads', 'simd' or 'scalar', got ${describe(requested)}`,
    );
  if (requested !== 'scalar' && !simd)
    fail(
      'ARGUMENT',
      `load(): build '${requested}' needs WebAssembly SIMD, which this engine lacks`,
    );
  if (requested === 'simd-threads' && missing)
    fail('ARGUMENT', `load(): build 'simd-threads' needs ${missing}`);
  return requested;
}

const MAX_THREADS = 64;

function checkOptions(where, options, allowed) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    fail('ARGUMENT', `${where}: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options))
    if (!allowed.includes(key))
      fail(
        'ARGUMENT',
        `${where}: unknown option ${describe(key)} (allowed: ${allowed.join(', ')})`,
      );
  return options;
}

// env: { simd, threadsMissing, defaultThreads, createModule(build, threads) -> Promise<Module> }
export async function loadWith(env, options) {
  const o = checkOptions('load()', options, ['build', 'threads']);
  const build = chooseBuild(o.build, env);
  if (
    o.threads !== undefined &&
    !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= MAX_THREADS)
  )
    fail(
      'ARGUMENT',
      `load(): options.threads must be an integer from 1 to ${MAX_THREADS}, got ${describe(o.threads)}`,
    );
  const threads =
    build === 'simd-threads' ? (o.threads ?? Math.max(1, Math.min(4, env.defaultThreads))) : 1;
  const module = await env.createModule(build, threads);
  const status = module.init(threads);
  if (status.code !== 'OK') fail(status.code, `load(): ${status.message}`);
  return new AdaptivePool(module, build, threads);
}

const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
};

function dtypeOf(array) {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return undefined;
}

function numel(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// A shape as the core receives it: safe integers (the core rejects negative or zero sizes).
function checkShape(where, name, shape) {
  if (!Array.isArray(shape))
    fail('SHAPE', `${where}: ${name} must be an array of integers, got ${describe(shape)}`);
  shape.forEach((v, i) => {
    if (!Number.isSafeInteger(v))
      fail('SHAPE', `${where}: ${name}[${i}] must be an integer, got ${describe(v)}`);
  });
  return shape.slice();
}

function checkOutputSize(where, outputSize) {
  const sizes = Array.isArray(outputSize) ? outputSize : [outputSize];
  sizes.forEach((v, i) => {
    if (v === null && Array.isArray(outputSize)) return; // keep that input size (2d/3d)
    if (!Number.isSafeInteger(v)) {
      const name = Array.isArray(outputSize) ? `outputSize[${i}]` : 'outputSize';
      fail(
        'OUTPUT_SIZE',
        `${where}: ${name} must be an integer${Array.isArray(outputSize) ? ' or null' : ' or an array'}, got ${describe(v)}`,
      );
    }
  });
  return sizes.slice();
}

const KIND = { avg: 0, max: 1 };

// Doubles in the core's scratch array (bindings/adaptive_pool_bindings.cc, kScratchLength).
const SCRATCH_LENGTH = 32;

export class AdaptivePool {
  #m;
  #tensors = new Set();
  #disposed = false;
  #scratchPtr;
  #scratchView = null;

  constructor(module, build, threads) {
    this.#m = module;
    this.#scratchPtr = module.scratchAddress();
    this.build = build;
    this.threads = threads;
    Object.freeze(this);
  }

  // The twelve ops from one list: adaptive{Avg,Max}Pool{1,2,3}d and their Backward.
  static {
    const define = (name, fn) =>
      Object.defineProperty(this.prototype, name, {
        value: fn,
        writable: true,
        configurable: true,
      });
    for (const [kind, label] of [
      [KIND.avg, 'Avg'],
      [KIND.max, 'Max'],
    ]) {
      for (const dims of [1, 2, 3]) {
        const name = `adaptive${label}Pool${dims}d`;
        const back = `${name}Backward`;
        define(name, function (x, outputSize, options) {
          return this.#forward(name, kind, dims, x, outputSize, options);
        });
        define(
          back,
          kind === KIND.max
            ? function (gradOutput, indices, inputShape, options) {
                return this.#backward(back, kind, dims, gradOutput, indices, inputShape, options);
              }
            : function (gradOutput, inputShape, options) {
                return this.#backward(back, kind, dims, gradOutput, undefined, inputShape, options);
              },
        );
      }
    }
  }

  bins(inputSize, outputSize) {
    const where = 'bins()';
    this.#alive(where);
    if (!(Number.isSafeInteger(inputSize) && inputSize >= 1 && inputSize < 2 ** 31))
      fail(
        'SHAPE',
        `${where}: inputSize must be an integer from 1 to 2^31 - 1, got ${describe(inputSize)}`,
      );
    if (!(Number.isSafeInteger(outputSize) && outputSize >= 0 && outputSize < 2 ** 31))
      fail(
        'OUTPUT_SIZE',
        `${where}: outputSize must be an integer from 0 to 2^31 - 1, got ${describe(outputSize)}`,
      );
    const scratch = [];
    try {
      const start = this.#alloc(where, 'start', outputSize * 4, scratch);
      const end = this.#alloc(where, 'end', outputSize * 4, scratch);
      this.#m.bins(inputSize, outputSize, start, end);
      return {
        start: this.#copyOut(Int32Array, start, outputSize),
        end: this.#copyOut(Int32Array, end, outputSize),
      };
    } finally {
      this.#free(scratch);
    }
  }

  tensor(shape, options) {
    const where = 'tensor()';
    this.#alive(where);
    const dims = checkShape(where, 'shape', shape);
    dims.forEach((v, i) => {
      if (v < 0) fail('SHAPE', `${where}: shape[${i}] must be >= 0, got ${v}`);
    });
    const o = checkOptions(where, options, ['dtype']);
    const dtype = o.dtype ?? 'float32';
    if (!Object.hasOwn(DTYPES, dtype))
      fail(
        'DTYPE',
        `${where}: options.dtype must be 'float32', 'float64' or 'int32', got ${describe(dtype)}`,
      );
    const length = numel(dims);
    const scratch = [];
    const ptr = this.#alloc(
      where,
      `a tensor of shape [${dims.join(', ')}]`,
      length * DTYPES[dtype].BYTES_PER_ELEMENT,
      scratch,
    );
    const t = new WasmTensor(this, this.#m, ptr, dims, dtype, length);
    t.data.fill(0);
    this.#tensors.add(t);
    return t;
  }

  // Internal, for bench/run.mjs only: the memory roofline (one SIMD read of the tensor's bytes).
  _roofline(t) {
    this.#ownTensor('_roofline()', 't', t);
    return this.#m._roofline(t._ptr, t.size, t.dtype === 'float64');
  }

  // Internal, for bench/run.mjs only: the read-write floor (that read of input, then one SIMD write
  // of output's bytes; output's contents are overwritten).
  _rooflineReadWrite(input, output) {
    this.#ownTensor('_rooflineReadWrite()', 'input', input);
    this.#ownTensor('_rooflineReadWrite()', 'output', output);
    if (input.dtype !== output.dtype) {
      fail(
        'DTYPE',
        `_rooflineReadWrite(): output must be ${input.dtype} like input, got ${output.dtype}`,
      );
    }
    return this.#m._roofline_read_write(
      input._ptr,
      input.size,
      output._ptr,
      output.size,
      input.dtype === 'float64',
    );
  }

  // Bytes of wasm heap in use (malloc'ed and not freed): tensors plus anything a call leaked.
  memoryInUse() {
    this.#alive('memoryInUse()');
    return this.#m.heapInUse();
  }

  dispose() {
    if (this.#disposed) return;
    for (const t of this.#tensors) t.dispose();
    this.#m.shutdown();
    this.#m.terminateThreads();
    this.#disposed = true;
  }

  get disposed() {
    return this.#disposed;
  }

  // Called by WasmTensor.dispose().
  _forget(t) {
    this.#tensors.delete(t);
  }

  #alive(where) {
    if (this.#disposed) fail('DISPOSED', `${where}: this module was disposed (ap.dispose())`);
  }

  #alloc(where, what, bytes, scratch) {
    if (bytes > 2 ** 32 - 16)
      fail(
        'MEMORY',
        `${where}: ${what} needs ${bytes} bytes, more than wasm memory (4 GiB) can hold`,
      );
    // On a cache line, so the kernels' vector loads are aligned wherever the data is (malloc gives
    // 8 bytes; aligning the kernels' own scratch rows gained 10-25% on channels-last rows). At least
    // one word, so every tensor has a unique address.
    const ptr = this.#m._memalign(64, Math.max(bytes, 8)) >>> 0;
    if (ptr === 0)
      fail(
        'MEMORY',
        `${where}: cannot allocate ${bytes} bytes for ${what}: wasm memory is full (limit 4 GiB)`,
      );
    scratch.push(ptr);
    return ptr;
  }

  #free(scratch) {
    for (const ptr of scratch) this.#m._free(ptr);
  }

  #copyIn(where, what, data, scratch) {
    const ptr = this.#alloc(where, what, data.byteLength, scratch);
    new data.constructor(this.#m.memoryBuffer(), ptr, data.length).set(data);
    return ptr;
  }

  #copyOut(Ctor, ptr, length) {
    return new Ctor(this.#m.memoryBuffer(), ptr, length).slice();
  }

  // A float tensor argument: {data, shape} with a Float32Array/Float64Array, or a wasm tensor.
  #floatTensor(where, name, x) {
    if (x instanceof WasmTensor) {
      this.#ownTensor(where, name, x);
      if (x.dtype === 'int32')
        fail('DTYPE', `${where}: ${name} must be float32 or float64, got an int32 wasm tensor`);
      return { wasm: x, dtype: x.dtype, shape: x.shape, length: x.size }; // frozen: no copy needed
    }
    if (x === null || typeof x !== 'object')
      fail('ARGUMENT', `${where}: ${name} must be a tensor { data, shape }, got ${describe(x)}`);
    const dtype = dtypeOf(x.data);
    if (!dtype)
      fail(
        'DTYPE',
        `${where}: ${name}.data must be a Float32Array or Float64Array, got ${describe(x.data)}`,
      );
    const shape = checkShape(where, `${name}.shape`, x.shape);
    return { data: x.data, dtype, shape, length: x.data.length };
  }

  #ownTensor(where, name, t) {
    if (t._owner !== this) fail('ARGUMENT', `${where}: ${name} is a wasm tensor of another module`);
    if (t.disposed) fail('DISPOSED', `${where}: ${name} was disposed`);
  }

  // The `out`/`outIndices` option: a live wasm tensor of this module with the result's dtype and shape.
  #outTensor(where, name, t, dtype, shape) {
    if (t === undefined) return undefined;
    if (!(t instanceof WasmTensor))
      fail(
        'ARGUMENT',
        `${where}: options.${name} must be a wasm tensor from ap.tensor(), got ${describe(t)}`,
      );
    this.#ownTensor(where, `options.${name}`, t);
    if (t.dtype !== dtype)
      fail('DTYPE', `${where}: options.${name} must be ${dtype}, got ${t.dtype}`);
    if (!sameShape(t.shape, shape))
      fail(
        'SHAPE',
        `${where}: options.${name} must have shape [${shape.join(', ')}], got [${t.shape.join(', ')}]`,
      );
    return t;
  }

  #forward(where, kind, dims, x, outputSize, options) {
    where += '()';
    this.#alive(where);
    const input = this.#floatTensor(where, 'x', x);
    const sizes = checkOutputSize(where, outputSize);
    const o = checkOptions(
      where,
      options,
      kind === KIND.max ? ['channelsLast', 'out', 'outIndices'] : ['channelsLast', 'out'],
    );
    const layout = this.#layout(where, o);
    const plan = this.#plan(where, kind, dims, layout, false, input.shape, sizes);
    const shape = plan.shape;
    const length = numel(shape);
    const out = this.#outTensor(where, 'out', o.out, input.dtype, shape);
    const outIndices =
      kind === KIND.max
        ? this.#outTensor(where, 'outIndices', o.outIndices, 'int32', shape)
        : undefined;
    // Separate allocations never overlap: only passing one tensor twice can.
    if (out && out === input.wasm)
      fail('ARGUMENT', `${where}: options.out overlaps x; use another tensor`);
    const Ctor = DTYPES[input.dtype];
    const scratch = [];
    try {
      const inPtr = input.wasm ? input.wasm._ptr : this.#copyIn(where, 'x', input.data, scratch);
      const outPtr = out
        ? out._ptr
        : this.#alloc(where, 'the output', length * Ctor.BYTES_PER_ELEMENT, scratch);
      let idxPtr = 0;
      if (kind === KIND.max)
        idxPtr = outIndices
          ? outIndices._ptr
          : this.#alloc(where, 'the indices', length * 4, scratch);
      const code = this.#m.forward(
        plan.id,
        input.dtype === 'float64',
        inPtr,
        input.length,
        outPtr,
        idxPtr,
        length,
      );
      if (code !== 0) this.#failLast();
      const result = { data: out ? out.data : this.#copyOut(Ctor, outPtr, length), shape };
      if (kind === KIND.max)
        result.indices = outIndices ? outIndices.data : this.#copyOut(Int32Array, idxPtr, length);
      return result;
    } finally {
      this.#free(scratch);
    }
  }

  #backward(where, kind, dims, gradOutput, indices, inputShape, options) {
    where += '()';
    this.#alive(where);
    const grad = this.#floatTensor(where, 'gradOutput', gradOutput);
    let idx;
    if (kind === KIND.max) {
      if (indices instanceof WasmTensor) {
        this.#ownTensor(where, 'indices', indices);
        if (indices.dtype !== 'int32')
          fail('DTYPE', `${where}: indices must be int32, got a ${indices.dtype} wasm tensor`);
        idx = { wasm: indices, length: indices.size };
      } else if (indices instanceof Int32Array) {
        idx = { data: indices, length: indices.length };
      } else {
        fail(
          'DTYPE',
          `${where}: indices must be an Int32Array or an int32 wasm tensor, got ${describe(indices)}`,
        );
      }
      if (idx.length !== grad.length)
        fail(
          'SHAPE',
          `${where}: indices has ${idx.length} elements but gradOutput has ${grad.length}`,
        );
    }
    const shapeIn = checkShape(where, 'inputShape', inputShape);
    const o = checkOptions(where, options, ['channelsLast', 'out']);
    const layout = this.#layout(where, o);
    const plan = this.#plan(where, kind, dims, layout, true, shapeIn, grad.shape);
    const shape = plan.shape;
    const length = numel(shape);
    const out = this.#outTensor(where, 'out', o.out, grad.dtype, shape);
    if (out && out === grad.wasm)
      fail('ARGUMENT', `${where}: options.out overlaps gradOutput; use another tensor`);
    const Ctor = DTYPES[grad.dtype];
    const scratch = [];
    try {
      const gradPtr = grad.wasm
        ? grad.wasm._ptr
        : this.#copyIn(where, 'gradOutput', grad.data, scratch);
      let idxPtr = 0;
      if (idx)
        idxPtr = idx.wasm ? idx.wasm._ptr : this.#copyIn(where, 'indices', idx.data, scratch);
      const outPtr = out
        ? out._ptr
        : this.#alloc(where, 'the gradient', length * Ctor.BYTES_PER_ELEMENT, scratch);
      const code = this.#m.backward(
        plan.id,
        grad.dtype === 'float64',
        gradPtr,
        idxPtr,
        grad.length,
        outPtr,
        length,
      );
      if (code !== 0) this.#failLast();
      return { data: out ? out.data : this.#copyOut(Ctor, outPtr, length), shape };
    } finally {
      this.#free(scratch);
    }
  }

  // Plans one call in the core (the only place with shape rules): the shapes go in through the
  // module's scratch array, the result shape (forward: output, backward: grad_input) comes back
  // there, and the core keeps the geometry for the run call, so nothing is planned twice.
  #plan(where, kind, dims, layout, backward, shape, sizes) {
    const n = shape.length + sizes.length;
    let temp = 0;
    if (n > SCRATCH_LENGTH) temp = this.#alloc(where, 'the shapes', n * 8, []);
    try {
      const values = temp ? new Float64Array(this.#m.memoryBuffer(), temp, n) : this.#scratch();
      for (let i = 0; i < shape.length; i++) values[i] = shape[i];
      // NaN stands for null: keep that input size.
      for (let i = 0; i < sizes.length; i++)
        values[shape.length + i] = sizes[i] === null ? NaN : sizes[i];
      const id = this.#m.plan(
        kind,
        dims,
        layout,
        backward,
        temp || this.#scratchPtr,
        shape.length,
        sizes.length,
      );
      if (id === 0) this.#failLast();
      const result = this.#scratch();
      const planned = new Array(shape.length);
      for (let i = 0; i < shape.length; i++) planned[i] = result[i];
      return { id, shape: planned };
    } finally {
      if (temp) this.#m._free(temp);
    }
  }

  // The scratch array as a live view: memory growth (from any thread) replaces the buffer.
  #scratch() {
    const buffer = this.#m.memoryBuffer();
    if (this.#scratchView === null || this.#scratchView.buffer !== buffer)
      this.#scratchView = new Float64Array(buffer, this.#scratchPtr, SCRATCH_LENGTH);
    return this.#scratchView;
  }

  #failLast() {
    const status = this.#m.lastError();
    fail(status.code, status.message);
  }

  #layout(where, o) {
    const v = o.channelsLast ?? false;
    if (typeof v !== 'boolean')
      fail('ARGUMENT', `${where}: options.channelsLast must be a boolean, got ${describe(v)}`);
    return v ? 1 : 0;
  }
}

// A tensor in wasm memory. `data` is re-derived from the live memory buffer on every access, so it
// is never a stale or detached view after memory grows; do not keep it across calls.
export class WasmTensor {
  #m;
  #view = null;
  #disposed = false;

  constructor(owner, module, ptr, shape, dtype, size) {
    this.#m = module;
    this._owner = owner;
    this._ptr = ptr;
    this.shape = Object.freeze(shape);
    this.dtype = dtype;
    this.size = size;
  }

  get data() {
    if (this.#disposed) fail('DISPOSED', `tensor.data: this wasm tensor was disposed`);
    const buffer = this.#m.memoryBuffer();
    if (this.#view === null || this.#view.buffer !== buffer)
      this.#view = new DTYPES[this.dtype](buffer, this._ptr, this.size);
    return this.#view;
  }

  get disposed() {
    return this.#disposed;
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#view = null;
    this.#m._free(this._ptr);
    this._owner._forget(this);
  }
}

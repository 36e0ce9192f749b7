// Page settings, kept in the URL query so any view can be shared. Only values that differ from the defaults
// are written, which keeps shared links short.
const int = (def, min, max) => ({ kind: 'int', def, min, max });
const oneOf = (def, values) => ({ kind: 'enum', def, values });

export const SPEC = {
  // 1d explorer and its gradient view
  l: int(10, 1, 256),
  o: int(4, 1, 256),
  src: oneOf('arange', ['arange', 'random']),
  seed: int(1, 0, 999999),
  g: oneOf('ramp', ['ones', 'ramp', 'onehot']),
  hot: int(0, 0, 255),
  sel: int(-1, -1, 255),
  cell: int(-1, -1, 255),
  // 2d explorer
  h: int(7, 1, 64),
  w: int(10, 1, 64),
  oh: int(4, 1, 64),
  ow: int(3, 1, 64),
  heat: oneOf('coverage', ['coverage', 'grad']),
  g2: oneOf('ones', ['ones', 'ramp', 'onehot']),
  sr: int(-1, -1, 63),
  sc: int(-1, -1, 63),
  cr: int(-1, -1, 63),
  cc: int(-1, -1, 63),
  // "why my re-implementation differs"
  dl: int(7, 1, 256),
  do: int(4, 1, 256),
  // image view
  ioh: int(7, 1, 64),
  iow: int(9, 1, 64),
  // which wasm build to load
  build: oneOf('auto', ['auto', 'simd-threads', 'simd', 'scalar']),
};

function parse(spec, raw) {
  if (raw === null) return spec.def;
  if (spec.kind === 'enum') return spec.values.includes(raw) ? raw : spec.def;
  const n = Number(raw);
  if (!Number.isInteger(n)) return spec.def;
  return Math.min(spec.max, Math.max(spec.min, n));
}

export function clampTo(key, value) {
  return parse(SPEC[key], String(value));
}

export class State {
  constructor() {
    const q = new URLSearchParams(location.search);
    this.values = {};
    for (const [k, spec] of Object.entries(SPEC)) this.values[k] = parse(spec, q.get(k));
    this.listeners = [];
  }

  get(key) {
    return this.values[key];
  }

  set(patch) {
    const changed = new Set();
    for (const [k, v] of Object.entries(patch)) {
      const next = parse(SPEC[k], String(v));
      if (this.values[k] !== next) {
        this.values[k] = next;
        changed.add(k);
      }
    }
    if (changed.size === 0) return;
    this.writeUrl();
    for (const fn of this.listeners) fn(changed);
  }

  subscribe(fn) {
    this.listeners.push(fn);
  }

  url() {
    const q = new URLSearchParams();
    for (const [k, spec] of Object.entries(SPEC)) {
      if (this.values[k] !== spec.def) q.set(k, this.values[k]);
    }
    const s = q.toString();
    return `${location.pathname}${s ? `?${s}` : ''}${location.hash}`;
  }

  writeUrl() {
    history.replaceState(null, '', this.url());
  }
}

// Number formatting for display only: the values themselves always come from the wasm module.
export function fmt(v, digits = 4) {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const s = Number(v.toFixed(digits)).toString();
  return s === '-0' ? '0' : s;
}

export const win = (s, e) => `[${s},${e})`;

// The 1d input both the explorer and the gradient view use: arange or seeded random integers.
import { arange, seededInts } from '../random.js';

export function input1d(state) {
  const n = state.get('l');
  return state.get('src') === 'random' ? seededInts(n, state.get('seed')) : arange(n);
}

export function torchInput1d(state, x, requiresGrad = false) {
  const rg = requiresGrad ? ', requires_grad=True' : '';
  if (state.get('src') === 'arange')
    return `torch.arange(${x.length}.${rg}).reshape(1, ${x.length})`;
  return `torch.tensor([[${Array.from(x, (v) => `${v}.`).join(', ')}]]${rg})`;
}

/** Cell width for n cells: wide enough for the numbers when few, narrow when many. */
export function cellWidth(n) {
  if (n <= 12) return 48;
  if (n <= 20) return 36;
  if (n <= 40) return 24;
  if (n <= 80) return 14;
  return 8;
}

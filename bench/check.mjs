// `node bench/run.mjs --check`: the benchmark's computations compared instead of timed, so its
// times are known to compare calls that agree. Every path it times (the call on wasm tensors, the
// call from plain arrays, and with --threads above 1 the module loaded at one thread) must give
// what the naive loops give on the same data, at the cases' real sizes, where the package splits
// work across threads as it does for users.

// Average outputs and gradients: within 1e-5 times the largest expected value (at least 1), the
// issue's float32 tolerance for the bench's values in [-1, 1) (the loops add in float64 and in
// another order). Max values, indices and max gradients: exactly (the loops' float32 stores
// round each add as float32 arithmetic does, and they add in output order too).
export function firstMismatch(exact, got, want, label) {
  if (got.length !== want.length)
    return `${label}: ${got.length} elements, expected ${want.length}`;
  let largest = 1;
  for (const v of want) largest = Math.max(largest, Math.abs(v));
  const tol = exact ? 0 : 1e-5 * largest;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      return `${label}: element ${i} is ${got[i]}, the naive loops give ${want[i]}`;
    }
  }
  return '';
}

/*
 * torch.nn.utils.clip_grad_norm_(parameters, max_norm) with norm_type=2, and the total norm
 * it returns (reported every step, clipped or not).
 * Layer: engine. Imports nothing.
 *
 * PyTorch 1.13:
 *   total_norm = norm([norm(g, 2) for g in grads], 2)          (the L2 norm of all gradients together)
 *   clip_coef = max_norm / (total_norm + 1e-6)
 *   clip_coef_clamped = clamp(clip_coef, max=1.0)
 *   for g in grads: g.mul_(clip_coef_clamped)                  (a no-op factor 1 when not clipping)
 * error_if_nonfinite defaults to False: a NaN/inf norm is returned, and the loop stops on it.
 */

/** The L2 norm of all gradients together, computed as PyTorch does (norm of the per-tensor norms). */
export function totalGradNorm(grads: readonly Float64Array[]): number {
  let sq = 0;
  for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    const n = Math.sqrt(s);
    sq += n * n;
  }
  return Math.sqrt(sq);
}

/** Scale every gradient by min(1, maxNorm / (totalNorm + 1e-6)) in place. */
export function clipGradNorm(grads: readonly Float64Array[], maxNorm: number, totalNorm: number): void {
  const coef = maxNorm / (totalNorm + 1e-6);
  if (coef >= 1) return;
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
}

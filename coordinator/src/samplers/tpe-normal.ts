/**
 * Standard normal helpers for truncated Gaussian kernels, with care for the tails (the
 * log-probabilities of far-away kernels must not underflow to -Infinity).
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Complementary error function with fractional error below 1.2e-7 everywhere (Chebyshev
 * fit of Numerical Recipes' `erfcc`), so tail probabilities keep their relative precision.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Φ(x). */
function ndtr(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** log Φ(x), accurate far into the lower tail. */
function logNdtr(x: number): number {
  if (x > 5) return -ndtr(-x); // log(1 - ε) ≈ -ε
  if (x > -30) return Math.log(ndtr(x));
  // Asymptotic series: Φ(x) ≈ φ(x)/(-x) · (1 - 1/x² + 3/x⁴).
  const x2 = x * x;
  return -0.5 * x2 - LOG_SQRT_2PI - Math.log(-x) + Math.log1p(-1 / x2 + 3 / (x2 * x2));
}

/** log(Φ(b) − Φ(a)) for a < b, stable in both tails. */
export function logGaussMass(a: number, b: number): number {
  if (!(b > a)) return Number.NEGATIVE_INFINITY;
  if (b <= 0) {
    const lb = logNdtr(b);
    return lb + Math.log1p(-Math.exp(logNdtr(a) - lb));
  }
  if (a >= 0) return logGaussMass(-b, -a);
  // The interval contains 0: Φ(b) − Φ(a) = 1 − Φ(a) − Φ(−b), far from 0.
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** log φ(z) of the standard normal density. */
export function logPhi(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

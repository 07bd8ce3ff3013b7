/**
 * Exact decimal arithmetic on JSON numbers. A parsed JSON number is judged by its shortest
 * round-trip text (`String(x)`): 19.99 is the decimal 19.99, although the double holding it is
 * not. Dividing doubles (what a JSON Schema validator does for `multipleOf`) gets this wrong both
 * ways: 19.99 / 0.01 is not an integer, and near 10^14 a third decimal is lost in the noise.
 */

interface Decimal {
  /** The digits as an integer: the value is coefficient × 10^-scale. */
  coefficient: bigint;
  scale: number;
}

/** The finite number `x` as the decimal its shortest round-trip text spells. */
function decimalOf(x: number): Decimal {
  const [mantissa = '0', exponent = '0'] = String(x).toLowerCase().split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  return { coefficient: BigInt(whole + fraction), scale: fraction.length - Number(exponent) };
}

/** How many decimals `x` is written with: 20 → 0, 19.99 → 2, 1e-7 → 7. */
export function decimalPlaces(x: number): number {
  return Math.max(0, decimalOf(x).scale);
}

/** Whether `x` is an exact multiple of `step` as decimals (both finite, `step` > 0). */
export function isExactMultiple(x: number, step: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(step) || step <= 0) return false;
  const a = decimalOf(x);
  const b = decimalOf(step);
  const scale = Math.max(a.scale, b.scale);
  const scaled = (d: Decimal) => d.coefficient * 10n ** BigInt(scale - d.scale);
  return scaled(a) % scaled(b) === 0n;
}

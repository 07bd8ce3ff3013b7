/**
 * Money: a JSON number of whole cents, never binary floating point in storage. PostgreSQL
 * keeps it as numeric(14,2), so an amount has at most two decimals and stays below 10^12.
 * A JSON number is judged by its shortest round-trip text (19.99 has two decimals, 19.999 has
 * three), and an amount the column could not hold exactly is refused, never rounded.
 */

/** Decimals an amount may carry: cents. */
export const MONEY_DECIMALS = 2;

/** The largest amount numeric(14,2) holds: 10^12 − 0.01. */
export const MAX_MONEY = 999_999_999_999.99;

export const moneySchema = {
  type: 'number',
  minimum: 0,
  maximum: MAX_MONEY,
  multipleOf: 0.01,
  description: `An amount with at most ${MONEY_DECIMALS} decimals, from 0 to ${MAX_MONEY}.`,
  examples: [20, 19.99],
} as const;

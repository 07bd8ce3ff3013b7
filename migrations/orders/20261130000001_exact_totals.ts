import type { Knex } from 'knex';

// Order totals become exact decimals: numeric(14,2) holds every amount of whole cents below
// 10^12. A double converts to numeric through its 15 significant digits, which absorbs binary
// noise (19.990000000000002 is 19.99); a total that still has more than two decimals, or does
// not fit, is a real amount the new column would change, so the migration stops and says so
// instead of rounding it silently.
export async function up(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ order_id: string; total: string }> }>(
    `SELECT order_id, total::text AS total FROM sagas
     WHERE total::numeric <> round(total::numeric, 2) OR total < 0 OR total >= 1e12
     LIMIT 5`,
  );
  if (rows.length > 0) {
    const examples = rows.map((r) => `${r.order_id}: ${r.total}`).join(', ');
    throw new Error(
      `cannot store these totals exactly as numeric(14,2) (${examples}); correct them first`,
    );
  }
  await knex.raw(
    'ALTER TABLE sagas ALTER COLUMN total TYPE numeric(14,2) USING round(total::numeric, 2)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sagas ALTER COLUMN total TYPE double precision');
}

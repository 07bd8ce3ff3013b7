import type { Knex } from 'knex';

// Authorized amounts become exact decimals, like the order totals they come from. An amount
// that numeric(14,2) could not hold as it is stops the migration rather than being rounded.
export async function up(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ authorization_id: string; amount: string }> }>(
    `SELECT authorization_id, amount::text AS amount FROM authorizations
     WHERE amount::numeric <> round(amount::numeric, 2) OR amount < 0 OR amount >= 1e12
     LIMIT 5`,
  );
  if (rows.length > 0) {
    const examples = rows.map((r) => `${r.authorization_id}: ${r.amount}`).join(', ');
    throw new Error(
      `cannot store these amounts exactly as numeric(14,2) (${examples}); correct them first`,
    );
  }
  await knex.raw(
    'ALTER TABLE authorizations ALTER COLUMN amount TYPE numeric(14,2) USING round(amount::numeric, 2)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE authorizations ALTER COLUMN amount TYPE double precision');
}

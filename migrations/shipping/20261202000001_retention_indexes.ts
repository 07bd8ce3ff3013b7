import type { Knex } from 'knex';

// Retention deletes processed-command records and fault counters by age; these indexes let it
// find the old rows without scanning the tables. Built concurrently, so that a running worker
// keeps writing.
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS processed_commands_at_idx ON processed_commands (processed_at)',
  );
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS fault_deliveries_at_idx ON fault_deliveries (updated_at)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS fault_deliveries_at_idx');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS processed_commands_at_idx');
}

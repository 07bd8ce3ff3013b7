import type { Knex } from 'knex';

// Retention deletes inbox records and timelines by age; these indexes let it find the old rows
// without scanning the tables. Built concurrently, so that a running service keeps writing.
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS inbox_received_idx ON inbox (received_at)',
  );
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS timeline_at_idx ON timeline (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS timeline_at_idx');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS inbox_received_idx');
}

import type { Knex } from 'knex';

// GET /orders?user_id= lists one user's orders newest first: this index serves it without
// scanning everyone's orders.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sagas', (t) => {
    t.index(['user_id', 'created_at', 'saga_id'], 'sagas_user_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sagas', (t) => {
    t.dropIndex(['user_id', 'created_at', 'saga_id'], 'sagas_user_created_idx');
  });
}

import type { Knex } from 'knex';

// A copy of what each dead-letter queue holds, written as the coordinator hears of each dead
// letter: operators list and page through it without taking messages off the queue (which,
// on a quorum queue, would count as a delivery). One row per queue and message id; `id` is the
// order of arrival and the paging key.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dead_letters', (t) => {
    t.bigIncrements('id').primary();
    t.text('queue').notNullable();
    t.text('message_id').notNullable();
    t.jsonb('view').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['queue', 'message_id']);
    t.index(['queue', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dead_letters');
}

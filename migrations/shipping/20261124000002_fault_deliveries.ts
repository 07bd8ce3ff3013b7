import type { Knex } from 'knex';

// Deliveries of commands that carry a failure-injection instruction, counted durably so that
// `times` holds across retries, redeliveries and a crashed worker.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('fault_deliveries', (t) => {
    t.text('command_id').primary();
    t.integer('deliveries').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('fault_deliveries');
}

import type { Knex } from 'knex';

/**
 * The circuit breaker of each step, shared by every coordinator: a step whose row is not
 * `closed` has its commands held in the outbox by all of them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('step_breakers', (t) => {
    t.text('step').primary();
    t.text('state').notNullable();
    t.double('failure_rate');
    t.text('actor');
    t.text('reason');
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE step_breakers ADD CONSTRAINT step_breakers_state_check
     CHECK (state IN ('closed', 'open', 'half_open', 'paused', 'releasing'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('step_breakers');
}

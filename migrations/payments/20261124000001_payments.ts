import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('processed_commands', (t) => {
    t.text('command_id').primary();
    t.text('type').notNullable();
    t.text('order_id').notNullable();
    t.jsonb('reply').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('authorizations', (t) => {
    t.text('authorization_id').primary();
    t.text('order_id').notNullable().index();
    t.uuid('saga_id').notNullable();
    t.text('command_id').notNullable().unique();
    t.double('amount').notNullable();
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('authorizations');
  await knex.schema.dropTable('processed_commands');
}

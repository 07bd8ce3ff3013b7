import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('processed_commands', (t) => {
    t.text('command_id').primary();
    t.text('type').notNullable();
    t.text('order_id').notNullable();
    t.jsonb('reply').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('stock', (t) => {
    t.text('sku').primary();
    t.integer('available').notNullable();
    t.integer('reserved').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The database itself refuses an oversell, whatever the application does.
  await knex.raw(
    'ALTER TABLE stock ADD CONSTRAINT stock_never_negative CHECK (available >= 0 AND reserved >= 0)',
  );
  await knex.schema.createTable('reservations', (t) => {
    t.text('order_id').primary();
    t.uuid('saga_id').notNullable();
    t.text('command_id').notNullable().unique();
    t.text('status').notNullable();
    t.jsonb('items').notNullable();
    t.jsonb('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reservations');
  await knex.schema.dropTable('stock');
  await knex.schema.dropTable('processed_commands');
}

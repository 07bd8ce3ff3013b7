import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('fault_rules', (t) => {
    t.uuid('id').primary();
    t.text('target').notNullable();
    t.text('mode').notNullable();
    t.double('probability').notNullable();
    t.integer('latency_ms');
    t.integer('count');
    t.double('ttl_seconds');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('fault_rules');
}

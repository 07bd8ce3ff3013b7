import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sagas', (t) => {
    t.uuid('saga_id').primary();
    t.text('order_id').notNullable().unique();
    t.text('user_id').notNullable();
    t.text('request_hash').notNullable();
    t.jsonb('items').notNullable();
    t.double('total').notNullable();
    t.jsonb('faults');
    t.text('status').notNullable();
    t.text('state').notNullable();
    t.text('step');
    t.jsonb('reason');
    t.integer('version').notNullable();
    t.jsonb('snapshot').notNullable();
    t.integer('timeline_seq').notNullable().defaultTo(0);
    t.timestamp('deadline_at', { useTz: true });
    t.uuid('deadline_token');
    t.timestamp('stuck_since', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'saga_id'], 'sagas_created_idx');
    t.index(['status', 'created_at'], 'sagas_status_created_idx');
  });
  await knex.raw(
    'CREATE INDEX sagas_deadline_idx ON sagas (deadline_at) WHERE deadline_at IS NOT NULL',
  );

  await knex.schema.createTable('timeline', (t) => {
    t.uuid('saga_id').notNullable().references('saga_id').inTable('sagas');
    t.integer('seq').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('type').notNullable();
    t.jsonb('details').notNullable();
    t.primary(['saga_id', 'seq']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id').primary();
    t.text('message_id').notNullable();
    t.text('exchange').notNullable();
    t.text('routing_key').notNullable();
    t.text('type').notNullable();
    t.text('body').notNullable();
    t.jsonb('headers').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('inbox', (t) => {
    t.text('message_id').primary();
    t.uuid('saga_id');
    t.text('type').notNullable();
    t.text('outcome').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('timeline');
  await knex.schema.dropTable('sagas');
}

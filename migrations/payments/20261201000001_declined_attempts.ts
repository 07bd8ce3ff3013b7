import type { Knex } from 'knex';

// A declined attempt is kept beside the authorizations with the provider's code and message,
// so an order cancelled at payment still shows what the provider said. Its status DECLINED
// marks it as never having been a live authorization.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('authorizations', (t) => {
    t.jsonb('reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('authorizations', (t) => {
    t.dropColumn('reason');
  });
}

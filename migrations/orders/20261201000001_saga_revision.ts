import type { Knex } from 'knex';

// Every write of a saga row bumps its revision: a coordinator writes only when the row is still
// at the revision it decided on, so two coordinators (or two batches of one) can never lose
// each other's change. saga_writes_expected fails the whole statement when a batch's writes did
// not all land, so that nothing of a half-overtaken batch commits.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sagas', (t) => {
    t.integer('revision').notNullable().defaultTo(0);
  });
  await knex.raw(`
    CREATE FUNCTION saga_writes_expected(landed bigint, expected bigint) RETURNS boolean
    LANGUAGE plpgsql AS $body$
    BEGIN
      IF landed <> expected THEN
        RAISE EXCEPTION 'saga batch overtaken: % of % writes landed', landed, expected
          USING ERRCODE = 'SA001';
      END IF;
      RETURN true;
    END
    $body$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION saga_writes_expected(bigint, bigint)');
  await knex.schema.alterTable('sagas', (t) => {
    t.dropColumn('revision');
  });
}

import type { Knex } from 'knex';

// Named statements keep their plans again, as PostgreSQL does by default. Planning every execution
// kept plans made on a new deployment's empty tables from lasting, but cost PostgreSQL about a
// third more CPU per order; the services now make each connection drop its cached plans on a
// schedule instead (after 1 s, 2 s, 4 s, … then once a minute). An account that does not own its
// database cannot reset the setting there; the owner runs ALTER DATABASE … RESET plan_cache_mode.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I RESET plan_cache_mode', current_database());
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'plan_cache_mode not reset: only the database owner may; reset it as the owner';
  END $$`);
  await knex.raw('RESET plan_cache_mode');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'plan_cache_mode not set: only the database owner may; set it as the owner';
  END $$`);
  await knex.raw('SET plan_cache_mode = force_custom_plan');
}

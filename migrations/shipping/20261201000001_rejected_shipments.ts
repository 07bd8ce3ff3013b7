import type { Knex } from 'knex';

// A shipment the carrier refused (e.g. a parcel over its size limit) is kept with the reason,
// status REJECTED and no tracking number: it never existed at the carrier, so it is never a
// live shipment.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('shipments', (t) => {
    t.setNullable('tracking_number');
    t.jsonb('reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  // The older schema cannot hold a shipment without a tracking number.
  await knex('shipments').where({ status: 'REJECTED' }).delete();
  await knex.schema.alterTable('shipments', (t) => {
    t.dropColumn('reason');
    t.dropNullable('tracking_number');
  });
}

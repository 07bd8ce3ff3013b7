/** The catalog an empty inventory starts with, so the documented examples work at once. */
import { Database } from '../../lib/db';

export const seedCatalog: ReadonlyArray<{ sku: string; available: number }> = [
  { sku: 'Book', available: 1_000_000 },
  { sku: 'Laptop', available: 1_000 },
  { sku: 'Phone', available: 5_000 },
  { sku: 'Headphones', available: 10_000 },
  { sku: 'Pen', available: 1_000_000 },
  { sku: 'Mug', available: 100_000 },
];

/** Seeds only an empty stock table: a restart never resets counts. */
export async function seedEmptyStock(db: Database): Promise<boolean> {
  return db.transaction(async (trx) => {
    await trx.raw('LOCK TABLE stock IN SHARE ROW EXCLUSIVE MODE');
    if (await trx('stock').first('sku')) return false;
    await trx('stock').insert(seedCatalog);
    return true;
  });
}

// Before anything else: tracing patches the modules the service loads next.
import './tracing';
import path from 'node:path';
import { queues } from '../../lib/messaging/topology';
import { runWorker } from '../runtime/service';
import { seedEmptyStock } from './catalog';
import { inventoryHandler } from './handlers';
import { inventoryApi, inventoryRoutes } from './routes';

runWorker({
  name: 'inventory',
  queue: queues.inventory,
  port: (config) => config.ports.inventory,
  database: (config) => config.postgres.databases.inventory,
  migrationsDirectory: path.join(__dirname, '../../migrations/inventory'),
  handler: () => inventoryHandler(),
  routes: ({ db }) => inventoryRoutes(db),
  api: inventoryApi,
  async prepare({ db, logger }) {
    if (await seedEmptyStock(db)) logger.info('stock seeded', { catalog: 'default' });
  },
});

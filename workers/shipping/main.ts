// Before anything else: tracing patches the modules the service loads next.
import './tracing';
import path from 'node:path';
import { queues } from '../../lib/messaging/topology';
import { runWorker } from '../runtime/service';
import { shippingHandler } from './handlers';
import { shippingApi, shippingRoutes } from './routes';

runWorker({
  name: 'shipping',
  queue: queues.shipping,
  port: (config) => config.ports.shipping,
  database: (config) => config.postgres.databases.shipping,
  migrationsDirectory: path.join(__dirname, '../../migrations/shipping'),
  handler: () => shippingHandler(),
  routes: ({ db }) => shippingRoutes(db),
  api: shippingApi,
});

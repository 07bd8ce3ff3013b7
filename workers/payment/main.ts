// Before anything else: tracing patches the modules the service loads next.
import './tracing';
import path from 'node:path';
import { queues } from '../../lib/messaging/topology';
import { runWorker } from '../runtime/service';
import { paymentHandler } from './handlers';
import { httpPaymentProvider } from './provider';
import { providerSimulator, simulatorInProductionWarning } from './provider-simulator';
import { paymentApi, paymentRoutes } from './routes';

runWorker({
  name: 'payment',
  queue: queues.payment,
  port: (config) => config.ports.payment,
  database: (config) => config.postgres.databases.payments,
  migrationsDirectory: path.join(__dirname, '../../migrations/payments'),
  handler: ({ db, config }) =>
    paymentHandler(db, httpPaymentProvider(config.paymentProviderUrl), {
      riskDeclineScore: config.riskDeclineScore,
    }),
  routes: ({ db }) => paymentRoutes(db),
  api: paymentApi,
  rawRoutes: ({ config }) => providerSimulator(config.paymentMaxAmount),
  prepare: ({ config, logger }) => {
    const warning = simulatorInProductionWarning(config);
    if (warning) logger.warn(warning);
    return Promise.resolve();
  },
});

/** Mocha root hooks: whatever a run created in PostgreSQL and RabbitMQ is dropped at its end. */
import { dropNamespaces } from '../helpers/namespace';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await dropNamespaces();
  },
};

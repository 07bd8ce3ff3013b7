import { expect } from 'chai';
import { loadConfig, portVariables } from '../../lib/config';

describe('config — ports and logging', () => {
  it('given each service port variable, when loaded, then portVariables names the variable that set it', () => {
    const env = {
      ORDER_SERVICE_PORT: '9100',
      PAYMENT_SERVICE_PORT: '9101',
      INVENTORY_SERVICE_PORT: '9102',
      SHIPPING_SERVICE_PORT: '9103',
    };
    const { ports } = loadConfig(env);

    for (const [service, variable] of Object.entries(portVariables)) {
      expect(String(ports[service as keyof typeof ports]), variable).to.equal(
        env[variable as keyof typeof env],
      );
    }
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { ConfigError, configVariables, loadConfig, portVariables } from '../../lib/config';

describe('config — retention', () => {
  it('given nothing set, when loaded, then records are kept 7 days and timelines forever', () => {
    expect(loadConfig({}).retention).to.deep.equal({ days: 7, timelineDays: null });
  });

  it('given both windows, when loaded, then they are read as days', () => {
    expect(
      loadConfig({ RETENTION_DAYS: '30', TIMELINE_RETENTION_DAYS: '90' }).retention,
    ).to.deep.equal({ days: 30, timelineDays: 90 });
  });

  it('given a window shorter than a message can wait on a queue, when loaded, then it fails naming RETENTION_DAYS', () => {
    expect(() => loadConfig({ RETENTION_DAYS: '1' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.satisfies((problems: string[]) => problems.some((p) => p.startsWith('RETENTION_DAYS')));
  });
});

describe('config — ports and logging', () => {
  it('given no LOG_FORMAT, when loaded, then logs are JSON', () => {
    expect(loadConfig({}).logFormat).to.equal('json');
  });

  it('given LOG_FORMAT=pretty, when loaded, then logs are pretty', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).to.equal('pretty');
  });

  it('given an unknown LOG_FORMAT, when loaded, then it fails naming the variable', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.satisfies((problems: string[]) => problems.some((p) => p.startsWith('LOG_FORMAT')));
  });

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

  it('given .env.example, when loaded, then it names every variable and each value is the default', () => {
    const example = parse(readFileSync(path.resolve(__dirname, '../../.env.example')));

    expect(Object.keys(example).sort()).to.deep.equal([...configVariables].sort());
    expect(loadConfig(example)).to.deep.equal(loadConfig({}));
  });
});

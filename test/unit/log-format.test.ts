import { expect } from 'chai';
import { prettyLine } from '../../lib/log-format';

describe('pretty log format', () => {
  const base = { timestamp: '2026-11-30T10:00:00.000Z', level: 'info', service: 'coordinator' };

  it('given a line with ids, when formatted, then time, level, service and message lead and the fields follow as key=value', () => {
    const line = prettyLine({
      ...base,
      message: 'saga completed',
      saga_id: 'abc-1',
      order_id: '123',
      duration_ms: 1250,
    });

    expect(line).to.equal(
      '2026-11-30T10:00:00.000Z INFO  coordinator saga completed saga_id=abc-1 order_id=123 duration_ms=1250',
    );
  });

  it('given values with spaces, quotes or equals signs, when formatted, then they are quoted so the line splits unambiguously', () => {
    const line = prettyLine({
      ...base,
      level: 'warn',
      message: 'saga cancelled',
      reason: 'above the limit',
      detail: 'a="b"',
      empty: '',
    });

    expect(line).to.equal(
      '2026-11-30T10:00:00.000Z WARN  coordinator saga cancelled reason="above the limit" detail="a=\\"b\\"" empty=""',
    );
  });

  it('given objects, arrays, nulls and booleans, when formatted, then objects are JSON and the rest as written', () => {
    const line = prettyLine({
      ...base,
      message: 'invalid configuration',
      problems: ['PORT must be <= 65535'],
      reason: { step: 'payment', code: 'X' },
      step: null,
      dry_run: false,
    });

    expect(line).to.equal(
      '2026-11-30T10:00:00.000Z INFO  coordinator invalid configuration problems=["PORT must be <= 65535"] reason={"step":"payment","code":"X"} step=null dry_run=false',
    );
  });

  it('given an error with a stack, when formatted, then the stack follows on indented lines', () => {
    const line = prettyLine({
      ...base,
      level: 'error',
      message: 'request failed',
      stack: 'Error: boom\n    at handler (routes.ts:1:1)',
    });

    expect(line.split('\n')).to.deep.equal([
      '2026-11-30T10:00:00.000Z ERROR coordinator request failed',
      '    Error: boom',
      '    at handler (routes.ts:1:1)',
    ]);
  });
});

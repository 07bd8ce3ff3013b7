import { expect } from 'chai';
import { waitFor } from '../helpers/wait';

describe('waitFor, the bounded wait every test uses', () => {
  it('given a probe that failed once and then kept answering, when it times out, then it reports the latest answer', async () => {
    let calls = 0;
    const probe = async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection refused');
      return { status: 503, detail: 'waiting for migrations' };
    };

    const failure = await waitFor('a service', probe, (a) => a.status === 200, {
      timeoutMs: 50,
      intervalMs: 5,
    }).catch((error: Error) => error);

    expect(String(failure)).to.include('waiting for migrations');
    expect(String(failure)).not.to.include('connection refused');
  });

  it('given a probe that answered and then failed, when it times out, then it reports the failure', async () => {
    let calls = 0;
    const probe = async () => {
      calls += 1;
      if (calls > 1) throw new Error('connection reset');
      return { status: 503 };
    };

    const failure = await waitFor('a service', probe, (a) => a.status === 200, {
      timeoutMs: 50,
      intervalMs: 5,
    }).catch((error: Error) => error);

    expect(String(failure)).to.include('connection reset');
  });
});

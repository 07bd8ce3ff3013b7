import { expect } from 'chai';
import { loadConfig } from '../../lib/config';
import { problemsOf } from '../helpers/config-problems';
import { longestRetryDelayMs } from '../../lib/retry-schedule';

describe('config timings', () => {
  it('given the defaults (5 s delay, 3 retries, 30 s step timeout), when loaded, then they are coherent: the longest retry wait is 24 s', () => {
    // Act
    const config = loadConfig({});

    // Assert
    expect([
      config.retryDelaySeconds,
      config.maxRetryAttempts,
      config.stepTimeoutSeconds,
    ]).to.deep.equal([5, 3, 30]);
    expect(longestRetryDelayMs(config)).to.equal(24_000);
  });

  it('given a step timeout shorter than the longest retry wait, when loaded, then it throws a ConfigError naming the three variables and the wait', () => {
    // Act
    const problems = problemsOf({
      RETRY_DELAY_SECONDS: '5',
      MAX_RETRY_ATTEMPTS: '3',
      STEP_TIMEOUT_SECONDS: '20',
    });

    // Assert
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^STEP_TIMEOUT_SECONDS /);
    expect(problems[0])
      .to.include('RETRY_DELAY_SECONDS')
      .and.include('MAX_RETRY_ATTEMPTS')
      .and.include('24 s');
  });

  it('given a step timeout equal to the longest retry wait, when loaded, then it is refused (the deadline must fall after the retry)', () => {
    // Act
    const problems = problemsOf({
      RETRY_DELAY_SECONDS: '0.5',
      MAX_RETRY_ATTEMPTS: '3',
      STEP_TIMEOUT_SECONDS: '2.4',
    });

    // Assert
    expect(problems.map((p) => p.split(' ')[0])).to.deep.equal(['STEP_TIMEOUT_SECONDS']);
  });

  it('given a step timeout just above the longest retry wait, when loaded, then it is accepted', () => {
    // Act
    const config = loadConfig({
      RETRY_DELAY_SECONDS: '0.5',
      MAX_RETRY_ATTEMPTS: '3',
      STEP_TIMEOUT_SECONDS: '2.5',
    });

    // Assert
    expect(config.stepTimeoutSeconds).to.equal(2.5);
  });

  it('given no retries at all, when loaded, then any step timeout is accepted', () => {
    // Act
    const config = loadConfig({
      RETRY_DELAY_SECONDS: '3600',
      MAX_RETRY_ATTEMPTS: '0',
      STEP_TIMEOUT_SECONDS: '1',
    });

    // Assert
    expect(config.stepTimeoutSeconds).to.equal(1);
  });
});

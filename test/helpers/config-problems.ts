import { ConfigError, loadConfig } from '../../lib/config';

/** The problems `loadConfig` names for `env`; accepting it fails the test. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

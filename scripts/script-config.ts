/**
 * The settings a one-shot script (migrate, provision, saga:check) runs with, or undefined after
 * it has said on stderr what is wrong with them; the script then exits with the configuration
 * code, like a service that cannot start.
 */
import { ConfigError } from '../lib/config';

export function loadedOrReported<T>(load: () => T): T | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

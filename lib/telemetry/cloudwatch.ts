/** The EMF reporter a service runs when CLOUDWATCH_NAMESPACE is set, or undefined. */
import { Config } from '../config';
import { EmfRecorder, EmfReporter } from './emf';

export function cloudwatchReporter(config: Config, service: string): EmfReporter | undefined {
  const cloudwatch = config.telemetry.cloudwatch;
  if (!cloudwatch) return undefined;
  return new EmfReporter(new EmfRecorder({ ...cloudwatch, service }));
}

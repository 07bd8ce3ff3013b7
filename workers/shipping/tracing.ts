/** Tracing first: it must be in place before the service's modules load. */
import { preloadTracing } from '../../lib/telemetry/preload';

preloadTracing('shipping');

/**
 * Binds an HTTP server to its port. Express 5's `app.listen` calls its callback on 'error' as
 * well, so a port already in use looked like success: this resolves only once listening and
 * rejects with the bind error (e.g. EADDRINUSE) otherwise.
 */
import { createServer, RequestListener, Server } from 'node:http';

export function listen(handler: RequestListener, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer(handler);
  // Longer than the idle timeout of common load balancers, so they close first.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function isPortInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

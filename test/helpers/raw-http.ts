/**
 * HTTP requests exactly as written: a path sent without normalisation or re-encoding, any
 * header (Content-Encoding included) and any bytes as the body. fetch would refuse or rewrite
 * several of the hostile requests the edge tests need to send.
 */
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Fails after `timeoutMs` without an answer: a request the server never answers is a finding. */
export function rawRequest(
  baseUrl: string,
  spec: RawRequest,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        headers: {
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...spec.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
            json,
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no answer within ${timeoutMs} ms to ${spec.method} ${spec.path}`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

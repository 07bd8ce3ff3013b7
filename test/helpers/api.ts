/** A small JSON client for the services' HTTP APIs. */
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = Record<string, unknown>>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string;
    contentType?: string;
    token?: string;
  } = {},
): Promise<JsonResponse<T>> {
  const hasBody = init.body !== undefined || init.raw !== undefined;
  const headers: Record<string, string> = {};
  if (hasBody) headers['content-type'] = init.contentType ?? 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text: some error paths answer plain text.
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export interface OrderView {
  order_id: string;
  saga_id: string;
  status: string;
  step: string | null;
  reason?: { step: string; code: string; message: string };
}

export interface TimelineEvent {
  seq: number;
  type: string;
  step?: string;
  command?: string;
  command_id?: string;
  attempt?: number;
  delay_ms?: number;
  code?: string;
  actor?: string;
  reason?: unknown;
}

export interface TimelineView {
  status: string;
  events: TimelineEvent[];
}

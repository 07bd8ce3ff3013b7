/**
 * The human-readable log line (`LOG_FORMAT=pretty`) for a terminal: time, level, service and
 * the stable message first, then every field as key=value in a fixed order, so lines about
 * one saga line up and a value can be searched for as it would be in the JSON.
 */
export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

const leading = new Set(['timestamp', 'level', 'service', 'message', 'stack']);

export function prettyLine(info: Record<string, unknown>): string {
  const head = [
    String(info.timestamp ?? ''),
    String(info.level ?? '')
      .toUpperCase()
      .padEnd(5),
    String(info.service ?? '-'),
    String(info.message ?? ''),
  ];
  const fields = Object.keys(info)
    .filter((key) => !leading.has(key) && info[key] !== undefined)
    .map((key) => `${key}=${fieldValue(info[key])}`);
  const line = [...head, ...fields].filter((part) => part !== '').join(' ');
  return typeof info.stack === 'string' ? `${line}\n${indent(info.stack)}` : line;
}

/** Bare when unambiguous; quoted (JSON) when it has spaces, quotes or `=`; objects as JSON. */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n');
}

/** How numbers, times and order lines read in the console. */
import type { ItemLine } from './api/types';

/** "just now", "12 s", "4 min", "2 h 5 min", "3 d 4 h". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export const ageSince = (iso: string, now = Date.now()): number =>
  (now - new Date(iso).getTime()) / 1000;

/** "just now", "12 s ago": how long ago `iso` was. */
export function formatAgo(iso: string, now = Date.now()): string {
  const age = formatAge(ageSince(iso, now));
  return age === 'just now' ? age : `${age} ago`;
}

/** A duration between events: "350 ms", "2.4 s", "3 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  return formatAge(ms / 1000);
}

const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});
const dateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
  hourCycle: 'h23',
});

export const formatClock = (iso: string): string => clock.format(new Date(iso));
export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));

const amount = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 });
export const formatAmount = (value: number): string => amount.format(value);

export const formatCount = (value: number): string =>
  new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(value);

export function describeItems(items: readonly ItemLine[]): string {
  return items
    .map((line) => (typeof line === 'string' ? line : `${line.sku} × ${line.quantity}`))
    .join(', ');
}

/** Status names for people: "PAYMENT_AUTHORIZED" → "Payment authorized". */
export function humanize(constant: string): string {
  const words = constant.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

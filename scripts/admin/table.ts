/** Borderless tables (cli-table3) and the cell formats they share, for the CLI's human output. */
import Table from 'cli-table3';
import { stripVTControlCharacters } from 'node:util';
import { View } from './view';

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Free text (diagnosis, reason): the one column that wraps when the table is too wide. */
  wraps?: boolean;
}

/** Below this a wrapped column would be a ribbon of single words; the line overflows instead. */
const MIN_WRAP_WIDTH = 24;
const GAP = '  ';

const borderless = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: GAP,
};

/** Lines of a table: a bold header, columns two spaces apart, free text wrapped to the view. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly string[][],
  view: View,
  indent = 0,
): string[] {
  const table = new Table({
    head: columns.map((column) => view.colors.bold(column.header)),
    chars: borderless,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
    colAligns: columns.map((column) => column.align ?? 'left'),
    colWidths: fittedWidths(
      columns,
      rows,
      view.width === undefined ? undefined : view.width - indent,
    ),
    wordWrap: true,
    wrapOnWordBoundary: true,
  });
  table.push(...rows.map((row) => columns.map((_, i) => row[i] ?? '')));
  const pad = ' '.repeat(indent);
  return table
    .toString()
    .split('\n')
    .map((line) => (pad + line).trimEnd());
}

/** Natural widths, except that the wrapping column gets what the others leave of `width`. */
function fittedWidths(
  columns: readonly Column[],
  rows: readonly string[][],
  width: number | undefined,
): Array<number | null> {
  const natural = columns.map((column, i) =>
    Math.max(visibleLength(column.header), ...rows.flatMap((row) => lineLengths(row[i] ?? ''))),
  );
  const wrapping = columns.findIndex((column) => column.wraps);
  const total = natural.reduce((sum, n) => sum + n, 0) + GAP.length * (columns.length - 1);
  if (width === undefined || wrapping < 0 || total <= width) return columns.map(() => null);
  const others = total - natural[wrapping]!;
  const room = Math.max(MIN_WRAP_WIDTH, width - others);
  return columns.map((_, i) => (i === wrapping ? room : null));
}

const visibleLength = (text: string): number => stripVTControlCharacters(text).length;
const lineLengths = (text: string): number[] => text.split('\n').map(visibleLength);

/** 45s, 3m12s, 2h5m, 3d4h: two units are precise enough for how long a saga has been stuck. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3_600)}h`;
}

/** Free text on one line: a line break inside a cell would break the row apart. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

export const orDash = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * How human output looks on this run: colours only on a terminal (never with NO_COLOR, always
 * with FORCE_COLOR), and free text wrapped to the terminal's width. Written to a pipe or with
 * --wide, free text stays whole on one line, so each row is one line for grep and friends.
 */
import pc from 'picocolors';
import type { Colors } from 'picocolors/types';
import { CliIo } from './io';

export interface View {
  colors: Colors;
  /** Columns that free text is wrapped to fit; undefined: never wrapped. */
  width?: number;
}

export function viewFor(io: CliIo, wide: boolean): View {
  const colors = pc.createColors(colorsWanted(io));
  const wraps = !wide && io.stdoutIsTTY && io.columns !== undefined;
  return wraps ? { colors, width: io.columns } : { colors };
}

function colorsWanted(io: CliIo): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return io.stdoutIsTTY;
}

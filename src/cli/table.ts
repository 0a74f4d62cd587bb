/**
 * Plain aligned columns for people, at most `maxWidth` (100) columns wide; `--json` prints the
 * API's own JSON instead. When rows are too wide the widest shrinkable column gives way first,
 * its cells cut with an ellipsis, so ids and statuses always stay whole.
 */
import { cellSafe } from './terminal-text.js';

export const TABLE_WIDTH = 100;
const GAP = 2;
const MIN_SHRUNK = 8;

export interface TableOptions {
  maxWidth?: number;
  /** Columns (by header) that may be truncated, e.g. names and scope lists. */
  shrinkable?: string[];
  /** Widths (by header) below which a shrinkable column is not cut, e.g. names people grep for. */
  minWidths?: Record<string, number>;
}

/** `text` cut to `width` characters, the last one an ellipsis when something was cut. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

function fitWidths(headers: string[], widths: number[], options: TableOptions): number[] {
  const max = options.maxWidth ?? TABLE_WIDTH;
  const fitted = [...widths];
  const total = () => fitted.reduce((sum, w) => sum + w, 0) + GAP * (fitted.length - 1);
  const shrinkable = headers.flatMap((h, i) => (options.shrinkable?.includes(h) ? [i] : []));
  while (total() > max) {
    const widest = shrinkable
      .filter(
        (i) =>
          (fitted[i] ?? 0) >
          Math.max(MIN_SHRUNK, headers[i]?.length ?? 0, options.minWidths?.[headers[i] ?? ''] ?? 0),
      )
      .sort((a, b) => (fitted[b] ?? 0) - (fitted[a] ?? 0))[0];
    if (widest === undefined) break;
    fitted[widest] = (fitted[widest] ?? 0) - 1;
  }
  return fitted;
}

export function formatTable(headers: string[], rawRows: string[][], options: TableOptions = {}): string {
  const rows = rawRows.map((row) => row.map(cellSafe));
  const natural = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const widths = fitWidths(headers, natural, options);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => truncate(cell, widths[i] ?? 0).padEnd(widths[i] ?? 0))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `text` in lines of at most `width`, broken at spaces (a single longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/**
 * Label/value lines for one object (`token show`, `user show`); long values (scope lists) wrap
 * under themselves so that every line fits `maxWidth`.
 */
export function formatFields(fields: [string, string][], maxWidth = TABLE_WIDTH): string {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  const indent = ' '.repeat(width + 1);
  return fields
    .map(([label, value]) =>
      wrap(cellSafe(value), Math.max(20, maxWidth - width - 1))
        .map((line, i) => (i === 0 ? `${`${label}:`.padEnd(width)} ${line}` : `${indent}${line}`))
        .join('\n'),
    )
    .join('\n');
}

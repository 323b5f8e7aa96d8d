/** Options of {@link table}. */
export interface TableOptions {
  /** Styles a cell (colour); applied after padding, so escape codes never shift the columns. */
  paint?: (column: number, cell: string) => string;
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(header: string[], rows: string[][], options: TableOptions = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^-?\d+(\.\d+)?$/.test(r[i] ?? '')));
  const line = (cells: string[], paint: TableOptions['paint']) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - c.length);
        const shown = paint ? paint(i, c) : c;
        return numeric[i] ? pad + shown : shown + pad;
      })
      .join('  ')
      .trimEnd();
  return `${[
    line(header, undefined),
    line(
      widths.map((w) => '-'.repeat(w)),
      undefined,
    ),
    ...rows.map((r) => line(r, options.paint)),
  ].join('\n')}\n`;
}

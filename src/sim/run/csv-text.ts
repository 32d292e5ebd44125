/** A CSV cell: text as it is, a number as JavaScript prints it, nothing (undefined, null) as an empty cell. */
export type CsvCell = string | number | undefined | null;

const NEEDS_QUOTES = /[",\n\r]/;

function cell(v: CsvCell): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : `${v}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 text with a header line, every line ending in `\n`: what csv-stringify's
 * `stringify(rows, { header: true, columns })` writes for these cells (a cell with a comma, quote, CR
 * or LF quoted, quotes doubled), without loading csv-stringify for the files every run writes (its
 * stream machinery costs a run's start-up and about 1.5 µs a cell). With `record_delimiter: 'unix'`,
 * which orders.csv and fills.csv used, csv-stringify left a lone CR unquoted; it is quoted here.
 */
export function csvText(columns: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  let out = `${columns.map(cell).join(',')}\n`;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += i === 0 ? cell(row[i]) : `,${cell(row[i])}`;
    out += `${line}\n`;
  }
  return out;
}

/** One cell: text as is, a number as JavaScript prints it, a boolean as true/false, nothing as an empty cell. */
export type CsvCell = string | number | boolean | null | undefined;

const needsQuotes = (s: string): boolean => s.includes(',') || s.includes('"') || s.includes('\n');

function cell(v: CsvCell): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  return needsQuotes(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A CSV file (RFC 4180): a header row of `columns`, then one row per record, each ending in '\n'; a cell
 * holding a comma, a double quote or a line feed is quoted, its quotes doubled. Byte for byte what
 * csv-stringify writes with `header: true, record_delimiter: 'unix'` and booleans cast to true/false (a
 * test compares the two), without its per-cell option handling: the order log of a long replay has
 * thousands of rows.
 */
export function csvText(columns: readonly string[], records: readonly (readonly CsvCell[])[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const r of records) {
    let line = '';
    for (let i = 0; i < r.length; i++) line += i === 0 ? cell(r[i]) : `,${cell(r[i])}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

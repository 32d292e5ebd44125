/**
 * Prints a variants.csv (written by `mmsim sim` for a scenario with `variants:`) as the Markdown table
 * the README shows for scenarios/queue-models.yaml:
 *
 *   npm run sim -- scenarios/queue-models.yaml --quiet && npx tsx scripts/variants-table.ts out/queue-models/variants.csv
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const COLUMNS: readonly [string, string, (v: string) => string][] = [
  ['variant', 'variant', (v) => `\`${v}\``],
  ['orders_placed', 'placed', (v) => v],
  ['orders_filled', 'filled', (v) => v],
  ['maker_fill_rate', 'fill rate', (v) => `${(Number(v) * 100).toFixed(1)}%`],
  ['fills_queue', 'fills_queue', (v) => v],
  ['fills_through', 'fills_through', (v) => v],
  ['fills_cross', 'fills_cross', (v) => v],
  ['net_bps', 'net bps', (v) => Number(v).toFixed(3)],
];

export function variantsTable(csv: string): string {
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(COLUMNS.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map((r) => line(COLUMNS.map(([key, , fmt]) => fmt(r[key] ?? '')))),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx scripts/variants-table.ts <variants.csv>\n');
    process.exit(2);
  }
  process.stdout.write(`${variantsTable(readFileSync(file, 'utf8'))}\n`);
}

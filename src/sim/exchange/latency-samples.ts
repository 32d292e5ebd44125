import { isAbsolute, join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../../core/errors.ts';
import { readTextInputSync } from '../scenario/input-file.ts';
import type { DirectionConfig, EntryOp, FeedOp, LatencyChannelsConfig, LatencySpec, ResponseOp } from './latency-model.ts';
import type { LatencyConfig, LatencySpecConfig } from '../scenario/latency-schema.ts';

/**
 * Recorded latencies for an empirical distribution: one number of milliseconds per row, in the first
 * column or in the named column of a header row. Blank lines and `#` comments are skipped. Without
 * `column`, a first row whose first cell is not a number is taken as a header.
 */
export function loadLatencySamplesCsv(path: string, column?: string): number[] {
  const rows = parseRows(path, readText(path));
  const first = rows[0];
  if (first === undefined) throw new InputError(`${path}: no latency samples (the file is empty)`);
  const hasHeader = column !== undefined || !isNumeric(first.cells[0] ?? '');
  const index = column === undefined ? 0 : columnIndex(path, first.cells, column);
  const samples = (hasHeader ? rows.slice(1) : rows).map((row) => sampleAt(path, row, index, column));
  if (samples.length === 0) throw new InputError(`${path}: no latency samples (only a header row)`);
  return samples;
}

interface Row {
  readonly cells: readonly string[];
  readonly line: number;
}

/** A regular file of bounded size (input-file.ts): a FIFO or device is refused, not waited on. */
function readText(path: string): string {
  return readTextInputSync(path);
}

function parseRows(path: string, text: string): Row[] {
  try {
    const options = { info: true, bom: true, comment: '#', skip_empty_lines: true, relax_column_count: true, trim: true };
    // With `info` each record comes with its line number; the typings do not model that option.
    const records = parse(text, options) as unknown as { record: string[]; info: { lines: number } }[];
    // A line of only blanks survives skip_empty_lines as one empty cell.
    return records.map(({ record, info }) => ({ cells: record, line: info.lines })).filter((r) => r.cells.some((c) => c !== ''));
  } catch (err) {
    if (err instanceof CsvError) throw new InputError(`${path}:${String(err.lines ?? '?')}: ${err.message}`);
    throw err;
  }
}

function columnIndex(path: string, header: readonly string[], column: string): number {
  const index = header.indexOf(column);
  if (index < 0) {
    throw new InputError(`${path}: no column ${JSON.stringify(column)} in the header row (columns: ${header.join(', ')})`);
  }
  return index;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const isNumeric = (cell: string) => NUMBER_RE.test(cell);

function sampleAt(path: string, row: Row, index: number, column: string | undefined): number {
  const cell = row.cells[index];
  const where = `${path}:${row.line}`;
  const name = column === undefined ? '' : ` (column ${JSON.stringify(column)})`;
  if (cell === undefined || cell === '') throw new InputError(`${where}: missing latency value${name}`);
  const value = Number(cell);
  if (!isNumeric(cell) || !Number.isFinite(value)) throw new InputError(`${where}: expected a latency in ms${name}, was ${JSON.stringify(cell)}`);
  if (value < 0) throw new InputError(`${where}: a latency cannot be negative${name}, was ${cell}`);
  return value;
}

/**
 * The latency config with every empirical `file` loaded into `samples_ms` (paths relative to
 * `scenarioDir`), so the channels only ever see samples. A file used twice is read once.
 */
export function resolveEmpiricalFiles(config: LatencyConfig, scenarioDir: string): LatencyChannelsConfig {
  const cache = new Map<string, number[]>();
  const resolve = (spec: LatencySpecConfig): LatencySpec => resolveSpec(spec, scenarioDir, cache);
  return {
    entry: resolveDirection<EntryOp>(config.entry, resolve),
    response: resolveDirection<ResponseOp>(config.response, resolve),
    feed: resolveDirection<FeedOp>(config.feed, resolve),
  };
}

function resolveDirection<Op extends string>(
  direction: DirectionConfig<Op, LatencySpecConfig>,
  resolve: (spec: LatencySpecConfig) => LatencySpec,
): DirectionConfig<Op> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(direction)) {
    out[key] = key === 'ordering' || value === undefined ? value : resolve(value as LatencySpecConfig);
  }
  return out as DirectionConfig<Op>;
}

function resolveSpec(spec: LatencySpecConfig, scenarioDir: string, cache: Map<string, number[]>): LatencySpec {
  if (spec.dist !== 'empirical') return spec;
  const { file, column, samples_ms, ...rest } = spec;
  if (samples_ms !== undefined) return { ...rest, samples_ms };
  if (file === undefined) throw new InputError('latency: an empirical distribution needs samples_ms or file');
  const path = isAbsolute(file) ? file : join(scenarioDir, file);
  const key = `${path}\u0000${column ?? ''}`;
  let samples = cache.get(key);
  if (samples === undefined) {
    samples = loadLatencySamplesCsv(path, column);
    cache.set(key, samples);
  }
  return { ...rest, samples_ms: samples };
}

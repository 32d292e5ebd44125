import { parse as parseCsv } from 'csv-parse/sync';
import type { Side } from '../../../core/types.ts';
import { ReplayDataError, countAnomaly, countMessage, newDecoderStats } from './replay-message.ts';
import type { BookMessage, LineDecoder, ReplayMessage } from './replay-message.ts';
import { plainDecimal, strictDecimal } from './plain-decimal.ts';
import { valueProblem } from './level-value.ts';

export interface TardisOptions {
  /** The instrument to keep, as in the file's `symbol` column (Tardis writes it upper case). */
  readonly symbol: string;
}

/**
 * Tardis.dev downloadable CSV files (docs.tardis.dev, "Downloadable CSV files" → "Data types"): comma
 * separated, LF line ends, a header line, timestamps in µs since the epoch (UTC), an empty cell where there
 * is no value. The kind of file is told by its header (line 1):
 *
 * - `incremental_book_L2`: `exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount`, one
 *   row per level change (`side` bid|ask, `amount` the new quantity, 0 removes the level). The rows of one
 *   exchange message share a `local_timestamp` ("grouping rows by the local_timestamp field"): consecutive
 *   non-snapshot rows with the same `local_timestamp` make one book message. "If last update was not a
 *   snapshot and current one is, then existing order book state must be discarded": a run of
 *   `is_snapshot=true` rows is one snapshot message (whatever its timestamps), a new run after non-snapshot
 *   rows resets the book. Non-snapshot rows before the first snapshot are skipped ("skip these rows until
 *   you encounter the first is_snapshot=true row"), counted `before_snapshot`. Snapshot rows with amount 0
 *   are absent levels (Tardis: "treated as absent levels"), counted `zero_in_snapshot` and left out.
 * - `trades`: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount`, `side` the liquidity
 *   taker's (buy|sell|unknown); `unknown` is counted `unknown_side` and skipped.
 * - `book_snapshot_25` (or any `book_snapshot_N`): `exchange,symbol,timestamp,local_timestamp` then
 *   `asks[i].price,asks[i].amount,bids[i].price,bids[i].amount` for i = 0..N-1, best first; empty cells
 *   for missing levels. Each row is one snapshot message.
 *
 * Tardis fields hold no commas or quotes, so a row's fields are found by scanning for ',' and read in place
 * (no string per field); a line holding a double quote is read with csv-parse instead, so a quoted field
 * still works.
 */
export function createTardisDecoder(opts: TardisOptions): LineDecoder {
  const symbol = opts.symbol;
  const stats = newDecoderStats();
  let kind: 'book' | 'trades' | 'snapshots' | undefined;
  let columns = 0;

  /** The book message being gathered (incremental_book_L2): rows join it until one differs. */
  let pending: { snapshot: boolean; exchangeUs: number; localUs: number; line: number; bids: number[]; asks: number[] } | undefined;
  let haveSnapshot = false;
  let firstEarlyRow = 0;

  function flush(out: ReplayMessage[]): void {
    if (pending === undefined) return;
    const p = pending;
    pending = undefined;
    countMessage(stats, p.snapshot ? 'snapshot' : 'delta');
    const msg: BookMessage = { kind: 'book', snapshot: p.snapshot, bids: p.bids, asks: p.asks, exchangeUs: p.exchangeUs, localUs: p.localUs, line: p.line };
    out.push(msg);
  }

  function header(text: string): void {
    const h = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (h === BOOK_HEADER) {
      kind = 'book';
      columns = 8;
      return;
    }
    if (h === TRADES_HEADER) {
      kind = 'trades';
      columns = 8;
      return;
    }
    const n = snapshotDepth(h);
    if (n > 0) {
      kind = 'snapshots';
      columns = 4 + 4 * n;
      return;
    }
    const shown = h.length > 200 ? `${h.slice(0, 200)}...` : h;
    throw new ReplayDataError(
      1,
      `not a Tardis incremental_book_L2, trades or book_snapshot_N CSV file: header "${shown}" (expected e.g. "${BOOK_HEADER}" or "${TRADES_HEADER}")`,
    );
  }

  function decode(text: string, line: number, out: ReplayMessage[]): void {
    stats.lines++;
    if (kind === undefined) {
      header(text);
      return;
    }
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0)) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    const t = splitRow(text, columns);
    if (t === undefined) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (!fieldIs(t, 1, symbol)) {
      countAnomaly(stats, 'other_symbol', line);
      return;
    }
    const exchangeUs = intField(t, 2);
    const localUs = intField(t, 3);
    if (Number.isNaN(exchangeUs) || Number.isNaN(localUs)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (kind === 'book') bookRow(t, exchangeUs, localUs, line, out);
    else if (kind === 'trades') tradeRow(t, exchangeUs, localUs, line, out);
    else snapshotRow(t, exchangeUs, localUs, line, out);
  }

  function bookRow(t: string, exchangeUs: number, localUs: number, line: number, out: ReplayMessage[]): void {
    const isSnapshot = fieldIs(t, 4, 'true');
    const bid = fieldIs(t, 5, 'bid');
    const price = decimalField(t, 6);
    const qty = decimalField(t, 7);
    if ((!isSnapshot && !fieldIs(t, 4, 'false')) || (!bid && !fieldIs(t, 5, 'ask')) || !(price > 0) || !(qty >= 0) || !Number.isFinite(price) || !Number.isFinite(qty)) {
      // A row of our book that cannot be applied: skipping it would leave a wrong book without a word.
      throw new ReplayDataError(line, `incremental_book_L2: ${bookRowProblem(t)}`);
    }
    if (isSnapshot) {
      // A run of snapshot rows is one snapshot; the first snapshot row after other rows starts a new one.
      if (pending === undefined || !pending.snapshot) {
        flush(out);
        pending = { snapshot: true, exchangeUs, localUs, line, bids: [], asks: [] };
        haveSnapshot = true;
      }
      if (qty === 0) {
        countAnomaly(stats, 'zero_in_snapshot', line);
        return;
      }
    } else {
      if (!haveSnapshot) {
        countAnomaly(stats, 'before_snapshot', line);
        if (firstEarlyRow === 0) firstEarlyRow = line;
        return;
      }
      if (pending === undefined || pending.snapshot || pending.localUs !== localUs) {
        flush(out);
        pending = { snapshot: false, exchangeUs, localUs, line, bids: [], asks: [] };
      }
    }
    const p = pending;
    if (exchangeUs > p.exchangeUs) p.exchangeUs = exchangeUs;
    if (localUs > p.localUs) p.localUs = localUs;
    if (bid) p.bids.push(price, qty);
    else p.asks.push(price, qty);
  }

  function tradeRow(t: string, exchangeUs: number, localUs: number, line: number, out: ReplayMessage[]): void {
    countMessage(stats, 'trade');
    if (fieldIs(t, 5, 'unknown')) {
      countAnomaly(stats, 'unknown_side', line);
      return;
    }
    const aggressor: Side | undefined = fieldIs(t, 5, 'buy') ? 'buy' : fieldIs(t, 5, 'sell') ? 'sell' : undefined;
    const price = decimalField(t, 6);
    const qty = decimalField(t, 7);
    if (aggressor === undefined || !(price > 0) || !(qty > 0) || !Number.isFinite(price) || !Number.isFinite(qty)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    out.push({ kind: 'trade', aggressor, price, qty, exchangeUs, localUs, line });
  }

  function snapshotRow(t: string, exchangeUs: number, localUs: number, line: number, out: ReplayMessage[]): void {
    countMessage(stats, 'book_snapshot');
    const bids: number[] = [];
    const asks: number[] = [];
    for (let c = 4; c < columns; c += 4) {
      // asks[i].price, asks[i].amount, bids[i].price, bids[i].amount
      if (!addLevel(asks, t, c) || !addLevel(bids, t, c + 2)) {
        // Counted, not fatal: each row is a whole book, so the next good row replaces the last good one.
        countAnomaly(stats, 'malformed', line);
        return;
      }
    }
    out.push({ kind: 'book', snapshot: true, bids, asks, exchangeUs, localUs, line });
  }

  function end(lastLine: number, out: ReplayMessage[]): void {
    flush(out);
    if (kind === 'book' && !haveSnapshot && firstEarlyRow !== 0) {
      throw new ReplayDataError(firstEarlyRow, `incremental_book_L2 rows for ${symbol} but no snapshot (is_snapshot=true) in the whole file (to line ${lastLine}): the book cannot be built`);
    }
  }

  return { decode, end, stats };
}

const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const SNAPSHOT_HEAD = 'exchange,symbol,timestamp,local_timestamp';
/** The deepest book_snapshot_N header accepted (Tardis publishes N = 5 and 25). */
const MAX_SNAPSHOT_LEVELS = 1000;

/** N when the header is exactly book_snapshot_N's (levels 0..N-1, in Tardis's column order); 0 otherwise. */
function snapshotDepth(h: string): number {
  if (!h.startsWith(SNAPSHOT_HEAD + ',')) return 0;
  const cols = h.split(',');
  const n = (cols.length - 4) / 4;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SNAPSHOT_LEVELS) return 0;
  for (let i = 0; i < n; i++) {
    const c = 4 + 4 * i;
    if (cols[c] !== `asks[${i}].price` || cols[c + 1] !== `asks[${i}].amount` || cols[c + 2] !== `bids[${i}].price` || cols[c + 3] !== `bids[${i}].amount`) return 0;
  }
  return n;
}

// A row's fields as [start, end) offsets into its text, reused from row to row (no array of strings per row).
const MAX_COLUMNS = 4 + 4 * MAX_SNAPSHOT_LEVELS;
const starts = new Int32Array(MAX_COLUMNS);
const ends = new Int32Array(MAX_COLUMNS);

/**
 * Finds the fields of a row (into `starts`/`ends`): the comma positions (Tardis never quotes), or csv-parse
 * when the line holds a double quote, the parsed fields then laid end to end in a new text. Returns the text
 * the offsets point into (the line itself on the fast path); undefined when the row does not have `columns` fields or does not parse.
 */
function splitRow(text: string, columns: number): string | undefined {
  if (text.indexOf('"') < 0) {
    let n = 0;
    let from = 0;
    for (;;) {
      const comma = text.indexOf(',', from);
      if (n === columns) return undefined;
      starts[n] = from;
      if (comma < 0) {
        ends[n++] = text.length;
        break;
      }
      ends[n++] = comma;
      from = comma + 1;
    }
    return n === columns ? text : undefined;
  }
  let fields: string[];
  try {
    const rows = parseCsv(text, { relax_column_count: true }) as string[][];
    if (rows.length !== 1) return undefined;
    fields = rows[0]!;
  } catch {
    return undefined;
  }
  if (fields.length !== columns) return undefined;
  let at = 0;
  for (let i = 0; i < columns; i++) {
    starts[i] = at;
    at += fields[i]!.length;
    ends[i] = at;
  }
  return fields.join('');
}

const fieldLength = (i: number): number => ends[i]! - starts[i]!;

/** Field i is exactly `s`. */
function fieldIs(t: string, i: number, s: string): boolean {
  return fieldLength(i) === s.length && t.startsWith(s, starts[i]!);
}

/** Field i as a non-negative integer (µs timestamps): NaN when empty, not all digits, or over 16 digits. */
function intField(t: string, i: number): number {
  const a = starts[i]!;
  const b = ends[i]!;
  if (a >= b || b - a > 16) return NaN;
  let v = 0;
  for (let k = a; k < b; k++) {
    const d = t.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Field i as a number, NaN when empty (plainDecimal reads it in place; anything else goes through Number()). */
function decimalField(t: string, i: number): number {
  const a = starts[i]!;
  const b = ends[i]!;
  if (a === b) return NaN;
  return plainDecimal(t, a, b) ?? strictDecimal(t.slice(a, b));
}

/** Field i as it is written (for an error naming the bad value). */
const fieldText = (t: string, i: number): string => t.slice(starts[i]!, ends[i]!);

/** Why a book row's fields (is_snapshot at 4, side at 5, price at 6, amount at 7) cannot be applied. */
function bookRowProblem(t: string): string {
  if (!fieldIs(t, 4, 'true') && !fieldIs(t, 4, 'false')) return `is_snapshot ${JSON.stringify(fieldText(t, 4))} is not true or false`;
  if (!fieldIs(t, 5, 'bid') && !fieldIs(t, 5, 'ask')) return `side ${JSON.stringify(fieldText(t, 5))} is not bid or ask`;
  return valueProblem(fieldText(t, 6), 'price', 'the row', false, '') ?? valueProblem(fieldText(t, 7), 'quantity', 'the row', false, '') ?? 'the row is malformed';
}

/** A price level from fields i (price) and i + 1 (amount): both empty is no level (true, nothing added); one empty or bad is false. */
function addLevel(into: number[], t: string, i: number): boolean {
  if (fieldLength(i) === 0 && fieldLength(i + 1) === 0) return true;
  const price = decimalField(t, i);
  const qty = decimalField(t, i + 1);
  if (!(price > 0) || !(qty >= 0) || !Number.isFinite(price) || !Number.isFinite(qty)) return false;
  if (qty > 0) into.push(price, qty);
  return true;
}

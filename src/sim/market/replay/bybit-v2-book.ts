import { ReplayDataError, countAnomaly } from './replay-message.ts';
import type { DecoderStats } from './replay-message.ts';
import { levelValue, valueProblem } from './level-value.ts';

type LevelId = number | string;

interface V2Level {
  id?: unknown;
  price?: unknown;
  side?: unknown;
  size?: unknown;
  symbol?: unknown;
}

/**
 * One symbol's Bybit v2 order book as level id → side and price, so that a delete or update resolves whatever
 * fields it carries. Each call appends the price/quantity changes to `bids` and `asks` (0 deletes).
 */
export interface V2LevelBook {
  /** Replaces the book with a snapshot's levels (`list`: the raw levels). */
  snapshot(list: unknown[], line: number, bids: number[], asks: number[]): void;
  /** Applies a delta's lists in Bybit's order: delete, update, insert. */
  delta(dels: unknown[], upds: unknown[], inss: unknown[], line: number, bids: number[], asks: number[]): void;
}

export function createV2LevelBook(symbol: string, stats: DecoderStats): V2LevelBook {
  /** Level id → price, signed by side: positive for a bid, negative for an ask (one Map, no per-level objects). */
  const levels = new Map<LevelId, number>();

  function snapshot(list: unknown[], line: number, bids: number[], asks: number[]): void {
    levels.clear();
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as V2Level | null;
      if (typeof l !== 'object' || l === null) throw badLevel(line, 'snapshot', i, l, 'full');
      if (l.symbol !== undefined && l.symbol !== symbol) {
        countAnomaly(stats, 'other_symbol', line);
        continue;
      }
      const id = levelId(l.id);
      const price = levelValue(l.price, true);
      const qty = levelValue(l.size, true);
      const bid = l.side === 'Buy' ? true : l.side === 'Sell' ? false : undefined;
      if (id === undefined || bid === undefined || !validPrice(price) || !validQty(qty)) throw badLevel(line, 'snapshot', i, l, 'full');
      if (qty === 0) continue; // an empty level in a snapshot is just not there
      levels.set(id, bid ? price : -price);
      if (bid) bids.push(price, qty);
      else asks.push(price, qty);
    }
  }

  function delta(dels: unknown[], upds: unknown[], inss: unknown[], line: number, bids: number[], asks: number[]): void {
    // Bybit applies a delta's lists in this order: delete, update, insert.
    for (let i = 0; i < dels.length; i++) {
      const l = dels[i] as V2Level | null;
      const id = typeof l === 'object' && l !== null ? levelId(l.id) : undefined;
      if (id === undefined) throw badLevel(line, 'delete', i, l, 'id');
      const signed = levels.get(id);
      if (signed === undefined) {
        countAnomaly(stats, 'unknown_level', line);
        continue;
      }
      levels.delete(id);
      if (signed > 0) bids.push(signed, 0);
      else asks.push(-signed, 0);
    }
    for (let i = 0; i < upds.length; i++) {
      const l = upds[i] as V2Level | null;
      const id = typeof l === 'object' && l !== null ? levelId(l.id) : undefined;
      const qty = id === undefined ? NaN : levelValue(l!.size, true);
      if (id === undefined || !validQty(qty)) throw badLevel(line, 'update', i, l, 'size');
      const signed = levels.get(id);
      if (signed === undefined) {
        countAnomaly(stats, 'unknown_level', line);
        // With its price and side it can still be set: the book converges on the exchange's.
        if (validPrice(levelValue(l!.price, true)) && (l!.side === 'Buy' || l!.side === 'Sell')) insert(l!, id, line, bids, asks, 'update', i);
        continue;
      }
      if (qty === 0) levels.delete(id);
      if (signed > 0) bids.push(signed, qty);
      else asks.push(-signed, qty);
    }
    for (let i = 0; i < inss.length; i++) {
      const l = inss[i] as V2Level | null;
      const id = typeof l === 'object' && l !== null ? levelId(l.id) : undefined;
      if (id === undefined) throw badLevel(line, 'insert', i, l, 'full');
      insert(l!, id, line, bids, asks, 'insert', i);
    }
  }

  /** Sets a level from its own price, side and size (an insert, or an update of an id not in the book). */
  function insert(l: V2Level, id: LevelId, line: number, bids: number[], asks: number[], list: string, index: number): void {
    const price = levelValue(l.price, true);
    const qty = levelValue(l.size, true);
    const bid = l.side === 'Buy' ? true : l.side === 'Sell' ? false : undefined;
    if (bid === undefined || !validPrice(price) || !validQty(qty)) throw badLevel(line, list, index, l, 'full');
    const old = levels.get(id);
    const signed = bid ? price : -price;
    // The same id at another price (never seen: Bybit derives ids from prices): clear the old level first.
    if (old !== undefined && old !== signed) {
      if (old > 0) bids.push(old, 0);
      else asks.push(-old, 0);
    }
    if (qty > 0) levels.set(id, signed);
    else levels.delete(id);
    if (bid) bids.push(price, qty);
    else asks.push(price, qty);
  }

  return { snapshot, delta };
}

/**
 * A level of our book that cannot be applied: an error at its own line (skipping it would leave a wrong
 * book, or surface later as something else on another line). `check` says which fields the list needs.
 */
function badLevel(line: number, list: string, index: number, l: V2Level | null, check: 'full' | 'id' | 'size'): ReplayDataError {
  const at = `${list} level ${index + 1}`;
  if (typeof l !== 'object' || l === null) return new ReplayDataError(line, `order book ${at} is not an object: ${JSON.stringify(l)}`);
  let problem: string | undefined;
  if (levelId(l.id) === undefined) problem = l.id === undefined ? `${at} has no id` : `${at} id ${JSON.stringify(l.id)} is not a level id`;
  else if (check === 'full' && l.side !== 'Buy' && l.side !== 'Sell') problem = l.side === undefined ? `${at} has no side` : `${at} side ${JSON.stringify(l.side)} is not "Buy" or "Sell"`;
  else if (check === 'full') problem = valueProblem(l.price, 'price', at, true, '') ?? valueProblem(l.size, 'quantity', at, true, '');
  else if (check === 'size') problem = valueProblem(l.size, 'quantity', at, true, '');
  return new ReplayDataError(line, `order book ${problem ?? `${at} is malformed: ${JSON.stringify(l)}`}`);
}

function levelId(v: unknown): LevelId | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.length > 0) return v;
  return undefined;
}

const validPrice = (p: number): boolean => p > 0 && Number.isFinite(p);
const validQty = (q: number): boolean => q >= 0 && Number.isFinite(q);

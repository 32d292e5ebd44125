/**
 * Reconciliation: compares the bot's view of its orders and position with the venue's answers to the
 * `open_orders` and `positions` queries and says what to do about each difference. Pure: no side
 * effects, no clock; the execution loop applies the plan.
 *
 * The answers are raw data (JSON off the wire): normally a mapping keyed by client id or symbol,
 * under a fault a list. Both are normalised with `ensureMapping` (lists keyed by `client_id` /
 * `symbol`), so the mapping and the list form of the same answer give the same plan.
 *
 * Entries (`RawOpenOrder`, `RawPosition`):
 * - An entry that names another symbol in its `symbol` field is ignored silently; so is a positions
 *   entry of the mapping form listed under another symbol's key without a usable `symbol` field.
 * - Any other entry must be a plain object with the right fields: `client_id` a non-empty string equal
 *   to its key in the mapping form, `symbol` the bot's symbol, `side` 'buy' | 'sell', `price_ticks` and
 *   `qty_lots` positive safe integers, `leaves_lots` a safe integer in [0, qty_lots]; a position has
 *   `symbol` (equal to its key in the mapping form) and `position_lots` a safe integer. One that fails
 *   is a `malformed_entry` and is otherwise ignored, except that a bot order it may describe is not
 *   judged missing: the one its `client_id` or its key in the mapping form names, or every bot order
 *   when it names none (a list item without a client id, a scalar answer). A malformed position entry
 *   (without a valid one beside it) leaves the position unjudged.
 * - The answers' forms: a mapping (object) keyed by id, a list, nothing (null or undefined: no entries,
 *   so a position of 0), or a scalar (one malformed entry).
 * - A list that names the same id twice: one `duplicate_entry` per extra item; the last item counts.
 * - An open order with `leaves_lots` 0 is not resting: it is treated as if the venue had not listed it.
 *
 * Orders (each client id is judged once):
 * - On the venue, unknown to the bot: `orphan_order`, cancel it.
 * - On the venue, `pending_new` on the bot (the ack was lost; also when the order was sent after the
 *   query, since the venue evidently had it): `unacked_order`, adopt it as open with the venue's leaves.
 * - On both, open or `pending_cancel` on the bot, the venue's leaves below the bot's: `leaves_mismatch`,
 *   take the venue's leaves (a fill the bot never heard of). Leaves only ever shrink, so venue leaves
 *   above the bot's mean the answer is older than a fill the bot already has: not a divergence.
 * - On the bot and not sent after the query, absent from the venue: `missing_order`, drop it (an open
 *   or `pending_cancel` order filled or was canceled unheard; a `pending_new` was lost or rejected
 *   unheard). An order (or cancel) sent after the query is never judged missing.
 * Position: the venue's position for the symbol (0 when it lists none); when it differs from the bot's,
 * `position_mismatch` and `positionLots` is the venue's.
 *
 * Order: divergences are sorted by kind (in `DIVERGENCE_KINDS` order), then client id (none first),
 * then detail; every plan list is sorted by client id. Strings compare by UTF-16 code units, never by
 * locale, so the plan does not depend on the order of the answer, its form, or the machine.
 * Bot orders must have distinct client ids (an `InvariantError` otherwise).
 */
import { InvariantError } from './errors.ts';
import { ensureMappingWithStats, isPlainObject, ownProperty } from './ensure-mapping.ts';
import type { Side } from './types.ts';

export const DIVERGENCE_KINDS = [
  'unacked_order',
  'orphan_order',
  'missing_order',
  'leaves_mismatch',
  'position_mismatch',
  'malformed_entry',
  'duplicate_entry',
] as const;
export type DivergenceKind = (typeof DIVERGENCE_KINDS)[number];

export interface Divergence {
  readonly kind: DivergenceKind;
  readonly clientId?: string;
  readonly detail: string;
}

/** One entry of the venue's `open_orders` answer, as it comes off the wire. */
export interface RawOpenOrder {
  readonly client_id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price_ticks: number;
  readonly qty_lots: number;
  readonly leaves_lots: number;
}

/** One entry of the venue's `positions` answer, as it comes off the wire. */
export interface RawPosition {
  readonly symbol: string;
  readonly position_lots: number;
}

export interface BotOrderView {
  readonly clientId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly leavesLots: number;
  readonly status: 'pending_new' | 'open' | 'pending_cancel';
  /** The bot sent this order (or its cancel) after it sent the query: the exchange could not have seen it yet. */
  readonly sentAfterQuery: boolean;
}

export interface ReconInput {
  readonly symbol: string;
  readonly orders: readonly BotOrderView[];
  readonly positionLots: number;
  /** The venue's answer to `open_orders` (raw). */
  readonly openOrders: unknown;
  /** The venue's answer to `positions` (raw). */
  readonly positions: unknown;
}

export interface ReconPlan {
  readonly divergences: readonly Divergence[];
  /** pending_new on the bot, resting on the exchange (its ack was lost): mark open with the exchange's leaves. */
  readonly adopt: readonly { readonly clientId: string; readonly leavesLots: number }[];
  /** On the exchange, unknown to the bot: cancel it. */
  readonly cancel: readonly { readonly clientId: string; readonly side: Side; readonly priceTicks: number; readonly leavesLots: number }[];
  /** The bot thinks it is live (not sent after the query), the exchange does not have it: forget it. */
  readonly drop: readonly string[];
  /** Live on both, the exchange has fewer leaves: take the exchange's. */
  readonly setLeaves: readonly { readonly clientId: string; readonly leavesLots: number }[];
  /** The exchange's position when it differs from the bot's, else undefined. */
  readonly positionLots: number | undefined;
}

interface VenueOrder {
  readonly clientId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly leavesLots: number;
}

/** A short, deterministic description of an unexpected value for a divergence's detail. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

const isSafeInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

type Parsed<T> = { readonly ok: T } | { readonly error: string } | 'foreign';

function parseOrder(key: string, entry: unknown, keyed: boolean, symbol: string): Parsed<VenueOrder> {
  if (!isPlainObject(entry)) return { error: `open order: expected an object, got ${describe(entry)}` };
  const sym = ownProperty(entry, 'symbol');
  if (typeof sym === 'string' && sym !== symbol) return 'foreign';
  if (typeof sym !== 'string') return { error: `open order: symbol: expected a string, got ${describe(sym)}` };
  const id = ownProperty(entry, 'client_id');
  if (typeof id !== 'string' || id === '') return { error: `open order: client_id: expected a non-empty string, got ${describe(id)}` };
  if (keyed && key !== id) return { error: `open order listed under key ${describe(key)} has client_id ${describe(id)}` };
  const side = ownProperty(entry, 'side');
  if (side !== 'buy' && side !== 'sell') return { error: `open order ${id}: side: expected "buy" or "sell", got ${describe(side)}` };
  const price = ownProperty(entry, 'price_ticks');
  if (!isSafeInt(price, 1)) return { error: `open order ${id}: price_ticks: expected a positive integer, got ${describe(price)}` };
  const qty = ownProperty(entry, 'qty_lots');
  if (!isSafeInt(qty, 1)) return { error: `open order ${id}: qty_lots: expected a positive integer, got ${describe(qty)}` };
  const leaves = ownProperty(entry, 'leaves_lots');
  if (!isSafeInt(leaves, 0) || leaves > qty) {
    return { error: `open order ${id}: leaves_lots: expected an integer in [0, ${qty}], got ${describe(leaves)}` };
  }
  return { ok: { clientId: id, side, priceTicks: price, leavesLots: leaves } };
}

function parsePosition(key: string, entry: unknown, keyed: boolean, symbol: string): Parsed<number> {
  const sym = isPlainObject(entry) ? ownProperty(entry, 'symbol') : undefined;
  if (key !== symbol && (typeof sym === 'string' ? sym !== symbol : keyed)) return 'foreign';
  if (!isPlainObject(entry)) return { error: `position: expected an object, got ${describe(entry)}` };
  if (sym !== symbol) return { error: `position: symbol: expected ${describe(symbol)}, got ${describe(sym)}` };
  if (keyed && key !== sym) return { error: `position listed under key ${describe(key)} has symbol ${describe(sym)}` };
  const lots = ownProperty(entry, 'position_lots');
  if (!isSafeInt(lots, Number.MIN_SAFE_INTEGER)) return { error: `position ${symbol}: position_lots: expected an integer, got ${describe(lots)}` };
  return { ok: lots };
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareDivergences(a: Divergence, b: Divergence): number {
  const byKind = DIVERGENCE_KINDS.indexOf(a.kind) - DIVERGENCE_KINDS.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  if (a.clientId !== b.clientId) {
    if (a.clientId === undefined) return -1;
    if (b.clientId === undefined) return 1;
    return compareStrings(a.clientId, b.clientId);
  }
  return compareStrings(a.detail, b.detail);
}

/** Compares the bot's view with the venue's answers; see the module comment for the rules. */
export function reconcile(input: ReconInput): ReconPlan {
  const { symbol } = input;
  const divergences: Divergence[] = [];
  const malformed = (detail: string, clientId?: string) =>
    divergences.push(clientId === undefined ? { kind: 'malformed_entry', detail } : { kind: 'malformed_entry', clientId, detail });

  const bot = new Map<string, BotOrderView>();
  for (const order of input.orders) {
    if (bot.has(order.clientId)) throw new InvariantError(`recon: the bot's view lists client id ${describe(order.clientId)} twice`);
    bot.set(order.clientId, order);
  }

  // The venue's open orders.
  const orders = ensureMappingWithStats(input.openOrders, 'client_id');
  const keyedOrders = orders.form === 'mapping';
  const venue = new Map<string, VenueOrder>();
  const unjudged = new Set<string>();
  let unattributed = false; // a malformed entry that names no client id: it could be any bot order
  for (const [key, entry] of orders.map) {
    const parsed = parseOrder(key, entry, keyedOrders, symbol);
    if (parsed === 'foreign') continue;
    if ('error' in parsed) {
      const id = isPlainObject(entry) ? ownProperty(entry, 'client_id') : undefined;
      if (typeof id === 'string') unjudged.add(id);
      if (keyedOrders) unjudged.add(key);
      if (typeof id !== 'string' && !keyedOrders) unattributed = true;
      malformed(parsed.error, typeof id === 'string' ? id : undefined);
    } else if (parsed.ok.leavesLots > 0) {
      venue.set(parsed.ok.clientId, parsed.ok);
    }
  }
  for (const dup of orders.duplicates) {
    const ours = [dup.previous, orders.map.get(dup.key)].some((e) => parseOrder(dup.key, e, false, symbol) !== 'foreign');
    if (ours) divergences.push({ kind: 'duplicate_entry', clientId: dup.key, detail: `open_orders lists client_id ${describe(dup.key)} more than once; the last one counts` });
  }

  const adopt: { clientId: string; leavesLots: number }[] = [];
  const cancel: { clientId: string; side: Side; priceTicks: number; leavesLots: number }[] = [];
  const setLeaves: { clientId: string; leavesLots: number }[] = [];
  const drop: string[] = [];
  for (const id of [...venue.keys()].sort(compareStrings)) {
    const ex = venue.get(id) as VenueOrder;
    const mine = bot.get(id);
    if (mine === undefined) {
      divergences.push({ kind: 'orphan_order', clientId: id, detail: `resting on the exchange (${ex.side} ${ex.leavesLots} lots at ${ex.priceTicks} ticks), unknown to the bot` });
      cancel.push({ clientId: id, side: ex.side, priceTicks: ex.priceTicks, leavesLots: ex.leavesLots });
    } else if (mine.status === 'pending_new') {
      divergences.push({ kind: 'unacked_order', clientId: id, detail: `pending_new on the bot, resting on the exchange with ${ex.leavesLots} lots: its ack was lost` });
      adopt.push({ clientId: id, leavesLots: ex.leavesLots });
    } else if (ex.leavesLots < mine.leavesLots) {
      divergences.push({ kind: 'leaves_mismatch', clientId: id, detail: `the exchange has ${ex.leavesLots} lots left, the bot ${mine.leavesLots}: a fill was never heard of` });
      setLeaves.push({ clientId: id, leavesLots: ex.leavesLots });
    }
  }
  for (const id of [...bot.keys()].sort(compareStrings)) {
    const mine = bot.get(id) as BotOrderView;
    if (unattributed || venue.has(id) || unjudged.has(id) || mine.sentAfterQuery) continue;
    const why = mine.status === 'pending_new' ? 'its place was lost or rejected unheard' : 'it filled or was canceled unheard';
    divergences.push({ kind: 'missing_order', clientId: id, detail: `${mine.status} on the bot, not on the exchange: ${why}` });
    drop.push(id);
  }

  // The venue's position.
  const positions = ensureMappingWithStats(input.positions, 'symbol');
  let venueLots: number | undefined;
  let positionMalformed = false;
  for (const [key, entry] of positions.map) {
    const parsed = parsePosition(key, entry, positions.form === 'mapping', symbol);
    if (parsed === 'foreign') continue;
    if ('error' in parsed) {
      positionMalformed = true;
      malformed(parsed.error);
    } else venueLots = parsed.ok;
  }
  for (const dup of positions.duplicates) {
    const ours = [dup.previous, positions.map.get(dup.key)].some((e) => parsePosition(dup.key, e, false, symbol) !== 'foreign');
    if (ours) divergences.push({ kind: 'duplicate_entry', detail: `positions lists symbol ${describe(dup.key)} more than once; the last one counts` });
  }
  if (venueLots === undefined && !positionMalformed) venueLots = 0;
  let positionLots: number | undefined;
  if (venueLots !== undefined && venueLots !== input.positionLots) {
    divergences.push({ kind: 'position_mismatch', detail: `${symbol}: the exchange has a position of ${venueLots} lots, the bot ${input.positionLots}` });
    positionLots = venueLots;
  }

  divergences.sort(compareDivergences);
  return { divergences, adopt, cancel, drop, setLeaves, positionLots };
}

/** Divergences counted by kind: every kind present (0 when none), keys in `DIVERGENCE_KINDS` order. */
export function countByKind(divergences: readonly Divergence[]): Record<DivergenceKind, number> {
  const counts = Object.fromEntries(DIVERGENCE_KINDS.map((k) => [k, 0])) as Record<DivergenceKind, number>;
  for (const d of divergences) counts[d.kind] += 1;
  return counts;
}

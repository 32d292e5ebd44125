import { InputError } from '../../../core/errors.ts';
import { OrderBook } from '../../exchange/order-book.ts';
import { openReplaySource } from '../replay/replay-source.ts';
import type { ReplayFormat } from '../replay/replay-formats.ts';
import type { ReplayMessage } from '../replay/replay-message.ts';
import { fitHawkes, fitInsideRates } from './fits.ts';
import { TapeRecorder, quantile } from './tape-facts.ts';
import type { TapeFacts } from './tape-facts.ts';

export { fitHawkes, fitInsideRates, hawkesDispersion } from './fits.ts';

/**
 * Fits the order-flow generator's parameters (docs/market-model.md) to a recording, by the method of
 * moments: the Hawkes branching ratio and decay from the dispersion curve of print counts, sign memory from
 * the sign autocorrelation at lags 1 and 20, the size mix from the size quantiles and a Hill estimate,
 * limit-order and cancellation flow from the book's level changes near the touch.
 */

export interface CalibrateOptions {
  readonly format: ReplayFormat;
  readonly paths: readonly string[];
  readonly symbol: string;
  /** Price and quantity steps; inferred from the recording when not given (see `inferSteps`). */
  readonly tickSize?: number;
  readonly lotSize?: number;
  /** Ticks a side the fitted limit flow covers. */
  readonly levels?: number;
}

export interface Fitted {
  readonly tickSize: number;
  readonly lotSize: number;
  readonly initialMid: number;
  readonly spreadTicks: number;
  readonly levels: number;
  readonly depthLots: number;
  readonly market: { rate: number; median: number; sigma: number; tailShare: number; tailMin: number; tailExponent: number; follow: number; flipProb: number };
  readonly limit: { rate: number; size: number; touchShare: number; depthDecayTicks: number; improveProb: number; insideRatePerS: number; insideRatePerTickS: number };
  /** The requote (docs/market-model.md): how fast a wide spread closes, from which side, with how much. */
  readonly requote: { rate: number; follow: number; size: number; moveShare: number };
  readonly cancelRate: number;
  /** Cancellation rate of the lots at the touch, per lot and second (`cancelRate` is the rest's). */
  readonly touchCancelRate: number;
  readonly hawkes: { decay: number; marketMarket: number; limitLimit: number };
  /** What each parameter was fitted from. */
  readonly facts: TapeFacts;
  /** The 99th percentile of the ticks a taker order's prints span (what `levels` is fitted to). */
  readonly reachP99: number;
  /** What the decoders did not use in the pass the fit is made from. */
  readonly unused: readonly UnusedLines[];
  readonly flow: { addEvents: number; addLots: number; cancelLots: number; touchCancelLots: number; meanWindowLots: number; meanTouchLots: number; meanAddDistance: number; improveShare: number; insideAdds: number; excessTickSeconds: number; limitDispersion1s: number; widenings: number; instantCloses: number; wideSeconds: number; closures: number; requoteMovedLots: number };
}

/** `levels` at least this many ticks and at most this many (the schema's limit). */
const MIN_LEVELS = 10;
const MAX_LEVELS = 1000;

/** Lines or messages of a file the decoder did not use, by reason (replay-message.ts `anomalies`). */
export interface UnusedLines {
  readonly file: string;
  readonly kind: string;
  readonly count: number;
  readonly firstLine: number;
}

/** Runs `f` on every message; returns what the decoders left unused, so that nothing is skipped silently. */
async function forEachMessage(o: CalibrateOptions, f: (m: ReplayMessage) => void): Promise<UnusedLines[]> {
  const source = openReplaySource(o.format, o.paths, o.symbol);
  try {
    for (let batch = await source.next(); batch; batch = await source.next()) for (const m of batch) f(m);
  } finally {
    await source.close();
  }
  return source.files.flatMap(({ path, stats }) =>
    Object.entries(stats.anomalies).map(([kind, a]) => ({ file: path, kind, count: a.count, firstLine: a.first_line })),
  );
}

/** Decimal places of a number as the recording wrote it (at most 12). */
function decimals(x: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) < 1e-6) return d;
  return 12;
}

/**
 * Steps not given are inferred: the tick as the smallest positive spread between the best bid and ask
 * of the book, the lot as the smallest positive quantity traded or displayed, each rounded to the most
 * decimals the recording's values carry.
 */
async function inferSteps(o: CalibrateOptions): Promise<{ tick: number; lot: number }> {
  let priceDec = 0;
  let qtyDec = 0;
  let minQty = Infinity;
  const book = new OrderBook();
  let minSpread = Infinity;
  await forEachMessage(o, (m) => {
    if (m.kind === 'trade') {
      qtyDec = Math.max(qtyDec, decimals(m.qty));
      priceDec = Math.max(priceDec, decimals(m.price));
      if (m.qty > 0) minQty = Math.min(minQty, m.qty);
    } else if (m.kind === 'book') {
      if (m.snapshot) {
        book.bids.clear();
        book.asks.clear();
      }
      for (const [levels, side] of [[m.bids, book.bids], [m.asks, book.asks]] as const) {
        for (let i = 0; i < levels.length; i += 2) {
          const p = levels[i]!;
          const q = levels[i + 1]!;
          priceDec = Math.max(priceDec, decimals(p));
          qtyDec = Math.max(qtyDec, decimals(q));
          if (q > 0) minQty = Math.min(minQty, q);
          side.set(Math.round(p * 1e8), q);
        }
      }
      const b = book.bestBid();
      const a = book.bestAsk();
      if (b !== undefined && a !== undefined && a > b) minSpread = Math.min(minSpread, a - b);
    }
  });
  if (!Number.isFinite(minQty)) throw new InputError(`${o.paths.join(', ')}: no trade or book level for symbol ${o.symbol} (format ${o.format}): nothing to calibrate from`);
  const round = (x: number, d: number): number => Number(x.toFixed(d));
  const tick = Number.isFinite(minSpread) ? round(minSpread / 1e8, priceDec) : 10 ** -priceDec;
  return { tick: tick > 0 ? tick : 10 ** -priceDec, lot: round(minQty, qtyDec) };
}

function excessSeconds(m: ReadonlyMap<number, number>): number {
  let t = 0;
  for (const v of m.values()) t += v;
  return t;
}

/** Requotes at most this often (per second): a recording whose spread never stays wide gives no rate of its own. */
export const MAX_REQUOTE_RATE_PER_S = 1000;

/**
 * The requote's statistics, book message by book message. A spread that widens from one tick is a touch
 * depleted (its side "moved"); it closes when the spread is one tick again. A message that moves the
 * mid and leaves the spread at one tick widened and closed the spread at once (a diff stream batches the
 * sweep and the requote): a closure after zero time. At a closure, `follow` is the share of the gap the
 * side that did not move closed, and `size` the quantity of the level that closed it.
 */
export class Closings {
  widenings = 0;
  instant = 0;
  closures = 0;
  followSum = 0;
  /** The closing levels' quantity, and what left the closing side's `levels` ticks from its former best. */
  sizeSum = 0;
  movedSum = 0;
  /** Of `movedSum`, the lots that left the former best itself. */
  movedTouchSum = 0;
  windowSum = 0;
  /** The open spread: the side that moved, and the bests just after it widened. */
  private open: { moved: 0 | 1; bid: number; ask: number } | undefined;
  /** Each side's lots within `levels` ticks of its best before the message. */
  private readonly window = [0, 0];
  private readonly touch = [0, 0];

  constructor(private readonly levels: number) {}

  reset(): void {
    this.open = undefined;
  }

  private sum(book: OrderBook, s: 0 | 1, from: number): number {
    const side = s === 0 ? book.bids : book.asks;
    const dir = s === 0 ? -1 : 1;
    let q = 0;
    for (let k = 0; k < this.levels; k++) q += side.qtyAt(from + dir * k);
    return q;
  }

  /** Before a message: the windows the message may take a requote's lots from (only near a one-tick spread matters). */
  before(book: OrderBook, bid0: number, ask0: number): void {
    this.window[0] = this.sum(book, 0, bid0);
    this.window[1] = this.sum(book, 1, ask0);
    this.touch[0] = book.bids.qtyAt(bid0);
    this.touch[1] = book.asks.qtyAt(ask0);
  }

  /** A closure by side `s` (0 bid, 1 ask) whose former best was `from`: the new level and what left the window. */
  private closedBy(book: OrderBook, s: 0 | 1, from: number, follow: number): void {
    const best = s === 0 ? book.bestBid()! : book.bestAsk()!;
    const left = Math.max(0, this.window[s]! - this.sum(book, s, from));
    const leftTouch = Math.min(left, Math.max(0, this.touch[s]! - (s === 0 ? book.bids : book.asks).qtyAt(from)));
    this.movedTouchSum += leftTouch;
    this.closures++;
    this.followSum += follow;
    this.sizeSum += (s === 0 ? book.bids : book.asks).qtyAt(best);
    this.movedSum += left;
    this.windowSum += this.window[s]!;
  }

  /** After the message took the book from (bid0, ask0) to (bid, ask); true when it closed a spread. */
  update(book: OrderBook, bid0: number, ask0: number, bid: number, ask: number): boolean {
    const wasOne = ask0 - bid0 === 1;
    const isOne = ask - bid === 1;
    if (wasOne && !isOne) {
      // The side that moved away the farther (a depleted touch).
      const moved = bid0 - bid >= ask - ask0 ? 0 : 1;
      this.widenings++;
      this.open = { moved, bid, ask };
      return false;
    }
    if (wasOne && isOne) {
      if (bid === bid0) return false;
      // Moved and closed in one message: the side opposite the move followed it (its new level closed the gap).
      this.widenings++;
      this.instant++;
      if (bid < bid0) this.closedBy(book, 1, ask0, 1);
      else this.closedBy(book, 0, bid0, 1);
      return true;
    }
    if (!wasOne && isOne) {
      const o = this.open;
      this.open = undefined;
      if (o === undefined) return false;
      const bidUp = Math.max(0, bid - o.bid);
      const askDown = Math.max(0, o.ask - ask);
      const total = bidUp + askDown;
      if (total <= 0) return false;
      const follow = (o.moved === 0 ? askDown : bidUp) / total;
      // The closing level: the side that closed more of the gap.
      const s: 0 | 1 = bidUp >= askDown ? 0 : 1;
      this.closedBy(book, s, s === 0 ? bid0 : ask0, follow);
      return true;
    }
    return false;
  }

  /**
   * Rate: closures per second of wide spread (capped). Follow: the mean share of the gap closed by the
   * side that did not move. Move share: the lots that left the closing side within `levels` ticks of its
   * former best over the lots there; size: the closing level's mean quantity less those moved lots.
   */
  fit(wideSeconds: number): { rate: number; follow: number; size: number; moveShare: number } {
    if (this.closures === 0) return { rate: 0, follow: 1, size: 1, moveShare: 0 };
    return {
      rate: Math.min(MAX_REQUOTE_RATE_PER_S, wideSeconds > 0 ? this.closures / wideSeconds : MAX_REQUOTE_RATE_PER_S),
      follow: this.followSum / this.closures,
      size: Math.max(1, (this.sizeSum - this.movedSum) / this.closures),
      moveShare: this.windowSum > 0 ? Math.min(1, this.movedSum / this.windowSum) : 0,
    };
  }
}

/**
 * How far the recording's taker orders walk the book: the 99th percentile, over taker orders (consecutive
 * prints at one exchange time on one side), of the ticks between their first and last print. The
 * generator's book within `levels` ticks must hold such an order, so `levels` is fitted to it.
 */
async function takerReach(o: CalibrateOptions, tick: number): Promise<number> {
  const reach: number[] = [];
  let t = -1;
  let side = '';
  let first = 0;
  let last = 0;
  await forEachMessage(o, (m) => {
    if (m.kind !== 'trade') return;
    const p = Math.round(m.price / tick);
    if (m.exchangeUs === t && m.aggressor === side) {
      last = p;
      return;
    }
    if (t >= 0) reach.push(Math.abs(last - first));
    t = m.exchangeUs;
    side = m.aggressor;
    first = p;
    last = p;
  });
  if (t >= 0) reach.push(Math.abs(last - first));
  return quantile(Float64Array.from(reach).sort(), 0.99);
}

export async function calibrate(o: CalibrateOptions): Promise<Fitted> {
  const steps = o.tickSize !== undefined && o.lotSize !== undefined ? { tick: o.tickSize, lot: o.lotSize } : await inferSteps(o);
  const tick = o.tickSize ?? steps.tick;
  const lot = o.lotSize ?? steps.lot;
  const reachP99 = await takerReach(o, tick);
  const L = o.levels ?? Math.min(MAX_LEVELS, Math.max(MIN_LEVELS, Math.ceil(reachP99)));
  const book = new OrderBook();
  const tape = new TapeRecorder();
  const limits = new TapeRecorder();
  let firstMid: number | undefined;
  let addEvents = 0;
  let addLots = 0;
  let addDistance = 0;
  let addsAtTouch = 0;
  let addsBehind = 0;
  let addsWhileWide = 0;
  let addsInside = 0;
  let decreaseLots = 0;
  let touchDecreaseLots = 0;
  let touchSum = 0;
  // Lots printed at each price since the last book message: the decreases they explain.
  const printed = new Map<number, number>();
  let windowSum = 0;
  let windowSamples = 0;
  let nextWindowUs = -1;
  let firstUs: number | undefined;
  let lastUs = 0;
  // Time at each excess spread k = spread - 1 tick (k > 0), and the limit orders placed inside it there.
  const wideSeconds = new Map<number, number>();
  const wideAdds = new Map<number, number>();
  let excessTickSeconds = 0;
  let lastBookUs: number | undefined;
  let lastExcess = 0;
  // The requote: spreads that widen from one tick (a touch depleted), how they close and with what.
  const closing = new Closings(L);
  const unused = await forEachMessage(o, (m) => {
    const t = m.exchangeUs;
    firstUs ??= t;
    lastUs = Math.max(lastUs, t);
    if (m.kind === 'trade') {
      const q = Math.round(m.qty / lot);
      if (q <= 0) return;
      tape.trade(t, m.aggressor === 'buy' ? 1 : -1, q);
      const p = Math.round(m.price / tick);
      printed.set(p, (printed.get(p) ?? 0) + q);
      return;
    }
    if (m.kind !== 'book') return;
    if (m.snapshot) {
      book.bids.clear();
      book.asks.clear();
    }
    const bid0 = book.bestBid();
    const ask0 = book.bestAsk();
    const synced = !m.snapshot && bid0 !== undefined && ask0 !== undefined && ask0 > bid0;
    if (synced) closing.before(book, bid0, ask0);
    for (const [levels, isBid] of [[m.bids, true], [m.asks, false]] as const) {
      const side = isBid ? book.bids : book.asks;
      for (let i = 0; i < levels.length; i += 2) {
        const p = Math.round(levels[i]! / tick);
        const q = Math.round(levels[i + 1]! / lot);
        if (synced) {
          const delta = q - side.qtyAt(p);
          const k = isBid ? bid0 - p : p - ask0;
          const inside = p > bid0 && p < ask0;
          if (delta > 0 && (inside || (k >= 0 && k < L))) {
            addEvents++;
            addLots += delta;
            limits.trade(t, 1, delta);
            if (ask0 - bid0 > 1) {
              addsWhileWide++;
              if (inside) {
                addsInside++;
                wideAdds.set(ask0 - bid0 - 1, (wideAdds.get(ask0 - bid0 - 1) ?? 0) + 1);
              }
            }
            if (!inside) {
              if (k === 0) addsAtTouch++;
              else {
                addDistance += k - 1;
                addsBehind++;
              }
            }
          } else if (delta < 0 && k >= 0 && k < L) {
            // A decrease is a cancellation but for what printed at that price since the last message.
            const unprinted = -delta - Math.min(-delta, printed.get(p) ?? 0);
            decreaseLots += unprinted;
            if (k === 0) touchDecreaseLots += unprinted;
          }
        }
        side.set(p, q);
      }
    }
    printed.clear();
    const b = book.bestBid();
    const a = book.bestAsk();
    if (synced && b !== undefined && a !== undefined && a > b) {
      const closed = closing.update(book, bid0, ask0, b, a);
      // The order that closed the spread is the requote's, not the inside flow's.
      const k = ask0 - bid0 - 1;
      if (closed && k > 0 && (wideAdds.get(k) ?? 0) > 0) wideAdds.set(k, wideAdds.get(k)! - 1);
    } else closing.reset();
    if (lastBookUs !== undefined && t > lastBookUs && lastExcess > 0) {
      const dt = (t - lastBookUs) / 1e6;
      excessTickSeconds += lastExcess * dt;
      wideSeconds.set(lastExcess, (wideSeconds.get(lastExcess) ?? 0) + dt);
    }
    lastBookUs = t;
    lastExcess = b !== undefined && a !== undefined && a > b ? a - b - 1 : 0;
    tape.book(t, b, a, b === undefined ? 0 : book.bids.qtyAt(b), a === undefined ? 0 : book.asks.qtyAt(a));
    if (b !== undefined && a !== undefined && a > b) {
      firstMid ??= ((a + b) / 2) * tick;
      if (t >= nextWindowUs) {
        nextWindowUs = t + 1_000_000;
        for (let k = 0; k < L; k++) windowSum += book.bids.qtyAt(b - k) + book.asks.qtyAt(a + k);
        touchSum += book.bids.qtyAt(b) + book.asks.qtyAt(a);
        windowSamples++;
      }
    }
  });
  const facts = tape.facts();
  if (facts.prints < 10 || firstMid === undefined) {
    throw new InputError(`${o.paths.join(', ')}: ${facts.prints} trades and ${firstMid === undefined ? 'no synced book' : 'a book'} for ${o.symbol}: too little to calibrate from (at least 10 trades and a book)`);
  }
  const seconds = Math.max(1, (lastUs - firstUs!) / 1e6);
  const inside = fitInsideRates(wideSeconds, wideAdds);
  const mk = fitHawkes(facts.dispersion);
  const limitFacts = limits.facts();
  const lk = fitHawkes(limitFacts.dispersion, mk.beta);
  const meanWindowLots = windowSamples > 0 ? windowSum / windowSamples : 0;
  // Decreases near the touch not explained by prints are cancellations.
  // The lots the requotes moved (closing.movedSum, of which movedTouchSum from a touch) are not cancellations.
  const cancelLots = Math.max(0, decreaseLots - closing.movedSum);
  const touchCancelLots = Math.max(0, touchDecreaseLots - closing.movedTouchSum);
  const meanTouchLots = windowSamples > 0 ? touchSum / windowSamples : 0;
  const behindLots = meanWindowLots - meanTouchLots;
  const meanAddDistance = addsBehind > 0 ? addDistance / addsBehind : 1;
  const s = facts.size;
  const c1 = facts.signAcf.lag1;
  const c20 = facts.signAcf.lag20;
  // acf(k) = follow² r^k with r = 1 - 2 flip_prob: lags 1 and 20 give r and follow.
  const r = c1 > 0 && c20 > 0 && c20 < c1 ? (c20 / c1) ** (1 / 19) : 1e-9;
  const follow = c1 > 0 ? Math.min(1, Math.sqrt(c1 / r)) : 0;
  return {
    tickSize: tick,
    lotSize: lot,
    initialMid: firstMid,
    spreadTicks: Math.max(1, Math.round(facts.spreadMeanTicks)),
    // A scenario's book must fit ten times below its mid (scenario-checks.ts): fewer levels for a price
    // of few ticks.
    levels: Math.max(1, Math.min(L, Math.floor(firstMid / tick / 10) - Math.max(1, Math.round(facts.spreadMeanTicks)))),
    // Whole lots: the book holds whole lots only.
    depthLots: Math.max(1, Math.round(meanWindowLots / (2 * L))),
    market: {
      rate: facts.prints / seconds,
      median: Math.max(1, s.p50),
      sigma: s.p25 > 0 ? Math.log(s.p75 / s.p25) / 1.349 : 1,
      tailShare: 0.05,
      tailMin: Math.max(1, s.p95),
      tailExponent: Math.min(100, Math.max(1.05, facts.tailExponent)),
      follow,
      flipProb: Math.min(0.5, (1 - r) / 2),
    },
    limit: {
      // The adds inside a wide spread are the inside flow's (below), fitted apart from the Hawkes flow.
      rate: (addEvents - addsInside) / seconds,
      size: addEvents > 0 ? addLots / addEvents : 1,
      // The mean of a geometric distance with P(k) ∝ e^(-k/d) is 1 / (e^(1/d) - 1).
      touchShare: addsAtTouch + addsBehind > 0 ? addsAtTouch / (addsAtTouch + addsBehind) : 0,
      // Behind the touch the distance k - 1 is geometric with P ∝ e^(-(k-1)/d), whose mean is 1 / (e^(1/d) - 1).
      depthDecayTicks: meanAddDistance > 0 ? 1 / Math.log(1 + 1 / meanAddDistance) : 0.1,
      improveProb: 0,
      insideRatePerS: inside.perS,
      insideRatePerTickS: inside.perTickS,
    },
    requote: closing.fit(excessSeconds(wideSeconds)),
    cancelRate: behindLots > 0 ? (cancelLots - touchCancelLots) / seconds / behindLots : 0,
    touchCancelRate: meanTouchLots > 0 ? touchCancelLots / seconds / meanTouchLots : 0,
    reachP99,
    hawkes: { decay: mk.beta, marketMarket: mk.n, limitLimit: lk.n },
    facts,
    unused,
    flow: {
      addEvents,
      addLots,
      cancelLots,
      touchCancelLots,
      meanWindowLots,
      meanTouchLots,
      meanAddDistance,
      improveShare: addsWhileWide > 0 ? addsInside / addsWhileWide : 0,
      insideAdds: addsInside,
      excessTickSeconds,
      limitDispersion1s: limitFacts.dispersion[3]!,
      widenings: closing.widenings,
      instantCloses: closing.instant,
      wideSeconds: excessSeconds(wideSeconds),
      closures: closing.closures,
      requoteMovedLots: closing.movedSum,
    },
  };
}

import { InputError } from '../../../core/errors.ts';
import { OrderBook } from '../../exchange/order-book.ts';
import { openReplaySource } from '../replay/replay-source.ts';
import type { ReplayFormat } from '../replay/replay-formats.ts';
import type { ReplayMessage } from '../replay/replay-message.ts';
import { fitHawkes, fitInsideRates } from './fits.ts';
import { TapeRecorder } from './tape-facts.ts';
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
  readonly cancelRate: number;
  /** Cancellation rate of the lots at the touch, per lot and second (`cancelRate` is the rest's). */
  readonly touchCancelRate: number;
  readonly hawkes: { decay: number; marketMarket: number; limitLimit: number };
  /** What each parameter was fitted from. */
  readonly facts: TapeFacts;
  readonly flow: { addEvents: number; addLots: number; cancelLots: number; touchCancelLots: number; meanWindowLots: number; meanTouchLots: number; meanAddDistance: number; improveShare: number; insideAdds: number; excessTickSeconds: number; limitDispersion1s: number };
}

const DEFAULT_LEVELS = 50;

async function forEachMessage(o: CalibrateOptions, f: (m: ReplayMessage) => void): Promise<void> {
  const source = openReplaySource(o.format, o.paths, o.symbol);
  try {
    for (let batch = await source.next(); batch; batch = await source.next()) for (const m of batch) f(m);
  } finally {
    await source.close();
  }
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

export async function calibrate(o: CalibrateOptions): Promise<Fitted> {
  const steps = o.tickSize !== undefined && o.lotSize !== undefined ? { tick: o.tickSize, lot: o.lotSize } : await inferSteps(o);
  const tick = o.tickSize ?? steps.tick;
  const lot = o.lotSize ?? steps.lot;
  const L = o.levels ?? DEFAULT_LEVELS;
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
  let tradedLots = 0;
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
  await forEachMessage(o, (m) => {
    const t = m.exchangeUs;
    firstUs ??= t;
    lastUs = Math.max(lastUs, t);
    if (m.kind === 'trade') {
      const q = Math.round(m.qty / lot);
      if (q <= 0) return;
      tape.trade(t, m.aggressor === 'buy' ? 1 : -1, q);
      tradedLots += q;
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
            decreaseLots -= delta;
            if (k === 0) touchDecreaseLots -= delta;
          }
        }
        side.set(p, q);
      }
    }
    const b = book.bestBid();
    const a = book.bestAsk();
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
  const cancelLots = Math.max(0, decreaseLots - tradedLots);
  // Prints take from the touch first: what they leave of the touch's decreases are its cancellations.
  const touchCancelLots = Math.max(0, touchDecreaseLots - tradedLots);
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
    depthLots: Math.max(1, meanWindowLots / (2 * L)),
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
    cancelRate: behindLots > 0 ? (cancelLots - touchCancelLots) / seconds / behindLots : 0,
    touchCancelRate: meanTouchLots > 0 ? touchCancelLots / seconds / meanTouchLots : 0,
    hawkes: { decay: mk.beta, marketMarket: mk.n, limitLimit: lk.n },
    facts,
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
    },
  };
}

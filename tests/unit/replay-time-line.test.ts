// The replay's time line (time-line.ts): every stream merged by (exchange time, precedence, update id), with a
// bounded reorder window. Checked against an independent sort, on the real Binance recording and by hand.
import { describe, expect, it } from 'vitest';
import type { ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { openReplaySource } from '../../src/sim/market/replay/replay-source.ts';
import { DEFAULT_REORDER_WINDOW_US, PRECEDENCE, TimeLine } from '../../src/sim/market/replay/time-line.ts';
import { sharedData } from '../support/shared-data.ts';

interface Out {
  m: ReplayMessage;
  at: number;
}

/** Runs messages through a TimeLine as ReplayMarket does: push each, take what is ready, flush at the end. */
function merge(msgs: readonly ReplayMessage[], windowUs: number): Out[] {
  const line = new TimeLine(windowUs);
  const out: Out[] = [];
  let maxBuffered = 0;
  for (const m of msgs) {
    line.push(m);
    maxBuffered = Math.max(maxBuffered, line.buffered);
    for (let r = line.next(false); r; r = line.next(false)) out.push({ m: r, at: line.outTime });
  }
  for (let r = line.next(true); r; r = line.next(true)) out.push({ m: r, at: line.outTime });
  return Object.assign(out, { maxBuffered });
}

/** The reference: a stable sort of every line by (exchange time, stream precedence, update id). */
function sorted(msgs: readonly ReplayMessage[]): ReplayMessage[] {
  return msgs
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.exchangeUs - b.m.exchangeUs || PRECEDENCE[a.m.kind] - PRECEDENCE[b.m.kind] || (a.m.seq ?? 0) - (b.m.seq ?? 0) || a.i - b.i)
    .map((x) => x.m);
}

const T0 = 1_723_161_256_000_000;
const msg = (kind: ReplayMessage['kind'], line: number, ms: number, seq?: number): ReplayMessage => {
  const base = { exchangeUs: T0 + ms * 1000, localUs: undefined, line, seq };
  if (kind === 'book') return { kind, snapshot: false, bids: [], asks: [], ...base };
  if (kind === 'trade') return { kind, aggressor: 'buy', price: 1, qty: 1, ...base };
  return { kind, bidPrice: 1, bidQty: 1, askPrice: 2, askQty: 1, ...base };
};

describe('the time line on the real Binance USD-M recording', () => {
  it('is non-decreasing and equals the sort of all lines by (exchange time, precedence, update id): no line is beyond the window', async () => {
    const source = openReplaySource('binance_usdm', [sharedData('binance-usdm-btcusdt-20240808.gz')], 'BTCUSDT');
    const all: ReplayMessage[] = [];
    for (let b = await source.next(); b; b = await source.next()) all.push(...b);
    expect(all.length).toBeGreaterThan(90_000);
    const out = merge(all, DEFAULT_REORDER_WINDOW_US) as Out[] & { maxBuffered: number };
    expect(out.length).toBe(all.length);
    for (let i = 1; i < out.length; i++) if (out[i]!.at < out[i - 1]!.at) throw new Error(`time goes back at ${i} (line ${out[i]!.m.line})`);
    // The decoder's book stream is already monotone here (nothing is held), so the merge is exactly the sort.
    const ref = sorted(all);
    const firstDiff = out.findIndex((o, i) => o.m !== ref[i]);
    expect(firstDiff).toBe(-1);
    // The file interleaves streams: the merge really reorders (trades read after the diff containing them).
    const moved = out.filter((o, i) => o.m !== all[i]).length;
    expect(moved).toBeGreaterThan(1000);
    // Memory: the buffer holds one window of lines, not the file.
    expect(out.maxBuffered).toBeLessThan(5_000);
  });
});

describe('the time line on hand-written lines', () => {
  // Read order; times in ms. Lines 4 and 5 are late within a 10 ms window; line 8 is 25 ms late (beyond it).
  const lines: ReplayMessage[] = [
    msg('book', 1, 0, 100),
    msg('ticker', 2, 1, 101),
    msg('book', 3, 5, 105),
    msg('trade', 4, 5, 7), // same time as the diff read before it: the trade runs first
    msg('ticker', 5, 2, 102), // 3 ms late: put back before line 3
    msg('trade', 6, 30, 8),
    msg('book', 7, 40, 110),
    msg('trade', 8, 5, 6), // 35 ms late against line 7, 25 ms behind line 6 released earlier: clamped
    msg('ticker', 9, 40, 109), // ties with line 7 by time: ticker after book
    msg('trade', 10, 40, 9),
  ];

  it('inside the window: the order of a sort by (time, trade < book < ticker, update id)', () => {
    const out = merge(lines, 100_000); // a window larger than any lateness: everything in order
    expect(out.map((o) => o.m.line)).toEqual(sorted(lines).map((m) => m.line));
    expect(out.map((o) => o.m.line)).toEqual([1, 2, 5, 8, 4, 3, 6, 10, 7, 9]);
  });

  it('beyond the window: a line is released after a later-stamped one (the market clamps it); the rest stays sorted', () => {
    const line = new TimeLine(10_000);
    const order: number[] = [];
    for (const m of lines) {
      line.push(m);
      for (let r = line.next(false); r; r = line.next(false)) order.push(r.line);
    }
    for (let r = line.next(true); r; r = line.next(true)) order.push(r.line);
    // Line 8 (5 ms) is read once line 6 (30 ms) is already out: it comes next, behind it; everything else is sorted.
    expect(order).toEqual([1, 2, 5, 4, 3, 6, 8, 10, 7, 9]);
    const without8 = order.filter((l) => l !== 8);
    expect(without8).toEqual(sorted(lines.filter((m) => m.line !== 8)).map((m) => m.line));
    // Read after a later-stamped line: 5 (2 ms after 5 ms) and 8 (5 ms after 40 ms); 4 and 9 only tie.
    expect(line.stats.time_reordered).toBe(2);
  });

  it('never reorders book messages among themselves: a book stamped before the previous one is held at its time', () => {
    const out = merge([msg('book', 1, 10, 1), msg('book', 2, 5, 2), msg('trade', 3, 7)], 100_000);
    expect(out.map((o) => [o.m.line, o.at])).toEqual([
      [3, T0 + 7000],
      [1, T0 + 10_000],
      [2, T0 + 10_000],
    ]);
  });
});

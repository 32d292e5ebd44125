// A user strategy written outside src/ that reads the deep feed and public trades and sends taker
// orders, run through the CLI: its fills are taker fills with taker fees, slippage is booked, and the
// P&L identity holds in report.json.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mmsim } from '../support/cli.ts';
import { strategyScenario } from '../support/strategy-scenario.ts';

const TAKER = `
import type { Strategy } from 'mmsim';
// Every 2 s: take two lots in the direction of the last public print, IOC, up to 3 ticks through the
// touch. It fails loudly (exit 1) if the feed lacks what the scenario asked for: the depth, or prints.
export default function (params: { depth: number }): Strategy {
  let lastSide: 'buy' | 'sell' | undefined;
  let prints = 0;
  let fullDepth = 0;
  return {
    onStart: (ctx) => ctx.setTimer('take', 2_000_000),
    onTrade: (_ctx, trade) => { lastSide = trade.side; prints++; },
    onTimer: (ctx) => {
      ctx.setTimer('take', 2_000_000);
      const book = ctx.book();
      if (!book || lastSide === undefined) return;
      // At most the levels asked for; fewer only when the market has fewer within the book (a swept side).
      if (book.bids.length > params.depth || book.asks.length > params.depth || book.bids.length === 0 || book.asks.length === 0) throw new Error('depth ' + book.bids.length + '/' + book.asks.length);
      if (book.bids.length === params.depth && book.asks.length === params.depth) fullDepth++;
      const { tickSize, lotSize } = ctx.instrument;
      const touch = lastSide === 'buy' ? book.asks[0]!.price : book.bids[0]!.price;
      const ticks = Math.round(touch / tickSize) + (lastSide === 'buy' ? 3 : -3);
      // 10 lots against levels of a few lots: the order walks the book, so it fills worse than the touch.
      ctx.place({ side: lastSide, price: ticks * tickSize, qty: 10 * lotSize, postOnly: false, timeInForce: 'IOC' });
    },
    onStop: () => {
      if (prints === 0) throw new Error('no public trades');
      if (fullDepth === 0) throw new Error('never saw ' + params.depth + ' levels a side');
    },
  };
}
`;

describe('mmsim sim with a taker strategy', () => {
  it('takes through the CLI: taker fills and fees, slippage booked, net = gross - adverse - slippage - fees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmsim-taker-'));
    writeFileSync(join(dir, 'taker.ts'), TAKER);
    // A thin book (a few lots a level) so that a taker of 10 lots takes several levels: slippage by construction.
    const base = strategyScenario('  module: ./taker.ts\n  params: {depth: 5}\n  feed: {depth_levels: 5}');
    const thin = base.replace(/depth_lots: [0-9.]+/, 'depth_lots: 3').replace(/(limit_orders: \{rate_per_s: [0-9.]+, )size_lots: [0-9.]+/, '$1size_lots: 3');
    expect(thin.match(/depth_lots: 3\n/g)?.length, 'the thin book replaced the depth').toBe(1);
    expect(thin, 'the thin book replaced the limit-order size').toMatch(/limit_orders: \{rate_per_s: [0-9.]+, size_lots: 3,/);
    writeFileSync(join(dir, 'scenario.yaml'), thin);
    const run = await mmsim(['sim', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as {
      pnl: { net_bps: number; gross_bps: number; adverse_bps: number; slippage_bps: number; fees_bps: number };
      summary: { fills: number };
    };
    expect(report.summary.fills).toBeGreaterThan(5);
    const p = report.pnl;
    // Taker fee 4 bps on every fill (the scenario's maker fee is a rebate).
    expect(p.fees_bps).toBeCloseTo(4, 9);
    expect(p.slippage_bps).not.toBe(0);
    expect(Math.abs(p.net_bps - (p.gross_bps - p.adverse_bps - p.slippage_bps - p.fees_bps))).toBeLessThan(1e-9);
    const metrics = readFileSync(join(dir, 'out', 'metrics.prom'), 'utf8');
    expect(metrics).toMatch(/mm_fills_total\{liquidity="taker"\} [1-9]/);
    expect(metrics).not.toMatch(/mm_fills_total\{liquidity="maker"\} [1-9]/);
  });
});

import type { SyntheticMarketConfig } from '../synthetic-market.ts';
import type { Fitted } from './calibrate.ts';

const r = (x: number, digits = 4): string => String(Number(x.toPrecision(digits)));

/** The fitted parameters as the generator's configuration (one phase of `seconds`, prices in ticks). */
export function fittedConfig(f: Fitted, seconds: number): SyntheticMarketConfig {
  const num = (x: number, d = 4): number => Number(r(x, d));
  return {
    initialMidTicks: Math.round(f.initialMid / f.tickSize),
    spreadTicks: f.spreadTicks,
    levels: f.levels,
    depthLots: num(f.depthLots),
    marketRatePerS: num(f.market.rate),
    limitRatePerS: num(f.limit.rate),
    branching: [num(f.hawkes.marketMarket), 0, 0, num(f.hawkes.limitLimit)],
    decayPerS: num(f.hawkes.decay),
    marketSize: {
      median: num(f.market.median),
      sigma: num(f.market.sigma),
      tailShare: num(f.market.tailShare),
      tailMin: num(f.market.tailMin),
      tailExponent: num(f.market.tailExponent),
    },
    signFollow: num(f.market.follow),
    signFlipProb: num(f.market.flipProb),
    limitSizeLots: num(f.limit.size),
    touchShare: num(f.limit.touchShare),
    depthDecayTicks: num(f.limit.depthDecayTicks),
    improveProb: num(f.limit.improveProb),
    insideRatePerS: num(f.limit.insideRatePerS),
    insideRatePerTickS: num(f.limit.insideRatePerTickS),
    requoteRatePerS: num(f.requote.rate),
    requoteFollow: num(f.requote.follow),
    requoteSizeLots: num(f.requote.size),
    requoteMoveShare: num(f.requote.moveShare),
    cancelRatePerS: num(f.cancelRate),
    touchCancelRatePerS: num(f.touchCancelRate),
    phases: [{ name: 'calibrated', startUs: 0, endUs: Math.round(seconds) * 1_000_000, intensity: 1, buyShare: 0.5 }],
  };
}

/**
 * A commented `market:` section: each parameter with the statistic of the recording it was fitted from.
 * The numbers are rounded to 4 significant digits, as `fittedConfig` rounds them.
 */
export function marketYaml(f: Fitted, source: string): string {
  const c = fittedConfig(f, Math.max(1, Math.round(f.facts.seconds)));
  const x = f.facts;
  const d = x.dispersion;
  const lines = [
    `# Fitted by mmsim calibrate from ${source}: ${x.prints} taker orders in ${r(x.seconds)} s.`,
    `# instrument: tick_size ${f.tickSize}, lot_size ${f.lotSize} (prices in ticks, sizes in lots of these).`,
    ...f.unused.map((u) => `# not used: ${u.count} ${u.kind.replaceAll('_', ' ')} line(s) of ${u.file}, the first at line ${u.firstLine}`),
    'market:',
    '  source: synthetic',
    `  initial_mid: ${r(f.initialMid, 12)}   # fitted: the first mid of the synced book`,
    `  spread_ticks: ${c.spreadTicks}   # fitted: mean spread ${r(x.spreadMeanTicks)} ticks; one-tick spread ${r(100 * x.oneTickShare, 3)} % of the time`,
    `  levels: ${c.levels}   # fitted: 99th percentile of the ticks one taker order's prints span, ${r(f.reachP99)} (at least 10; fewer when the mid is under 10 x (levels + spread) ticks)`,
    `  depth_lots: ${c.depthLots}   # fitted: mean lots per level within ${c.levels} ticks of the touch; touch depth p50 ${x.touchDepthP50}`,
    '  market_orders:',
    `    rate_per_s: ${c.marketRatePerS}   # fitted: taker orders per second`,
    `    size_lots: {median: ${c.marketSize.median}, sigma: ${c.marketSize.sigma}, tail_share: ${c.marketSize.tailShare}, tail_min: ${c.marketSize.tailMin}, tail_exponent: ${c.marketSize.tailExponent}}`,
    `    # fitted: size p25 ${x.size.p25}, p50 ${x.size.p50}, p75 ${x.size.p75} (sigma = ln(p75/p25)/1.349), p95 ${x.size.p95} (tail_min), p99 ${x.size.p99} (p99/p50 ${r(x.size.p99 / Math.max(1, x.size.p50), 3)}); Hill exponent of the top 5 % ${r(x.tailExponent, 3)}`,
    `    sign: {follow: ${c.signFollow}, flip_prob: ${c.signFlipProb}}   # fitted: sign autocorrelation lag 1 ${r(x.signAcf.lag1, 3)}, lag 20 ${r(x.signAcf.lag20, 3)} (acf(k) = follow² (1 - 2 flip_prob)^k)`,
    '  limit_orders:',
    `    rate_per_s: ${c.limitRatePerS}   # fitted: level increases per second within ${c.levels} ticks of the touch, less those inside a wide spread (inside_rate_per_tick_s)`,
    `    size_lots: ${c.limitSizeLots}   # fitted: mean increase (${f.flow.addLots} lots in ${f.flow.addEvents})`,
    `    touch_share: ${c.touchShare}   # fitted: share of the increases (not inside the spread) at the touch`,
    `    depth_decay_ticks: ${c.depthDecayTicks}   # fitted: mean distance behind the touch ${r(f.flow.meanAddDistance)} ticks`,
    `    improve_prob: ${c.improveProb}   # the increases inside a wide spread are fitted to inside_rate_per_tick_s instead (${r(100 * f.flow.improveShare, 3)} % of the increases while it was wide)`,
    `    inside_rate_per_s: ${c.insideRatePerS}   # fitted with the next by maximum likelihood: ${f.flow.insideAdds} increases inside a wide spread (rate a + c x ticks beyond one)`,
    `    inside_rate_per_tick_s: ${c.insideRatePerTickS}   # fitted: over ${r(f.flow.excessTickSeconds)} tick-seconds of spread beyond one tick`,
    '  requote:',
    `    rate_per_s: ${c.requoteRatePerS}   # fitted: ${f.flow.closures} spreads closed back to one tick (${f.flow.instantCloses} in the message that widened them) over ${r(f.flow.wideSeconds)} s at a wider spread`,
    `    follow: ${c.requoteFollow}   # fitted: mean share of the gap closed by the side whose touch was not depleted`,
    `    move_share: ${c.requoteMoveShare}   # fitted: lots that left the closing side within ${c.levels} ticks of its former best (${f.flow.requoteMovedLots}) over the lots there`,
    `    size_lots: ${c.requoteSizeLots}   # fitted: mean quantity of the closing level less the moved lots (at least 1)`,
    `  cancel_rate_per_s: ${c.cancelRatePerS}   # fitted: decreases behind the touch not printed at their price nor moved by a requote (${f.flow.cancelLots - f.flow.touchCancelLots} lots) per second over the mean depth behind it within ${c.levels} ticks (${r(f.flow.meanWindowLots - f.flow.meanTouchLots)} lots)`,
    `  touch_cancel_rate_per_s: ${c.touchCancelRatePerS}   # fitted: the same at the touch (${f.flow.touchCancelLots} lots) per second over the mean touch depth (${r(f.flow.meanTouchLots)} lots, both sides)`,
    '  hawkes:',
    `    decay_per_s: ${c.decayPerS}   # fitted with market_market: variance/mean of taker-order counts in 0.1/0.2/0.5/1/2/5 s windows ${d.map((v) => r(v, 3)).join('/')}`,
    `    market_market: ${c.branching[0]}   # fitted: branching ratio, the 1 s variance/mean ${r(d[3]!, 3)}`,
    `    limit_limit: ${c.branching[3]}   # fitted at the same decay: 1 s variance/mean of level increases ${r(f.flow.limitDispersion1s, 3)}`,
    '    market_limit: 0   # cross-excitation is not fitted: set it by hand',
    '    limit_market: 0',
    '  phases:',
    `    - {name: calibrated, duration: ${Math.max(1, Math.round(x.seconds))}s, intensity: 1}   # the recording's length; scale a burst with intensity`,
  ];
  return `${lines.join('\n')}\n`;
}

/** A scenario around a calibrated `market:` section, the rest as small as the loader allows. */
export function scenarioAround(market: string, o: { name: string; instrument: string; seed?: number }): string {
  return `name: ${o.name}
${o.seed === undefined ? '' : `seed: ${o.seed}\n`}instrument: ${o.instrument}
${market}exchange:
  latency: {entry: {dist: constant, ms: 5}, response: {dist: constant, ms: 5}, feed: {dist: constant, ms: 1}}
  fees: {maker_bps: 0, taker_bps: 4}
strategy: {levels: 1, spread_bps: 10, level_step_bps: 1, size_usd: 100, refresh: 1s, requote_threshold_bps: 1}
risk: {max_position_usd: 10000, max_total_notional_usd: 10000, freeze_cooldown: 1s}
`;
}

/** A short synthetic scenario (calm.yaml's calibrated order flow, 30 s) with the given `strategy:` section (YAML lines, indented by two). */
export function strategyScenario(strategyYaml: string, name = 'user-strategy'): string {
  return `name: ${name}
seed: 5
instrument: {symbol: BTCUSDT, tick_size: 0.1, lot_size: 0.001}
market:
  source: synthetic
  initial_mid: 60000
  spread_ticks: 1
  levels: 50
  depth_lots: 172
  market_orders:
    rate_per_s: 15.77
    size_lots: {median: 30, sigma: 2.2, tail_share: 0.05, tail_min: 1475, tail_exponent: 1.05}
    sign: {follow: 0.454, flip_prob: 0.0181}
  limit_orders: {rate_per_s: 35.05, size_lots: 329, touch_share: 0.375, depth_decay_ticks: 26.65, improve_prob: 0, inside_rate_per_s: 14.96, inside_rate_per_tick_s: 2.992}
  cancel_rate_per_s: 1.273
  touch_cancel_rate_per_s: 0.578
  hawkes: {decay_per_s: 15.85, market_market: 0.86, limit_limit: 0}
  phases:
    - {name: p, duration: 30s, intensity: 1}
exchange:
  latency:
    entry: {dist: constant, ms: 10}
    response: {dist: constant, ms: 5}
    feed: {dist: constant, ms: 2}
  fees: {maker_bps: -0.25, taker_bps: 4}
strategy:
${strategyYaml}
risk: {max_position_usd: 5000, max_total_notional_usd: 8000, freeze_cooldown: 5s}
`;
}

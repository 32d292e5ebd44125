/** A short synthetic scenario (calm.yaml's calibrated order flow, 30 s) with the given `strategy:` section (YAML lines, indented by two). */
export function strategyScenario(strategyYaml: string, name = 'user-strategy'): string {
  return `name: ${name}
seed: 5
instrument: {symbol: BTCUSDT, tick_size: 0.1, lot_size: 0.001}
market:
  source: synthetic
  initial_mid: 60000
  spread_ticks: 1
  levels: 71
  depth_lots: 151
  market_orders:
    rate_per_s: 15.77
    size_lots: {median: 30, sigma: 2.2, tail_share: 0.05, tail_min: 1475, tail_exponent: 1.05}
    sign: {follow: 0.454, flip_prob: 0.0181}
  limit_orders: {rate_per_s: 48.07, size_lots: 305.8, touch_share: 0.2735, depth_decay_ticks: 38.93, improve_prob: 0, inside_rate_per_s: 2.735, inside_rate_per_tick_s: 3.079}
  requote: {rate_per_s: 163.2, follow: 0.976, move_share: 0.357, size_lots: 1}
  cancel_rate_per_s: 0.876
  touch_cancel_rate_per_s: 0.639
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

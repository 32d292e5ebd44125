/** A short synthetic scenario with the given `strategy:` section (YAML lines, indented by two). */
export function strategyScenario(strategyYaml: string, name = 'user-strategy'): string {
  return `name: ${name}
seed: 5
instrument: {symbol: BTCUSDT, tick_size: 0.1, lot_size: 0.001}
market:
  source: synthetic
  initial_mid: 60000
  spread_ticks: 2
  levels: 20
  depth_lots: 20
  book_interval: 100ms
  trade_size_lots: {median: 4, sigma: 1.0}
  phases:
    - {name: p, duration: 30s, trade_rate_per_s: 6, volatility_bps_per_sqrt_s: 2, impact_bps: 0.2}
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

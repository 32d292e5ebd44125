import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { repoRoot } from '../support/run.ts';

const example = readFileSync(join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'), 'utf8');
const withMarket = (lines: string) => example.replace(/^market:\n(?: {2}.*\n)+/m, `market:\n${lines}\n`);
const parse = (text: string) => parseScenario(text, 'live.yaml');

describe('market: {source: live}', () => {
  it('takes the example with its defaults', () => {
    const m = parse(example).market;
    expect(m).toEqual({ source: 'live', venue: 'binance_usdm', symbol: 'BTCUSDT', depth_speed: '100ms', feed_latency: 'live', backoff: 500_000, max_backoff: 30_000_000 });
  });

  it('refuses what the venue does not offer, naming the field', () => {
    expect(() => parse(withMarket('  source: live\n  venue: binance_spot\n  symbol: BTCUSDT\n  depth_speed: 500ms'))).toThrow(/market\.depth_speed: binance_spot publishes depth diffs at 100ms or 1000ms/);
    expect(() => parse(withMarket('  source: live\n  venue: bybit_linear\n  symbol: BTCUSDT\n  rest_url: https://api.bybit.com'))).toThrow(/market\.rest_url: bybit_linear takes its snapshot from the websocket/);
    expect(() => parse(withMarket('  source: live\n  venue: binance_usdm\n  symbol: BTCUSDT\n  ws_url: https://fstream.binance.com'))).toThrow(/market\.ws_url: must be a URL \(ws:\/\/ or wss:\/\/\.\.\.\)/);
    expect(() => parse(withMarket('  source: live\n  venue: kraken\n  symbol: BTCUSDT'))).toThrow(/market\.venue/);
    expect(() => parse(withMarket('  source: live\n  venue: binance_usdm\n  symbol: BTC/USDT'))).toThrow(/market\.symbol/);
  });

  it('is not a market mmsim sim runs: the error points to mmsim shadow', async () => {
    await expect(runScenario(parse(example))).rejects.toThrow(/mmsim shadow/);
  });
});

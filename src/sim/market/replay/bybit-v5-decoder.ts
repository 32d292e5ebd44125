import type { Side } from '../../../core/types.ts';
import { countAnomaly, countMessage, newDecoderStats } from './replay-message.ts';
import type { LineDecoder, ReplayMessage } from './replay-message.ts';
import { BybitBookSync } from './bybit-book-sync.ts';
import { localTimeUs } from './binance-decoder.ts';
import { strictDecimal } from './plain-decimal.ts';

export interface BybitV5Options {
  /** As Bybit spells it (`BTCUSDT`). */
  readonly symbol: string;
}

/**
 * A recording of Bybit's v5 public websocket (what `mmsim shadow --record` writes for bybit_linear):
 * `<local receive time, integer ns> <raw JSON>` a line, the JSON as the venue sent it:
 *  - `orderbook.<depth>.<SYMBOL>` snapshots and deltas, synced by BybitBookSync (bybit-book-sync.ts);
 *  - `publicTrade.<SYMBOL>`: `{"topic","type":"snapshot","ts","data":[{"T","s","S","v","p","L","i","BT"}]}`,
 *    one trade message per print; `S` is the taker's side, `T` the fill time (ms). Block trades (`BT`
 *    true) are arranged off the book: counted `block_trade`, not replayed;
 *  - control replies (`{"success":..,"op":..}`, pongs) are counted as `control`.
 */
export function createBybitV5Decoder(opts: BybitV5Options): LineDecoder {
  const symbol = opts.symbol;
  const stats = newDecoderStats();
  const book = new BybitBookSync(stats, symbol);

  function trades(data: unknown, line: number, localUs: number, out: ReplayMessage[]): void {
    if (!Array.isArray(data)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    for (const t of data as unknown[]) {
      const tr = t as { T?: unknown; s?: unknown; S?: unknown; v?: unknown; p?: unknown; BT?: unknown } | null;
      if (typeof tr !== 'object' || tr === null) {
        countAnomaly(stats, 'malformed', line);
        continue;
      }
      if (tr.s !== symbol) {
        countAnomaly(stats, typeof tr.s === 'string' ? 'other_symbol' : 'malformed', line);
        continue;
      }
      const price = typeof tr.p === 'string' ? strictDecimal(tr.p) : NaN;
      const qty = typeof tr.v === 'string' ? strictDecimal(tr.v) : NaN;
      if (typeof tr.T !== 'number' || !Number.isSafeInteger(tr.T) || (tr.S !== 'Buy' && tr.S !== 'Sell') || !(price > 0) || !(qty > 0) || price === Infinity || qty === Infinity) {
        countAnomaly(stats, 'malformed', line);
        continue;
      }
      countMessage(stats, 'trade');
      if (tr.BT === true) {
        countAnomaly(stats, 'block_trade', line);
        continue;
      }
      const aggressor: Side = tr.S === 'Buy' ? 'buy' : 'sell';
      out.push({ kind: 'trade', aggressor, price, qty, exchangeUs: tr.T * 1000, localUs, line });
    }
  }

  function decode(text: string, line: number, out: ReplayMessage[]): void {
    stats.lines++;
    if (text.trim().length === 0) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    const sp = text.indexOf(' ');
    const localUs = sp < 0 ? NaN : localTimeUs(text, sp);
    let msg: unknown;
    try {
      msg = localUs === localUs ? JSON.parse(text.slice(sp + 1)) : undefined;
    } catch {
      msg = undefined;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const m = msg as { topic?: unknown; op?: unknown; data?: unknown };
    const topic = m.topic;
    if (typeof topic !== 'string') {
      countAnomaly(stats, typeof m.op === 'string' ? 'control' : 'unknown_message', line);
      return;
    }
    if (topic.startsWith('orderbook.')) book.message(msg, line, localUs, out);
    else if (topic.startsWith('publicTrade.')) trades(m.data, line, localUs, out);
    else countAnomaly(stats, 'unknown_message', line);
  }

  return { decode, end: (lastLine) => book.end(lastLine), stats, needsSnapshot: () => book.needsSnapshot };
}

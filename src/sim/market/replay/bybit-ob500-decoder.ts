import { countAnomaly, newDecoderStats } from './replay-message.ts';
import type { LineDecoder, ReplayMessage } from './replay-message.ts';
import { BybitBookSync } from './bybit-book-sync.ts';

export interface BybitOb500Options {
  /** The instrument to keep, as Bybit spells it (`XRPUSDT`); lines for other symbols are counted, not used. */
  readonly symbol: string;
}

/**
 * Bybit's published historical order-book archive (`orderbook.500.<SYMBOL>`, one NDJSON message a line, the
 * v5 public websocket's orderbook format), synced by BybitBookSync (bybit-book-sync.ts). The archive has no
 * receive time: `localUs` is undefined.
 */
export function createBybitOb500Decoder(opts: BybitOb500Options): LineDecoder {
  const stats = newDecoderStats();
  const book = new BybitBookSync(stats, opts.symbol);

  function decode(text: string, line: number, out: ReplayMessage[]): void {
    stats.lines++;
    if (text.length === 0 || (text.charCodeAt(0) !== 123 && text.trim().length === 0)) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (typeof msg !== 'object' || msg === null) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const topic = (msg as { topic?: unknown }).topic;
    if (typeof topic !== 'string' || !topic.startsWith('orderbook.')) {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    book.message(msg, line, undefined, out);
  }

  return { decode, end: (lastLine) => book.end(lastLine), stats, needsSnapshot: () => book.needsSnapshot };
}

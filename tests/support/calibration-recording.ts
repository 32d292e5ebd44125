import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const T0 = 1_700_000_000_000_000;
const S = 1_000_000;
const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const book = (us: number, snap: boolean, side: 'bid' | 'ask', price: string, amount: string) => `x,T,${T0 + us},${T0 + us},${snap},${side},${price},${amount}`;

/**
 * A hand-built recording, tick 0.5 and lot 1, 23 s long. The book: bids 100.0 x 10, 99.5 x 40, asks
 * 100.5 x 10, 101.0 x 10. Ten limit orders of 2 lots join the best bid (at 0.5 s, 1.5 s, ...); 20 trades
 * of 1 lot alternate buy and sell once a second; at 21 s the best ask is cancelled (a 2-tick spread
 * for 1 s), at 22 s 5 lots come back inside it; at 23 s the 40 lots at 99.5 are cancelled.
 */
export function writeTardisRecording(dir: string, trades = 20): [string, string] {
  const b = [BOOK_HEADER, book(0, true, 'bid', '100.0', '10'), book(0, true, 'bid', '99.5', '40'), book(0, true, 'ask', '100.5', '10'), book(0, true, 'ask', '101.0', '10')];
  for (let k = 0; k < 10; k++) b.push(book(k * S + S / 2, false, 'bid', '100.0', String(12 + 2 * k)));
  b.push(book(21 * S, false, 'ask', '100.5', '0'), book(22 * S, false, 'ask', '100.5', '5'), book(23 * S, false, 'bid', '99.5', '0'));
  const t = [TRADES_HEADER];
  for (let k = 1; k <= trades; k++) t.push(`x,T,${T0 + k * S},${T0 + k * S},${k},${k % 2 ? 'buy' : 'sell'},${k % 2 ? '100.5' : '100.0'},1`);
  const bookPath = join(dir, `book-${trades}.csv`);
  const tradesPath = join(dir, `trades-${trades}.csv`);
  writeFileSync(bookPath, b.join('\n') + '\n');
  writeFileSync(tradesPath, t.join('\n') + '\n');
  return [bookPath, tradesPath];
}

/**
 * Analysis: how a book's touch moves and how a wide spread closes, on a recording or on the generator.
 *   npx tsx scripts/book-dynamics.ts <recording> <format> <symbol>
 */
import { OrderBook } from '../src/sim/exchange/order-book.ts';
import { openReplaySource } from '../src/sim/market/replay/replay-source.ts';
import type { ReplayFormat } from '../src/sim/market/replay/replay-formats.ts';

export class BookDynamics {
  bidMoves = 0;
  bidMoveTicks = 0;
  bidMoveSq = 0;
  episodes = 0;
  episodeUs = 0;
  follow = 0;
  followN = 0;
  jumps: number[] = [];
  closeDepth: number[] = [];
  occ = new Float64Array(51);
  qty = new Float64Array(51);
  samples = 0;
  gaps: number[] = [];
  cum: number[] = [];
  t0 = -1;
  t1 = 0;
  private lastBid: number | undefined;
  private open: { t: number; b0: number; a0: number; b1: number; a1: number } | undefined;
  private prev: { b: number; a: number } | undefined;
  private nextSample = 0;
  onBook(t: number, book: OrderBook): void {
    const b = book.bestBid();
    const a = book.bestAsk();
    if (b === undefined || a === undefined || a <= b) return;
    if (this.t0 < 0) this.t0 = t;
    this.t1 = t;
    if (this.lastBid !== undefined && b !== this.lastBid) {
      this.bidMoves++;
      this.bidMoveTicks += Math.abs(b - this.lastBid);
      this.bidMoveSq += (b - this.lastBid) ** 2;
    }
    this.lastBid = b;
    const p = this.prev;
    if (p && p.a - p.b === 1 && a - b > 1) {
      this.open = { t, b0: p.b, a0: p.a, b1: b, a1: a };
      this.episodes++;
    } else if (this.open && a - b === 1) {
      const o = this.open;
      this.episodeUs += t - o.t;
      // Which side opened it: the bid fell (b1 < b0) or the ask rose.
      if (o.b1 < o.b0 && o.a1 === o.a0) {
        this.follow += (o.b0 - b) / (o.b0 - o.b1);
        this.followN++;
        this.jumps.push(o.b0 - o.b1);
      } else if (o.a1 > o.a0 && o.b1 === o.b0) {
        this.follow += (a - o.a0) / (o.a1 - o.a0);
        this.followN++;
        this.jumps.push(o.a1 - o.a0);
      }
      this.closeDepth.push(book.bids.qtyAt(b) + book.asks.qtyAt(a));
      this.open = undefined;
    }
    this.prev = { b, a };
    if (t >= this.nextSample) {
      this.nextSample = t + 1_000_000;
      this.samples++;
      for (const [best, side, dir] of [[b, book.bids, -1], [a, book.asks, 1]] as const) {
        let k = 1;
        while (k < 400 && side.qtyAt(best + dir * k) === 0) k++;
        this.gaps.push(k);
        let q = 0;
        let j = 1;
        for (; j < 400 && q < 2000; j++) q += side.qtyAt(best + dir * j);
        this.cum.push(j - 1);
      }
      for (let k = 0; k <= 50; k++) {
        for (const q of [book.bids.qtyAt(b - k), book.asks.qtyAt(a + k)]) {
          if (q > 0) this.occ[k]!++;
          this.qty[k]! += q;
        }
      }
    }
  }
  print(): void {
    const s = (this.t1 - this.t0) / 1e6;
    const j = [...this.jumps].sort((x, y) => x - y);
    const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    const cd = [...this.closeDepth].sort((x, y) => x - y);
    console.log(`seconds ${s.toFixed(0)}; bid moves/s ${(this.bidMoves / s).toFixed(2)}, mean |move| ${(this.bidMoveTicks / this.bidMoves).toFixed(1)} ticks, rms ${Math.sqrt(this.bidMoveSq / this.bidMoves).toFixed(1)}; sqrt(rate x E[move^2]) ${Math.sqrt((this.bidMoveSq / s)).toFixed(1)} ticks/sqrt(s)`);
    console.log(`wide episodes/s ${(this.episodes / s).toFixed(2)}, mean ms ${(this.episodeUs / 1000 / this.episodes).toFixed(1)}; one-sided ${this.followN}: follow ${(this.follow / this.followN).toFixed(3)}; jump p50 ${q(j, 0.5)} p90 ${q(j, 0.9)} mean ${(j.reduce((x, y) => x + y, 0) / j.length).toFixed(1)}`);
    console.log(`close touch depth (both) p50 ${q(cd, 0.5)} p90 ${q(cd, 0.9)}`);
    const ps = [0.1, 0.25, 0.5, 0.75, 0.9];
    const g = [...this.gaps].sort((x, y) => x - y);
    const c = [...this.cum].sort((x, y) => x - y);
    console.log(`gap to the 2nd level p10..p90 ${ps.map((p) => q(g, p)).join('/')}; ticks to 2000 lots behind the touch ${ps.map((p) => q(c, p)).join('/')}`);
    const n = 2 * this.samples;
    console.log('k: occupied share / mean qty');
    console.log([0, 1, 2, 3, 5, 10, 20, 30, 49].map((k) => `${k}: ${(this.occ[k]! / n).toFixed(2)}/${(this.qty[k]! / n).toFixed(0)}`).join('  '));
  }
}

if (import.meta.main ?? process.argv[1]?.endsWith('book-dynamics.ts')) {
  const [path, format, symbol] = process.argv.slice(2);
  const tick = 0.1;
  const lot = 0.001;
  const book = new OrderBook();
  const d = new BookDynamics();
  const src = openReplaySource(format as ReplayFormat, [path!], symbol!);
  for (let batch = await src.next(); batch; batch = await src.next()) {
    for (const m of batch) {
      if (m.kind !== 'book') continue;
      if (m.snapshot) { book.bids.clear(); book.asks.clear(); }
      for (const [levels, side] of [[m.bids, book.bids], [m.asks, book.asks]] as const)
        for (let i = 0; i < levels.length; i += 2) side.set(Math.round(levels[i]! / tick), Math.round(levels[i + 1]! / lot));
      d.onBook(m.exchangeUs, book);
    }
  }
  await src.close();
  d.print();
}

import type { ReplayMessage } from './replay-message.ts';

/**
 * Stream precedence at equal exchange time (docs/replay.md, "Time"): a trade printed at t is already in
 * the depth diff stamped t (the diff is the book after it), so the trade runs first; the bookTicker, the
 * fastest view of the same book, runs last (the overlay then decides by update id whether it is newer).
 */
export const PRECEDENCE: Readonly<Record<ReplayMessage['kind'], number>> = { trade: 0, book: 1, ticker: 2 };

/** Default reorder window, µs (docs/replay.md gives the reason). */
export const DEFAULT_REORDER_WINDOW_US = 250_000;

export interface TimeLineStats {
  /** Lines read with an exchange time before that of a line of their own stream read earlier. */
  out_of_order: { book: number; trade: number; ticker: number };
  /** Lines read after a line (of any stream) stamped later: put back in place by the window. */
  time_reordered: number;
}

/**
 * The merge stage of a replay: every stream of a recording on one time line, ordered by (exchange time,
 * stream precedence, update id, read order). A line is held until a line stamped `windowUs` later has
 * been read (or the recording ends); inside that window lines read out of order are put in order. A line
 * released after a later-stamped one (it was beyond the window) keeps its place in the release order and
 * its caller clamps it (ReplayMarket counts `time_clamped`).
 *
 * Book messages are never reordered among themselves: the decoders emit them in the order the venue's
 * update ids chain them, so a book message stamped before the previous one is held at that one's time
 * (counted in `out_of_order.book`). Trades and tickers may be reordered within their own stream.
 *
 * The buffer is a binary heap on parallel arrays (no allocation per message once grown); it holds the
 * lines of one window, so memory is bounded by the window, not the file.
 */
export class TimeLine {
  readonly stats: TimeLineStats = { out_of_order: { book: 0, trade: 0, ticker: 0 }, time_reordered: 0 };
  private readonly t: number[] = [];
  private readonly p: number[] = [];
  private readonly s: number[] = [];
  private readonly n: number[] = [];
  private readonly m: ReplayMessage[] = [];
  private size = 0;
  private read = 0;
  private maxSeen = -Infinity;
  private readonly lastOfStream = { book: -Infinity, trade: -Infinity, ticker: -Infinity };

  constructor(readonly windowUs: number) {}

  /** Buffered lines (tests). */
  get buffered(): number {
    return this.size;
  }

  push(msg: ReplayMessage): void {
    const kind = msg.kind;
    let time = msg.exchangeUs;
    if (time < this.lastOfStream[kind]) {
      this.stats.out_of_order[kind]++;
      if (kind === 'book') time = this.lastOfStream.book;
    } else this.lastOfStream[kind] = time;
    if (time < this.maxSeen) this.stats.time_reordered++;
    else this.maxSeen = time;
    let i = this.size++;
    const seq = msg.seq ?? 0;
    const ord = this.read++;
    const prec = PRECEDENCE[kind];
    // Sift up.
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(time, prec, seq, ord, up)) break;
      this.move(up, i);
      i = up;
    }
    this.t[i] = time;
    this.p[i] = prec;
    this.s[i] = seq;
    this.n[i] = ord;
    this.m[i] = msg;
  }

  /**
   * The next line whose place is final (a line stamped at least `windowUs` after it has been read), or
   * every buffered line in order when `flush` (the recording has ended); undefined when none is ready.
   */
  next(flush: boolean): ReplayMessage | undefined {
    if (this.size === 0 || (!flush && this.t[0]! > this.maxSeen - this.windowUs)) return undefined;
    const out = this.m[0]!;
    this.outTime = this.t[0]!;
    const last = --this.size;
    if (last > 0) {
      const time = this.t[last]!;
      const prec = this.p[last]!;
      const seq = this.s[last]!;
      const ord = this.n[last]!;
      const msg = this.m[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.before(r, l) ? r : l;
        if (this.lessAt(c, time, prec, seq, ord)) {
          this.move(c, i);
          i = c;
        } else break;
      }
      this.t[i] = time;
      this.p[i] = prec;
      this.s[i] = seq;
      this.n[i] = ord;
      this.m[i] = msg;
    }
    this.m[last] = undefined as unknown as ReplayMessage; // drop the reference: the heap holds one window
    return out;
  }

  /** The time-line time of the message `next` returned last (a held book message's time, not its stamp). */
  outTime = 0;

  /** (time, prec, seq, ord) orders before the entry at j. */
  private less(time: number, prec: number, seq: number, ord: number, j: number): boolean {
    const tj = this.t[j]!;
    if (time !== tj) return time < tj;
    const pj = this.p[j]!;
    if (prec !== pj) return prec < pj;
    const sj = this.s[j]!;
    if (seq !== sj) return seq < sj;
    return ord < this.n[j]!;
  }

  /** The entry at c orders before (time, prec, seq, ord). */
  private lessAt(c: number, time: number, prec: number, seq: number, ord: number): boolean {
    const tc = this.t[c]!;
    if (tc !== time) return tc < time;
    const pc = this.p[c]!;
    if (pc !== prec) return pc < prec;
    const sc = this.s[c]!;
    if (sc !== seq) return sc < seq;
    return this.n[c]! < ord;
  }

  private before(a: number, b: number): boolean {
    return this.less(this.t[a]!, this.p[a]!, this.s[a]!, this.n[a]!, b);
  }

  private move(from: number, to: number): void {
    this.t[to] = this.t[from]!;
    this.p[to] = this.p[from]!;
    this.s[to] = this.s[from]!;
    this.n[to] = this.n[from]!;
    this.m[to] = this.m[from]!;
  }
}

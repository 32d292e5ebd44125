import { countAnomaly, countMessage, ReplayDataError } from './replay-message.ts';
import type { BookMessage, DecoderStats, ReplayMessage } from './replay-message.ts';
import type { Json } from './binance-line-scanner.ts';
import { levelsProblem, parseLevels } from './binance-levels.ts';
import type { BinanceClock } from './binance-clock.ts';
import { ambiguousSnapshot, ownSymbol, SymbolSpans } from './binance-symbols.ts';

/** A depth diff waiting for a snapshot. */
interface Diff {
  readonly U: number;
  readonly u: number;
  readonly pu: number;
  readonly exchangeUs: number;
  readonly localUs: number | undefined;
  readonly line: number;
  readonly bids: number[];
  readonly asks: number[];
}

/** A snapshot read but not yet bridged by a diff (every diff read so far is older than it). */
interface PendingSnapshot {
  readonly lastUpdateId: number;
  /** E of the snapshot, else its local time, else the E of the last diff read before it; undefined: none of them. */
  readonly exchangeUs: number | undefined;
  readonly localUs: number | undefined;
  readonly line: number;
  readonly bids: number[];
  readonly asks: number[];
  /** No `E`: exchangeUs is the corrected receive time (docs/replay.md, "Time"). */
  readonly untimed: boolean;
  /** No symbol on the line: attributed by update id while other symbols' diffs are in the file. */
  readonly bare: boolean;
}

/**
 * One symbol's Binance order book, synchronised from depth diffs and REST snapshots the way Binance documents
 * ("How to manage a local order book correctly"):
 *  - futures (USD-M, COIN-M): buffer diffs; at a snapshot drop diffs with `u < lastUpdateId`; the first applied
 *    diff has `U <= lastUpdateId <= u`; every later one has `pu == previous u`.
 *  - spot: drop diffs with `u <= lastUpdateId`; the first applied diff has `U <= lastUpdateId + 1 <= u`; later,
 *    a diff with `u <= local update id` is ignored and one with `U > local update id + 1` is a gap.
 * A gap takes the book out of sync: no book messages until a later snapshot resyncs it.
 */
export class BinanceBookSync {
  /** The book is in sync: diffs are checked against prevU and emitted. */
  private synced = false;
  /** The last applied diff's u (the local book's update id). */
  private prevU = 0;
  /** Diffs buffered while out of sync, oldest first, from index head. */
  private buffer: Diff[] = [];
  private head = 0;
  private pending: PendingSnapshot | null = null;
  /** The gap that took the book out of sync (cleared by a resync). */
  private gap: { line: number; detail: string } | null = null;
  /** The last line of our book that could not be read, until a diff continues the chain after it. */
  suspect: { line: number; why: string } | null = null;
  private snapshotsAfterGap = 0;
  private snapshots = 0;
  private tooOld = 0;
  private firstDiffLine = 0;
  private diffs = 0;
  /** The E of the last diff read (a snapshot without times takes it). */
  private lastDiffUs: number | undefined = undefined;
  private readonly spans: SymbolSpans;
  /** The exchange time of the last book message emitted (book times never go backwards). */
  private lastBookUs = -Infinity;

  /** `symbol`: upper case; `futures`: USD-M or COIN-M (else spot). */
  constructor(
    private readonly stats: DecoderStats,
    private readonly futures: boolean,
    private readonly symbol: string,
    private readonly maxBuffered: number,
    private readonly clock: BinanceClock,
  ) {
    this.spans = new SymbolSpans(symbol);
  }

  /** Out of sync with no snapshot waiting for its bridging diff: a live feed fetches a new one. */
  get needsSnapshot(): boolean {
    return !this.synced && this.pending === null;
  }

  depth(ev: Json, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    const s = ev.s;
    const E = ev.E;
    const U = ev.U;
    const u = ev.u;
    if (typeof s === 'string' && s !== this.symbol && typeof U === 'number' && typeof u === 'number') this.spans.other(s, U, u);
    if (!ownSymbol(stats, this.symbol, s, line)) return;
    const pu = this.futures ? ev.pu : 0;
    // A diff of ours that cannot be applied breaks the update-id chain: reported at its own line.
    if (typeof E !== 'number' || typeof U !== 'number' || typeof u !== 'number' || typeof pu !== 'number' || U > u) {
      const bad = typeof E !== 'number' ? ['E', E] : typeof U !== 'number' ? ['U', U] : typeof u !== 'number' ? ['u', u] : typeof pu !== 'number' ? ['pu', pu] : undefined;
      throw new ReplayDataError(line, bad ? `depth diff: ${bad[0]} is ${bad[1] === undefined ? 'missing' : `not a number: ${JSON.stringify(bad[1])}`}` : `depth diff: U ${U} > u ${u}`);
    }
    const bids = parseLevels(ev.b);
    const asks = bids && parseLevels(ev.a);
    if (!bids || !asks) throw new ReplayDataError(line, `depth diff: ${levelsProblem(bids ? ev.a : ev.b, bids ? 'a (asks)' : 'b (bids)')}`);
    countMessage(stats, 'depth');
    if (this.diffs++ === 0) this.firstDiffLine = line;
    const exchangeUs = E * 1000;
    this.lastDiffUs = exchangeUs;
    this.clock.observeClock(localUs, exchangeUs);
    this.clock.recentDiff(u, exchangeUs);
    this.spans.own(U, u);

    if (this.synced) {
      const prevU = this.prevU;
      if (u <= prevU) {
        // Entirely older than the book (a repeat): everything in it is already applied.
        countAnomaly(stats, 'stale_diff', line);
        return;
      }
      if (this.futures ? pu === prevU : U <= prevU + 1) {
        this.prevU = u;
        this.suspect = null;
        this.emitDiff(exchangeUs, localUs, line, bids, asks, u, out);
        return;
      }
      this.outOfSync(U, pu, line);
    }
    this.bufferDiff({ U, u, pu, exchangeUs, localUs, line, bids, asks });
    if (this.pending) this.trySync(out);
  }

  private outOfSync(U: number, pu: number, line: number): void {
    countAnomaly(this.stats, 'sequence_gap', line);
    this.synced = false;
    this.snapshotsAfterGap = 0;
    const gap = this.futures ? `sequence gap: pu ${pu} != previous u ${this.prevU}` : `sequence gap: U ${U} != previous u + 1 (${this.prevU + 1})`;
    const cause = this.suspect;
    this.suspect = null;
    // The line that could not be read is where the chain broke: the error names it, not the next diff.
    this.gap = cause ? { line: cause.line, detail: `${cause.why}; the diff chain breaks there (line ${line}: ${gap})` } : { line, detail: gap };
  }

  private bufferDiff(d: Diff): void {
    if (this.buffer.length - this.head >= this.maxBuffered) {
      countAnomaly(this.stats, 'buffer_overflow', this.buffer[this.head]!.line);
      this.head++;
      if (this.head >= 4096 && this.head * 2 >= this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
    }
    this.buffer.push(d);
  }

  snapshot(msg: Json, line: number, localUs: number | undefined, out: ReplayMessage[], named?: string): void {
    const stats = this.stats;
    if (named !== undefined && named.toUpperCase() !== this.symbol) {
      countAnomaly(stats, 'other_symbol', line);
      return;
    }
    const lastUpdateId = msg.lastUpdateId;
    const E = msg.E;
    // The book starts from a snapshot: one that cannot be read is reported at its own line.
    if (typeof lastUpdateId !== 'number') throw new ReplayDataError(line, `depth snapshot: lastUpdateId is not a number: ${JSON.stringify(lastUpdateId)}`);
    if (E !== undefined && typeof E !== 'number') throw new ReplayDataError(line, `depth snapshot: E is not a number: ${JSON.stringify(E)}`);
    const bare = named === undefined;
    if (bare && this.spans.hasOthers) {
      const a = this.spans.attribute(lastUpdateId);
      if (a.who === 'other') {
        countAnomaly(stats, 'other_symbol', line);
        return;
      }
      if (a.who === 'ambiguous') throw ambiguousSnapshot(line, a.detail);
    }
    const bids = parseLevels(msg.bids);
    const asks = bids && parseLevels(msg.asks);
    if (!bids || !asks) throw new ReplayDataError(line, `depth snapshot: ${levelsProblem(bids ? msg.asks : msg.bids, bids ? 'asks' : 'bids')}`);
    countMessage(stats, 'snapshot');
    this.snapshots++;
    if (this.synced) {
      // The book is already in sync from an earlier snapshot and an unbroken chain of diffs.
      countAnomaly(stats, 'snapshot_unused', line);
      return;
    }
    if (this.pending) countAnomaly(stats, 'snapshot_unused', this.pending.line);
    if (this.gap) this.snapshotsAfterGap++;
    // Spot snapshots have no E: the receive time on the exchange's clock (placed against the diffs at sync).
    const untimed = E === undefined;
    const exchangeUs = !untimed ? E * 1000 : (this.clock.corrected(localUs) ?? this.lastDiffUs);
    this.pending = { lastUpdateId, exchangeUs, localUs, line, bids, asks, untimed, bare };
    this.trySync(out);
  }

  /** With a pending snapshot: drops the diffs it covers and, if the next diff bridges it, syncs the book. */
  private trySync(out: ReplayMessage[]): void {
    const snap = this.pending!;
    const stats = this.stats;
    const L = snap.lastUpdateId;
    if (snap.bare && this.spans.hasOthers) {
      // Read before any diff told whose it could be: decided now, with the diffs read since.
      const a = this.spans.attribute(L);
      if (a.who === 'other') {
        countAnomaly(stats, 'other_symbol', snap.line);
        this.pending = null;
        return;
      }
      if (a.who === 'ambiguous') throw ambiguousSnapshot(snap.line, a.detail);
    }
    const buf = this.buffer;
    let i = this.head;
    // Futures drop u < lastUpdateId; spot drops u <= lastUpdateId (its first diff must contain lastUpdateId + 1).
    const firstId = this.futures ? L : L + 1;
    let staleUs = -Infinity;
    while (i < buf.length && buf[i]!.u < firstId) {
      countAnomaly(stats, 'stale_diff', buf[i]!.line);
      staleUs = buf[i]!.exchangeUs;
      i++;
    }
    if (i === buf.length) {
      // Every diff so far is older than the snapshot: wait for one that bridges it.
      this.buffer = [];
      this.head = 0;
      return;
    }
    const first = buf[i]!;
    if (first.U > firstId) {
      // The diffs start after the snapshot: updates in between are missing. Wait for a newer snapshot.
      countAnomaly(stats, 'snapshot_too_old', snap.line);
      this.tooOld++;
      this.pending = null;
      this.buffer = buf.slice(i);
      this.head = 0;
      return;
    }
    this.pending = null;
    this.synced = true;
    if (this.gap) {
      countAnomaly(stats, 'resync', snap.line);
      this.gap = null;
    }
    // An untimed snapshot (its book is as of update L) lies after the diffs it covers and no later than the
    // first diff that continues it.
    const snapUs = snap.untimed ? Math.min(Math.max(snap.exchangeUs ?? first.exchangeUs, staleUs), first.exchangeUs) : (snap.exchangeUs ?? first.exchangeUs);
    this.emitBook(true, snapUs, snap.localUs, snap.line, snap.bids, snap.asks, L, out, snap.untimed);
    this.prevU = first.u;
    this.emitBuffered(first, snap, snapUs, out);
    for (i++; i < buf.length; i++) {
      const d = buf[i]!;
      if (d.u <= this.prevU) {
        countAnomaly(stats, 'stale_diff', d.line);
        continue;
      }
      if (this.futures ? d.pu !== this.prevU : d.U > this.prevU + 1) {
        this.outOfSync(d.U, d.pu, d.line);
        this.buffer = buf.slice(i);
        this.head = 0;
        return;
      }
      this.prevU = d.u;
      this.emitBuffered(d, snap, snapUs, out);
    }
    this.buffer = [];
    this.head = 0;
  }

  /** A diff applied at sync: read before the snapshot, it takes the snapshot's times (the book starts there). */
  private emitBuffered(d: Diff, snap: PendingSnapshot, snapUs: number, out: ReplayMessage[]): void {
    if (d.line < snap.line) this.emitBook(false, snapUs, snap.localUs, d.line, d.bids, d.asks, d.u, out, snap.untimed);
    else this.emitDiff(d.exchangeUs, d.localUs, d.line, d.bids, d.asks, d.u, out);
  }

  private emitDiff(exchangeUs: number, localUs: number | undefined, line: number, bids: number[], asks: number[], seq: number, out: ReplayMessage[]): void {
    if (exchangeUs < this.lastBookUs) {
      // E older than the book it applies to (a snapshot stamped later than the stream): held at the book's time.
      countAnomaly(this.stats, 'book_time_clamped', line);
      exchangeUs = this.lastBookUs;
    }
    this.emitBook(false, exchangeUs, localUs, line, bids, asks, seq, out, false);
  }

  private emitBook(
    snapshot: boolean,
    exchangeUs: number,
    localUs: number | undefined,
    line: number,
    bids: number[],
    asks: number[],
    seq: number,
    out: ReplayMessage[],
    untimed: boolean,
  ): void {
    if (exchangeUs > this.lastBookUs) this.lastBookUs = exchangeUs;
    const m: BookMessage = untimed
      ? { kind: 'book', snapshot, bids, asks, exchangeUs, localUs, line, seq, untimed }
      : { kind: 'book', snapshot, bids, asks, exchangeUs, localUs, line, seq };
    out.push(m);
  }

  /** At the end of the file: throws when the book never synced, or a gap was never resynced. */
  end(): void {
    if (this.synced) return;
    if (this.gap) {
      const after =
        this.snapshotsAfterGap === 0
          ? 'the file has no later snapshot to resync from'
          : `no later snapshot resynced the book (${this.snapshotsAfterGap} after it, none bridged by the diffs)`;
      throw new ReplayDataError(this.gap.line, `${this.gap.detail}; ${after}`);
    }
    if (this.suspect) throw new ReplayDataError(this.suspect.line, `${this.suspect.why}; the book never synced`);
    const line = this.firstDiffLine || 1;
    let why: string;
    if (this.diffs === 0) why = `the file has no ${this.symbol} depth diffs`;
    else if (this.snapshots === 0) why = `the file has no REST depth snapshot (a {"lastUpdateId":..} line) to start the book from its ${this.diffs} depth diffs`;
    else if (this.pending) why = `the snapshot on line ${this.pending.line} (lastUpdateId ${this.pending.lastUpdateId}) is newer than every depth diff after it`;
    else why = `${this.tooOld} snapshot(s) older than the earliest buffered depth diff, the book never synced`;
    throw new ReplayDataError(line, `no usable depth snapshot: ${why}`);
  }
}

import { countAnomaly, ReplayDataError } from './replay-message.ts';
import type { DecoderStats } from './replay-message.ts';

/** False (and counted) when the event's symbol is missing or another one than `symbol` (upper case). */
export function ownSymbol(stats: DecoderStats, symbol: string, s: unknown, line: number): boolean {
  if (typeof s !== 'string') {
    countAnomaly(stats, 'malformed', line);
    return false;
  }
  if (s !== symbol && s.toUpperCase() !== symbol) {
    countAnomaly(stats, 'other_symbol', line);
    return false;
  }
  return true;
}

/** Update-id spans [lo, hi] of each symbol's diffs read so far (attributing snapshots without a symbol). */
export class SymbolSpans {
  private ownLo = Infinity;
  private ownHi = -Infinity;
  private readonly otherSpans = new Map<string, { lo: number; hi: number }>();

  /** `symbol`: ours, upper case. */
  constructor(private readonly symbol: string) {}

  /** True once another symbol's diff has been read. */
  get hasOthers(): boolean {
    return this.otherSpans.size > 0;
  }

  own(U: number, u: number): void {
    if (U < this.ownLo) this.ownLo = U;
    if (u > this.ownHi) this.ownHi = u;
  }

  other(s: string, U: number, u: number): void {
    const key = s.toUpperCase();
    if (key === this.symbol) return;
    const span = this.otherSpans.get(key);
    if (!span) this.otherSpans.set(key, { lo: U, hi: u });
    else {
      if (U < span.lo) span.lo = U;
      if (u > span.hi) span.hi = u;
    }
  }

  /**
   * Whose is a snapshot without a symbol, with other symbols' diffs in the file? The one whose diffs'
   * update ids [first U, last u] so far lie nearest its lastUpdateId, by a factor of 2 over any other
   * (update ids count each symbol's own book, so a snapshot sits inside or just past its symbol's span).
   * `unknown`: none of ours read yet and it is in no other symbol's span; `ambiguous`: no clear nearest.
   */
  attribute(L: number): { who: 'ours' | 'other' | 'unknown' | 'ambiguous'; detail: string } {
    const dist = (lo: number, hi: number): number => (L < lo ? lo - L : L > hi ? L - hi : 0);
    let other = Infinity;
    let otherName = '';
    const spans: string[] = [];
    for (const [name, sp] of this.otherSpans) {
      const d = dist(sp.lo, sp.hi);
      spans.push(`${name} ${sp.lo}..${sp.hi}`);
      if (d < other) {
        other = d;
        otherName = name;
      }
    }
    if (this.ownHi > -Infinity) spans.unshift(`${this.symbol} ${this.ownLo}..${this.ownHi}`);
    const detail = `lastUpdateId ${L} against the update ids of the diffs read so far: ${spans.join(', ')}`;
    if (this.ownHi === -Infinity) return { who: other === 0 ? 'other' : 'unknown', detail: `${detail} (nearest ${otherName})` };
    const own = dist(this.ownLo, this.ownHi);
    if (own * 2 < other) return { who: 'ours', detail };
    if (other * 2 < own) return { who: 'other', detail };
    return { who: 'ambiguous', detail };
  }
}

export function ambiguousSnapshot(line: number, detail: string): ReplayDataError {
  return new ReplayDataError(
    line,
    `cannot tell which symbol this REST snapshot belongs to (it names none, and the file has several symbols' diffs): ${detail}; ` +
      'record snapshots with their symbol (a {"stream":"<symbol>@depth",...} wrapper or a "symbol" field), or one symbol per file',
  );
}

/** Recent diffs' update ids and times (a ring), to place untimed bookTickers by update id. */
const RECENT_DIFFS = 64;

/**
 * The recorder's clock against the exchange's, as far as the messages read so far tell it: its offset, and
 * the recent diffs' update ids and times that place a message without an exchange time (docs/replay.md, "Time").
 */
export class BinanceClock {
  /** The recorder's clock offset so far: the smallest receive minus exchange time of a timed message. */
  private offsetUs = Infinity;
  private readonly recentU = new Float64Array(RECENT_DIFFS);
  private readonly recentE = new Float64Array(RECENT_DIFFS);
  private recent = 0;

  /** A timed message of ours: its receive minus exchange time bounds the recorder's clock offset. */
  observeClock(localUs: number | undefined, exchangeUs: number): void {
    if (localUs !== undefined && localUs - exchangeUs < this.offsetUs) this.offsetUs = localUs - exchangeUs;
  }

  /** A diff of ours read with update id `u` at `exchangeUs` (kept in the ring placeUntimed searches). */
  recentDiff(u: number, exchangeUs: number): void {
    const j = this.recent++ % RECENT_DIFFS;
    this.recentU[j] = u;
    this.recentE[j] = exchangeUs;
  }

  /** A receive time on the exchange's clock (the offset so far removed); undefined without either. */
  corrected(localUs: number | undefined): number | undefined {
    return localUs === undefined || this.offsetUs === Infinity ? undefined : localUs - this.offsetUs;
  }

  /**
   * The exchange time of an untimed message with update id `u`: after the last diff it follows (u above
   * that diff's u), not after the first diff that contains it, and in between at its corrected receive time.
   * Undefined when nothing places it (no diff and no clock offset yet).
   */
  placeUntimed(u: number | undefined, localUs: number | undefined): number | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    if (u !== undefined) {
      const n = Math.min(this.recent, RECENT_DIFFS);
      for (let k = 1; k <= n; k++) {
        const j = (this.recent - k) % RECENT_DIFFS;
        if (this.recentU[j]! < u) {
          lo = this.recentE[j]!;
          break;
        }
        hi = this.recentE[j]!;
      }
    }
    const t = this.corrected(localUs) ?? (lo > -Infinity ? lo : hi < Infinity ? hi : undefined);
    if (t === undefined) return undefined;
    return Math.min(Math.max(t, lo), hi);
  }
}

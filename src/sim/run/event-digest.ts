import { createHash } from 'node:crypto';

/** Kinds of events folded into the digest. */
export const DigestKind = {
  trade: 2,
  placeArrival: 3,
  cancelArrival: 4,
  accepted: 5,
  rejected: 6,
  fill: 7,
  canceled: 8,
  cancelRejected: 9,
  feed: 10,
  query: 11,
  heartbeat: 12,
  dropped: 13,
} as const;

const FIELDS = 6;
const BATCH = 4096;

/**
 * A SHA-256 digest of the venue's events (the kinds above; README, `execution.digest`, says what each carries and
 * what is not hashed): every event is six numbers written into a Float64Array that is
 * hashed a batch at a time, so two runs can be compared by one string, cheaply, at millions of events/s.
 */
export class EventDigest {
  private readonly hash = createHash('sha256');
  private readonly buf = new Float64Array(BATCH * FIELDS);
  private used = 0;
  private total = 0;

  add(kind: number, time: number, a = 0, b = 0, c = 0, d = 0): void {
    const buf = this.buf;
    let i = this.used;
    buf[i++] = kind;
    buf[i++] = time;
    buf[i++] = a;
    buf[i++] = b;
    buf[i++] = c;
    buf[i++] = d;
    this.used = i;
    this.total++;
    if (i === buf.length) this.flush();
  }

  get count(): number {
    return this.total;
  }

  /** Hex SHA-256 of everything added; the digest is closed afterwards. */
  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.used === 0) return;
    // Float64Array bytes are little-endian on every platform Node supports.
    this.hash.update(new Uint8Array(this.buf.buffer, 0, this.used * 8));
    this.used = 0;
  }
}

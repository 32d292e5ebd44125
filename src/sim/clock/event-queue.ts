import { InvariantError } from '../../core/errors.ts';

const DEFAULT_CAPACITY = 64;

/**
 * A binary min-heap of payloads keyed on (time, seq), where `seq` is assigned by the queue from a
 * counter that starts at 0 and increments on every push. Equal times therefore pop in push order.
 *
 * Keys live in typed arrays and payloads in a slot array recycled through a free list, so a pop
 * followed by a push allocates nothing once the queue has reached its working size.
 */
export class EventQueue<T> {
  private times: Float64Array;
  /** For each heap position, the payload slot of its entry. */
  private slots: Int32Array;
  /**
   * Seq of the entry in each payload slot. Indexed by slot rather than heap position so that sifting
   * moves two arrays instead of three; the seq is only read to break ties on time.
   */
  private slotSeqs: Float64Array;
  private payloads: (T | undefined)[];
  /** A second payload per slot (the argument a dispatch record carries); undefined for most entries. */
  private args: unknown[];
  /** Stack of free payload slots; `freeTop` entries are valid. */
  private free: Int32Array;
  private freeTop = 0;
  private count = 0;
  private seqCounter = 0;
  private poppedTime = NaN;
  private poppedSeq = -1;
  private poppedArg: unknown = undefined;

  constructor(initialCapacity: number = DEFAULT_CAPACITY) {
    if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 1) {
      throw new InvariantError(`EventQueue capacity must be a positive integer, got ${initialCapacity}`);
    }
    this.times = new Float64Array(initialCapacity);
    this.slots = new Int32Array(initialCapacity);
    this.slotSeqs = new Float64Array(initialCapacity);
    this.free = new Int32Array(initialCapacity);
    this.payloads = [];
    this.args = [];
    for (let i = 0; i < initialCapacity; i++) {
      this.payloads.push(undefined);
      this.args.push(undefined);
    }
    this.resetFreeList();
  }

  get size(): number {
    return this.count;
  }

  /** Number of entries the typed arrays hold before they have to grow. */
  get capacity(): number {
    return this.times.length;
  }

  /** The seq the next push will get; every seq below it has been handed out. */
  get nextSeq(): number {
    return this.seqCounter;
  }

  /** Time of the entry returned by the last successful `pop()` (NaN before any). */
  get lastTime(): number {
    return this.poppedTime;
  }

  /** Seq of the entry returned by the last successful `pop()` (-1 before any). */
  get lastSeq(): number {
    return this.poppedSeq;
  }

  /** The `arg` pushed with the entry the last successful `pop()` returned. */
  get lastArg(): unknown {
    return this.poppedArg;
  }

  push(time: number, payload: T, arg?: unknown): number {
    // NaN compares false both ways and would silently corrupt the heap order.
    if (time !== time) throw new InvariantError('EventQueue.push: time is NaN');
    if (this.count === this.times.length) this.grow();
    const slot = this.free[--this.freeTop]!;
    const seq = this.seqCounter++;
    this.payloads[slot] = payload;
    this.args[slot] = arg;
    this.slotSeqs[slot] = seq;
    const times = this.times;
    const slots = this.slots;
    // Sift the hole up. Every entry already queued has a smaller seq than this one, so a parent
    // with an equal time stays above it.
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt <= time) break;
      times[i] = pt;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = time;
    slots[i] = slot;
    return seq;
  }

  /** Time of the earliest entry, Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  /** Seq of the earliest entry, -1 when empty. */
  peekSeq(): number {
    return this.count === 0 ? -1 : this.slotSeqs[this.slots[0]!]!;
  }

  /** Remove and return the earliest payload; `lastTime`/`lastSeq` then give its key. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const times = this.times;
    const slots = this.slots;
    const seqs = this.slotSeqs;
    const topSlot = slots[0]!;
    this.poppedTime = times[0]!;
    this.poppedSeq = seqs[topSlot]!;
    const payload = this.payloads[topSlot] as T;
    this.poppedArg = this.args[topSlot];
    this.payloads[topSlot] = undefined; // do not keep the payload alive
    this.args[topSlot] = undefined;
    this.free[this.freeTop++] = topSlot;

    const n = --this.count;
    if (n > 0) {
      // Move the last entry into the root hole and sift it down.
      const t = times[n]!;
      const sl = slots[n]!;
      const half = n >> 1;
      let i = 0;
      while (i < half) {
        let c = 2 * i + 1;
        const r = c + 1;
        if (r < n) {
          const lt = times[c]!;
          const rt = times[r]!;
          // Which child is earlier is a coin flip the branch predictor cannot learn, so it is chosen
          // without a branch (+bool is 0 or 1); siblings with equal times take the seq branch.
          if (rt !== lt) c += +(rt < lt);
          else if (seqs[slots[r]!]! < seqs[slots[c]!]!) c = r;
        }
        const ct = times[c]!;
        if (t <= ct && (t < ct || seqs[sl]! < seqs[slots[c]!]!)) break;
        times[i] = ct;
        slots[i] = slots[c]!;
        i = c;
      }
      times[i] = t;
      slots[i] = sl;
    }
    return payload;
  }

  /** Seq of the entry at heap position `index` (0 <= index < size, heap order). For scans. */
  seqAt(index: number): number {
    if (index < 0 || index >= this.count) return -1;
    return this.slotSeqs[this.slots[index]!]!;
  }

  /** Drop every entry. The seq counter keeps counting, so seqs stay unique for the queue's lifetime. */
  clear(): void {
    this.payloads.fill(undefined);
    this.args.fill(undefined);
    this.poppedArg = undefined;
    this.count = 0;
    this.poppedTime = NaN;
    this.poppedSeq = -1;
    this.resetFreeList();
  }

  private resetFreeList(): void {
    // Highest slot at the bottom so that slot 0 is handed out first.
    const cap = this.free.length;
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap;
  }

  private grow(): void {
    const oldCap = this.times.length;
    const cap = oldCap * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    this.times = times;
    const slotSeqs = new Float64Array(cap);
    slotSeqs.set(this.slotSeqs);
    this.slotSeqs = slotSeqs;
    const slots = new Int32Array(cap);
    slots.set(this.slots);
    this.slots = slots;
    // Only called when full: every old slot is in use and the free list is empty.
    this.free = new Int32Array(cap);
    for (let i = 0; i < oldCap; i++) this.free[i] = cap - 1 - i;
    this.freeTop = oldCap;
    for (let i = oldCap; i < cap; i++) {
      this.payloads.push(undefined);
      this.args.push(undefined);
    }
  }
}

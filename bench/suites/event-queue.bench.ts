/**
 * The virtual clock's event queue against the straightforward alternative.
 *
 * Workload: the steady state of a discrete-event simulator (the "hold model"). The queue is filled with
 * N pending events; one timed call then does 1,000 rounds of "pop the earliest, push a new event at its
 * time plus a seeded random delay", so the size stays N. Delays are whole µs drawn from an exponential
 * distribution with a mean of N µs (so the pending events are about one per µs of virtual time at every
 * size) and rounded, so equal times do occur and the seq tie-break is exercised: about 37% of pops have
 * the same time as the previous pop. The delays come from one precomputed table per size, shared by
 * every contender and read in the same order.
 *
 * Contenders (cases "<group>: <contender>", reported in ns per pop+push):
 *   - typed heap:   src/sim/clock/event-queue.ts, keys in typed arrays, payloads in a recycled slot array.
 *   - object heap:  a binary heap of {time, seq, payload} objects in a JS array (written below), with the
 *                   same (time, seq) order; one object allocated per push, sifting moves a hole.
 *   - VirtualClock: schedule + run-next through the real clock at 1e3 pending, each callback scheduling
 *                   the next event, via runUntilAtMost (the path market-driver uses) and via next():
 *                   the clock's overhead over the bare queue.
 * Setup checks (untimed) that both heaps pop the same (time, seq) sequence on the same input.
 *
 *   node --import tsx bench/suites/event-queue.bench.ts
 */
import seedrandom from 'seedrandom';
import { EventQueue } from '../../src/sim/clock/event-queue.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { runSuite } from '../support/suite.ts';
import type { BenchCase } from '../support/suite.ts';

const ROUNDS = 1_000;
const DELAY_TABLE = 1 << 16;
const OPTIONS = { minSamples: 5, maxTime: 2 };

const delayTables = new Map<number, Float64Array>();

/** Seeded whole-µs delays for n pending events: exponential with mean n µs, rounded (0 is possible). */
function delaysFor(n: number): Float64Array {
  let out = delayTables.get(n);
  if (!out) {
    const rng = seedrandom.alea(`bench/event-queue/delays/${n}`);
    out = new Float64Array(DELAY_TABLE);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(-Math.log(1 - rng()) * n);
    delayTables.set(n, out);
  }
  return out;
}
const MASK = DELAY_TABLE - 1;

interface Entry<T> {
  time: number;
  seq: number;
  payload: T;
}

/** The straightforward alternative: a binary min-heap of {time, seq, payload} objects in a JS array. */
class ObjectHeap<T> {
  private readonly items: Entry<T>[] = [];
  private seqCounter = 0;
  lastTime = NaN;
  lastSeq = -1;

  get size(): number {
    return this.items.length;
  }

  push(time: number, payload: T): number {
    const e: Entry<T> = { time, seq: this.seqCounter++, payload };
    const items = this.items;
    let i = items.length;
    items.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(e, parent)) break;
      items[i] = parent;
      i = p;
    }
    items[i] = e;
    return e.seq;
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(items[c + 1]!, items[c]!)) c++;
        if (!before(items[c]!, last)) break;
        items[i] = items[c]!;
        i = c;
      }
      items[i] = last;
    }
    this.lastTime = top.time;
    this.lastSeq = top.seq;
    return top.payload;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** What the two heaps share: enough to drive the hold model. */
interface Heap {
  readonly size: number;
  readonly lastTime: number;
  readonly lastSeq: number;
  push(time: number, payload: number): number;
  pop(): number | undefined;
}

/** Fill with n events at seeded delays from time 0. Returns the next index into the delay table. */
function prefill(q: Heap, n: number, delays: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) q.push(delays[k++ & MASK]!, i);
  return k;
}

/**
 * The timed functions: ROUNDS of pop the earliest, push at its time plus the next delay. One literal per
 * heap class, so that neither loop's call sites see the other class (V8 shares type feedback between
 * closures of one literal, which would make both loops polymorphic and slow down whichever runs later).
 */
function typedHoldLoop(q: EventQueue<number>, delays: Float64Array, startK: number): () => number {
  let k = startK;
  return () => {
    let sum = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const payload = q.pop()!;
      q.push(q.lastTime + delays[k++ & MASK]!, payload);
      sum += payload;
    }
    return sum;
  };
}

function objectHoldLoop(q: ObjectHeap<number>, delays: Float64Array, startK: number): () => number {
  let k = startK;
  return () => {
    let sum = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const payload = q.pop()!;
      q.push(q.lastTime + delays[k++ & MASK]!, payload);
      sum += payload;
    }
    return sum;
  };
}

const checkedSizes = new Set<number>();
/** Share of pops in the check whose time equals the next entry's (a tie the seq decides), by size. */
const tieShare = new Map<number, number>();

/** Untimed: both heaps pop the same (time, seq) sequence for the same input, or the bench is not fair. */
function checkSameOrder(n: number): void {
  if (checkedSizes.has(n)) return;
  const delays = delaysFor(n);
  const a = new EventQueue<number>();
  const b: Heap = new ObjectHeap<number>();
  let ka = prefill(a, n, delays);
  let kb = prefill(b, n, delays);
  let ties = 0;
  const rounds = Math.max(20_000, 2 * n);
  for (let r = 0; r < rounds; r++) {
    const pa = a.pop()!;
    const pb = b.pop()!;
    if (a.lastTime !== b.lastTime || a.lastSeq !== b.lastSeq || pa !== pb) {
      throw new Error(
        `event-queue bench @${n}: round ${r}: typed heap popped (${a.lastTime}, ${a.lastSeq}, ${pa}), object heap (${b.lastTime}, ${b.lastSeq}, ${pb})`,
      );
    }
    if (r > 0 && a.lastTime === a.peekTime()) ties++;
    a.push(a.lastTime + delays[ka++ & MASK]!, pa);
    b.push(b.lastTime + delays[kb++ & MASK]!, pb);
  }
  tieShare.set(n, Math.round((ties / rounds) * 1000) / 1000);
  // Drain both: the tails must agree too.
  while (a.size > 0) {
    a.pop();
    b.pop();
    if (a.lastTime !== b.lastTime || a.lastSeq !== b.lastSeq) throw new Error(`event-queue bench @${n}: drain order differs`);
  }
  checkedSizes.add(n);
}

function heapCase(label: string, n: number, contender: 'typed heap' | 'object heap'): BenchCase {
  return {
    name: `pop+push @${label}: ${contender}`,
    setup: () => {
      checkSameOrder(n);
      const delays = delaysFor(n);
      if (contender === 'typed heap') {
        const q = new EventQueue<number>();
        return typedHoldLoop(q, delays, prefill(q, n, delays));
      }
      const q = new ObjectHeap<number>();
      return objectHoldLoop(q, delays, prefill(q, n, delays));
    },
    unitsPerOp: ROUNDS,
    unit: 'pop+push',
    options: OPTIONS,
  };
}

/** The clock at n pending: every callback schedules the next event, so the number pending stays n. */
function clockCase(contender: string, n: number, run: (clock: VirtualClock) => void): BenchCase {
  return {
    name: `schedule+run @1e3: ${contender}`,
    setup: () => {
      const clock = new VirtualClock();
      const delays = delaysFor(n);
      let k = 0;
      let ran = 0;
      const callback = (): void => {
        ran++;
        clock.schedule(clock.now() + delays[k++ & MASK]!, callback);
      };
      for (let i = 0; i < n; i++) clock.schedule(delays[k++ & MASK]!, callback);
      // Sanity (untimed): one timed call runs exactly ROUNDS callbacks and keeps n pending.
      run(clock);
      if (ran !== ROUNDS || clock.pending !== n) throw new Error(`VirtualClock bench: ran ${ran}, pending ${clock.pending}`);
      return () => {
        run(clock);
        return ran;
      };
    },
    unitsPerOp: ROUNDS,
    unit: 'schedule+run',
    options: OPTIONS,
  };
}

const cases: BenchCase[] = [
  heapCase('1e3', 1_000, 'typed heap'),
  heapCase('1e3', 1_000, 'object heap'),
  heapCase('1e5', 100_000, 'typed heap'),
  heapCase('1e5', 100_000, 'object heap'),
  clockCase('VirtualClock.runUntilAtMost', 1_000, (clock) => {
    clock.runUntilAtMost(Number.MAX_SAFE_INTEGER, ROUNDS);
  }),
  clockCase('VirtualClock.next', 1_000, (clock) => {
    for (let r = 0; r < ROUNDS; r++) clock.next();
  }),
];

await runSuite('event-queue', cases, () => ({
  workload: `hold model: ${ROUNDS} x (pop earliest, push at its time + delay) per timed call; delays whole µs, exponential with mean N µs at N pending, seeded (alea)`,
  tie_share_of_pops: Object.fromEntries(tieShare),
  target: '<= 100 ns per pop+push at 1,000 pending (typed heap)',
}));

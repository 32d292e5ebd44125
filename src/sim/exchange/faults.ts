import type { Micros } from '../../core/clock.ts';

/** A timed fault from the scenario's `faults:` list, in microseconds. Active on [at, at + duration). */
export type Fault =
  | { readonly kind: 'disconnect'; readonly at: Micros; readonly duration: Micros }
  | { readonly kind: 'latency_spike'; readonly at: Micros; readonly duration: Micros; readonly factor: number }
  | { readonly kind: 'reject_storm'; readonly at: Micros; readonly duration: Micros; readonly probability: number }
  | { readonly kind: 'feed_freeze'; readonly at: Micros; readonly duration: Micros }
  | { readonly kind: 'ack_loss'; readonly at: Micros; readonly duration: Micros; readonly probability: number }
  | { readonly kind: 'list_responses'; readonly at: Micros; readonly duration: Micros };

export type FaultKind = Fault['kind'];

/** What each fault did, counted for the report. */
export interface FaultEffects {
  /** disconnect: messages lost on the way to the exchange / to the bot. */
  dropped_to_exchange: number;
  dropped_to_bot: number;
  /** latency_spike: messages sent while it was active (their latency multiplied). */
  messages_slowed: number;
  /** reject_storm: orders and cancels refused with `exchange_overloaded`. */
  overloaded: number;
  /** feed_freeze: book updates the bot never got. */
  feed_updates_suppressed: number;
  /** ack_loss: order and cancel acknowledgements dropped. */
  acks_dropped: number;
  /** list_responses: query answers sent as lists. */
  list_answers: number;
}

const noEffects = (): FaultEffects => ({
  dropped_to_exchange: 0,
  dropped_to_bot: 0,
  messages_slowed: 0,
  overloaded: 0,
  feed_updates_suppressed: 0,
  acks_dropped: 0,
  list_answers: 0,
});

/**
 * The scenario's fault timeline. Lookups scan the (short) list: a scenario has a handful of faults, and
 * the scan is cheaper than any index for that size.
 */
export class FaultSchedule {
  readonly effects: FaultEffects[];
  private readonly list: Fault[];
  /** Index of the outage opened by `openOutage` and not yet closed (-1: none). */
  private open = -1;

  constructor(faults: readonly Fault[]) {
    this.list = [...faults];
    this.effects = faults.map(noEffects);
  }

  get faults(): readonly Fault[] {
    return this.list;
  }

  /**
   * A disconnect that happens rather than one the scenario plans (a shadow session's live feed went down):
   * active from `at` until `closeOutage`, with the same effects on the session as a scheduled one.
   */
  openOutage(at: Micros): void {
    if (this.open >= 0) return;
    this.open = this.list.length;
    this.list.push({ kind: 'disconnect', at, duration: Infinity });
    this.effects.push(noEffects());
  }

  /** Ends the open outage at `at` (nothing when none is open). */
  closeOutage(at: Micros): void {
    if (this.open < 0) return;
    const f = this.list[this.open]!;
    this.list[this.open] = { kind: 'disconnect', at: f.at, duration: Math.max(0, at - f.at) };
    this.open = -1;
  }

  /** Index of the first fault of `kind` active at `t`, or -1. */
  activeIndex(kind: FaultKind, t: Micros): number {
    const fs = this.faults;
    for (let i = 0; i < fs.length; i++) {
      const f = fs[i]!;
      if (f.kind === kind && t >= f.at && t < f.at + f.duration) return i;
    }
    return -1;
  }

  active<K extends FaultKind>(kind: K, t: Micros): Extract<Fault, { kind: K }> | undefined {
    const i = this.activeIndex(kind, t);
    return i < 0 ? undefined : (this.faults[i] as Extract<Fault, { kind: K }>);
  }

  count(kind: FaultKind, t: Micros, effect: keyof FaultEffects): void {
    const i = this.activeIndex(kind, t);
    if (i >= 0) this.effects[i]![effect]++;
  }

  /** Product of the factors of the latency spikes active at `t` (1 when none). */
  latencyFactor(t: Micros): number {
    let factor = 1;
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.kind === 'latency_spike' && t >= f.at && t < f.at + f.duration) {
        factor *= f.factor;
        this.effects[i]!.messages_slowed++;
      }
    }
    return factor;
  }

  /** The report's view: each fault with its window in seconds and what it did (only its own effects). */
  summary(): Record<string, unknown>[] {
    return this.faults.map((f, i) => {
      const e = this.effects[i]!;
      const { kind, at, duration, ...params } = f;
      return { kind, at_s: at / 1e6, duration_s: duration / 1e6, ...params, effects: effectsOf(kind, e) };
    });
  }
}

function effectsOf(kind: FaultKind, e: FaultEffects): Partial<FaultEffects> {
  switch (kind) {
    case 'disconnect':
      return { dropped_to_exchange: e.dropped_to_exchange, dropped_to_bot: e.dropped_to_bot };
    case 'latency_spike':
      return { messages_slowed: e.messages_slowed };
    case 'reject_storm':
      return { overloaded: e.overloaded };
    case 'feed_freeze':
      return { feed_updates_suppressed: e.feed_updates_suppressed };
    case 'ack_loss':
      return { acks_dropped: e.acks_dropped };
    case 'list_responses':
      return { list_answers: e.list_answers };
  }
}

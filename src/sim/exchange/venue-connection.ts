import type { Clock, Micros } from '../../core/clock.ts';
import type { GatewayListener } from '../../core/exchange-gateway.ts';
import type { ExecutionEvent } from '../../core/types.ts';
import { DigestKind } from '../run/event-digest.ts';
import type { EventDigest } from '../run/event-digest.ts';
import type { FaultSchedule } from './faults.ts';
import type { RandomStream } from '../clock/rng.ts';

/** A network path with its own latency; `op` picks the per-operation distribution. */
export interface DeliveryChannel {
  deliveryTime(sentAt: Micros, op: string, factor?: number): Micros;
}

export interface Channels {
  /** Bot to exchange: orders, cancels, queries. */
  readonly entry: DeliveryChannel;
  /** Exchange to bot: acks, rejects, fills, cancel confirmations, query answers, heartbeats. */
  readonly response: DeliveryChannel;
  /** Exchange to bot: market data. */
  readonly feed: DeliveryChannel;
}

export interface VenueConnectionDeps {
  readonly clock: Clock;
  readonly channels: Channels;
  readonly digest: EventDigest;
  readonly faults: FaultSchedule;
  /** Draws for lost acks; only touched while such a fault is active. */
  readonly faultRng: RandomStream | undefined;
}

/**
 * The session between bot and venue: every message travels a channel with its own latency (slowed by the
 * scenario's latency faults), is lost while the connection is down when it is sent or when it would
 * arrive, and acks may be lost on their own.
 */
export class VenueConnection {
  /** The bot's side of the session; nothing reaches the bot before it connects. */
  listener: GatewayListener | undefined;
  readonly channels: Channels;
  private readonly clock: Clock;
  private readonly digest: EventDigest;
  private readonly faults: FaultSchedule;
  private readonly faultRng: RandomStream | undefined;

  constructor(deps: VenueConnectionDeps) {
    this.clock = deps.clock;
    this.channels = deps.channels;
    this.digest = deps.digest;
    this.faults = deps.faults;
    this.faultRng = deps.faultRng;
  }

  /** An execution report on the response channel; acks and cancel confirmations may be lost (ack loss). */
  respond(event: ExecutionEvent): void {
    const now = this.clock.now();
    if ((event.type === 'accepted' || event.type === 'canceled') && this.ackLost(now)) return;
    this.toBot(this.channels.response, event.type === 'fill' ? 'fill' : 'ack', (l) => l.onExecution(event));
  }

  private ackLost(now: Micros): boolean {
    const loss = this.faults.active('ack_loss', now);
    if (!loss || !this.faultRng || !this.faultRng.bernoulli(loss.probability)) return false;
    this.faults.count('ack_loss', now, 'acks_dropped');
    this.digest.add(DigestKind.dropped, now, 1);
    return true;
  }

  private disconnected(t: Micros): boolean {
    return this.faults.activeIndex('disconnect', t) >= 0;
  }

  /** A request from the bot: lost if the connection is down when it is sent or when it would arrive. */
  fromBot(op: string, handler: () => void): void {
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_exchange')) return;
    const at = this.channels.entry.deliveryTime(now, op, this.faults.latencyFactor(now));
    this.clock.schedule(at, () => {
      if (!this.dropped(at, 'dropped_to_exchange')) handler();
    });
  }

  /** A message to the bot, on the same terms. */
  toBot(channel: DeliveryChannel, op: string, deliver: (l: GatewayListener) => void): void {
    const listener = this.listener;
    if (!listener) return;
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_bot')) return;
    const at = channel.deliveryTime(now, op, this.faults.latencyFactor(now));
    this.clock.schedule(at, () => {
      if (!this.dropped(at, 'dropped_to_bot')) deliver(listener);
    });
  }

  private dropped(t: Micros, effect: 'dropped_to_exchange' | 'dropped_to_bot'): boolean {
    if (!this.disconnected(t)) return false;
    this.faults.count('disconnect', t, effect);
    this.digest.add(DigestKind.dropped, t, effect === 'dropped_to_exchange' ? 2 : 3);
    return true;
  }
}

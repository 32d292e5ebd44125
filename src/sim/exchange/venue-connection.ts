import type { Micros } from '../../core/clock.ts';
import type { GatewayListener } from '../../core/exchange-gateway.ts';
import type { BookTop, ExecutionEvent, Heartbeat, PublicTrade, QueryResult } from '../../core/types.ts';
import type { DispatchClock } from '../clock/dispatch-clock.ts';
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

/** What the bot is sent, by the listener method that receives it. */
export const ToBot = { execution: 0, marketData: 1, publicTrade: 2, queryResult: 3, heartbeat: 4 } as const;
export type ToBotKind = (typeof ToBot)[keyof typeof ToBot];
type ToBotPayload = ExecutionEvent | BookTop | PublicTrade | QueryResult | Heartbeat;

export interface VenueConnectionDeps {
  readonly clock: DispatchClock;
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
  private readonly clock: DispatchClock;
  private readonly digest: EventDigest;
  private readonly faults: FaultSchedule;
  private readonly faultRng: RandomStream | undefined;
  // Messages in flight to the bot, one record per message in parallel arrays recycled through a free
  // list: what it is, its payload, and the listener it was sent to. The clock carries the record's index.
  private readonly kinds: ToBotKind[] = [];
  private readonly payloads: (ToBotPayload | undefined)[] = [];
  private readonly listeners: (GatewayListener | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly deliver = (record: number): void => this.deliverRecord(record);

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
    this.toBot(this.channels.response, event.type === 'fill' ? 'fill' : 'ack', ToBot.execution, event);
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

  /**
   * A request from the bot: lost if the connection is down when it is sent or when it would arrive.
   * `arrive` is made once per kind of request (the exchange's bound handler), so nothing is allocated.
   */
  fromBot<R>(op: string, arrive: (request: R) => void, request: R): void {
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_exchange')) return;
    const at = this.channels.entry.deliveryTime(now, op, this.faults.latencyFactor(now));
    this.clock.dispatch(at, arrive, request);
  }

  /** Bound once per handler: the request's arrival, unless the connection is down then. */
  arrival<R>(handler: (request: R) => void): (request: R) => void {
    return (request) => {
      if (!this.dropped(this.clock.now(), 'dropped_to_exchange')) handler(request);
    };
  }

  /** A message to the bot, on the same terms. */
  toBot(channel: DeliveryChannel, op: string, kind: ToBotKind, payload: ToBotPayload): void {
    const listener = this.listener;
    if (!listener) return;
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_bot')) return;
    const at = channel.deliveryTime(now, op, this.faults.latencyFactor(now));
    const record = this.free.length > 0 ? this.free.pop()! : this.kinds.length;
    this.kinds[record] = kind;
    this.payloads[record] = payload;
    this.listeners[record] = listener;
    this.clock.dispatch(at, this.deliver, record);
  }

  private deliverRecord(record: number): void {
    const kind = this.kinds[record]!;
    const payload = this.payloads[record]!;
    const listener = this.listeners[record]!;
    this.payloads[record] = undefined;
    this.listeners[record] = undefined;
    this.free.push(record);
    if (this.dropped(this.clock.now(), 'dropped_to_bot')) return;
    switch (kind) {
      case ToBot.execution:
        return listener.onExecution(payload as ExecutionEvent);
      case ToBot.marketData:
        return listener.onMarketData(payload as BookTop);
      case ToBot.publicTrade:
        return listener.onPublicTrade?.(payload as PublicTrade);
      case ToBot.queryResult:
        return listener.onQueryResult(payload as QueryResult);
      case ToBot.heartbeat:
        return listener.onHeartbeat(payload as Heartbeat);
    }
  }

  private dropped(t: Micros, effect: 'dropped_to_exchange' | 'dropped_to_bot'): boolean {
    if (!this.disconnected(t)) return false;
    this.faults.count('disconnect', t, effect);
    this.digest.add(DigestKind.dropped, t, effect === 'dropped_to_exchange' ? 2 : 3);
    return true;
  }
}

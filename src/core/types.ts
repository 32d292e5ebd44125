import type { Micros } from './clock.ts';

export type Side = 'buy' | 'sell';

/** +1 for a buy, -1 for a sell: the sign of the position change. */
export const sideSign = (side: Side): 1 | -1 => (side === 'buy' ? 1 : -1);

/**
 * Inside the bot and the simulated exchange prices are integer ticks and quantities integer lots;
 * an instrument converts them to the venue's decimals and to USD at the boundary.
 */
export interface Instrument {
  readonly symbol: string;
  /** Price of one tick in quote currency (USD). */
  readonly tickSize: number;
  /** Base quantity of one lot. */
  readonly lotSize: number;
}

export const notionalUsd = (inst: Instrument, ticks: number, lots: number): number =>
  Math.abs(lots) * inst.lotSize * ticks * inst.tickSize;

/** Why an order or a cancel did not go through. Exchange reasons first, then the bot's own risk blocks. */
export type ExchangeRejectReason =
  | 'post_only_would_cross'
  | 'rate_limited'
  | 'min_size'
  | 'min_notional'
  | 'price_band'
  | 'insufficient_margin'
  | 'exchange_overloaded';
/**
 * The bot's own blocks: limits, a freeze, and (for a strategy that places anyway) no usable session or
 * book yet (`risk_not_ready`: disconnected, stale book, recon pending after a fault) or a rate-limit
 * back-off (`risk_backoff`).
 */
export type RiskRejectReason = 'risk_notional_limit' | 'risk_position_limit' | 'risk_frozen' | 'risk_not_ready' | 'risk_backoff';
export type RejectReason = ExchangeRejectReason | RiskRejectReason;
/**
 * Why a cancel did not go through. After `unknown_order` or `too_late_to_cancel` the order is gone on the
 * venue; after `rate_limited` or `exchange_overloaded` it is still live and the cancel must be retried.
 */
export type CancelRejectReason = 'unknown_order' | 'too_late_to_cancel' | 'rate_limited' | 'exchange_overloaded';

/**
 * How long an order that takes liquidity on arrival may live: `GTC` rests what it could not take as a
 * normal maker order, `IOC` cancels it at once. A post-only order never takes and always rests (GTC).
 */
export type TimeInForce = 'GTC' | 'IOC';

/** A new limit order sent by the bot (post-only unless `postOnly` is false). */
export interface PlaceRequest {
  readonly type: 'place';
  readonly clientId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly postOnly: boolean;
  /** Default GTC. */
  readonly timeInForce?: TimeInForce;
}

export interface CancelRequest {
  readonly type: 'cancel';
  readonly clientId: string;
  readonly symbol: string;
}

/** Account queries recon sends; the venue answers each with a `QueryResult`. */
export type QueryKind = 'open_orders' | 'positions';

export interface QueryRequest {
  readonly type: 'query';
  readonly kind: QueryKind;
  readonly requestId: number;
}

/**
 * The venue's answer to a query, as raw data (JSON off the wire): normally a mapping keyed by client id
 * or symbol, but venues also answer with lists, so the bot must normalise it (`ensureMapping`).
 */
export interface QueryResult {
  readonly type: 'query_result';
  readonly kind: QueryKind;
  readonly requestId: number;
  readonly data: unknown;
  readonly exchangeTime: Micros;
}

/** A session keep-alive: the bot tells a dead connection from a quiet one by their absence. */
export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly exchangeTime: Micros;
}

/** What the venue tells the bot about its orders. `exchangeTime` is the venue's timestamp of the event. */
export type ExecutionEvent =
  | { readonly type: 'accepted'; readonly clientId: string; readonly exchangeTime: Micros }
  | { readonly type: 'rejected'; readonly clientId: string; readonly reason: ExchangeRejectReason; readonly exchangeTime: Micros }
  | {
      readonly type: 'fill';
      readonly clientId: string;
      readonly symbol: string;
      readonly side: Side;
      readonly priceTicks: number;
      readonly qtyLots: number;
      /** Lots still resting after this fill; 0 means the order is done. */
      readonly leavesLots: number;
      readonly liquidity: 'maker' | 'taker';
      /** Fee in USD; negative for a maker rebate. */
      readonly feeUsd: number;
      readonly exchangeTime: Micros;
    }
  | { readonly type: 'canceled'; readonly clientId: string; readonly leavesLots: number; readonly exchangeTime: Micros }
  | { readonly type: 'cancel_rejected'; readonly clientId: string; readonly reason: CancelRejectReason; readonly exchangeTime: Micros };

/** One price level of the feed's depth, in ticks and lots. */
export interface DepthLevel {
  readonly priceTicks: number;
  readonly lots: number;
}

/**
 * The book as the bot's market-data feed delivers it: the top always, and with a feed of more than one
 * level the top N levels of each side, best first (the top among them).
 */
export interface BookTop {
  readonly type: 'book';
  readonly symbol: string;
  readonly bidTicks: number;
  readonly bidLots: number;
  readonly askTicks: number;
  readonly askLots: number;
  readonly bids?: readonly DepthLevel[];
  readonly asks?: readonly DepthLevel[];
  readonly exchangeTime: Micros;
}

/** A public trade (a print of the market) as the bot's feed delivers it; `side` is the aggressor's. */
export interface PublicTrade {
  readonly type: 'trade';
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly exchangeTime: Micros;
}

export type MarketEvent = BookTop;

export const midTicks = (book: BookTop): number => (book.bidTicks + book.askTicks) / 2;

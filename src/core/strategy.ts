/**
 * The Strategy API: what a quoting strategy sees of the bot and what it may ask of it. Built-in
 * strategies (src/core/strategies/) and users' own modules are written against these types only; the
 * order manager (order-manager.ts) under every strategy keeps the rules that make a bot safe. Prices and
 * quantities here are the venue's decimals (ticks and lots inside the bot); times are integer
 * microseconds on the bot's clock (virtual in a simulation, wall in a live run).
 */
import type { Side } from './types.ts';

export type { Side } from './types.ts';

/** One price level: price in quote currency, quantity in the base asset. */
export interface BookLevel {
  readonly price: number;
  readonly qty: number;
}

/** The book as the bot's feed delivers it: each side best first; `time` is the venue's timestamp (µs). */
export interface BookView {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly time: number;
}

/** A public trade from the feed; `side` is the aggressor's. */
export interface TradeView {
  readonly price: number;
  readonly qty: number;
  readonly side: Side;
  readonly time: number;
}

export type OrderStatus = 'pending_new' | 'open' | 'pending_cancel';

/**
 * One of the bot's live orders. `pending_new`: sent, not yet acknowledged; `open`: resting on the venue;
 * `pending_cancel`: a cancel is asked for or in flight (the order may still fill until it is confirmed).
 */
export interface OrderView {
  readonly id: string;
  readonly side: Side;
  readonly price: number;
  readonly qty: number;
  readonly filledQty: number;
  readonly status: OrderStatus;
}

/**
 * What happened to an order, on the order's own stream (`time`: the venue's timestamp, or the bot's
 * clock for the bot's own blocks). `rejected` carries the venue's reason or the bot's pre-trade block
 * (`risk_*`); after `rejected`, `canceled` or a `fill` with `leavesQty` 0 the order is gone.
 */
export type OrderUpdate =
  | { readonly type: 'accepted'; readonly id: string; readonly side: Side; readonly time: number }
  | { readonly type: 'rejected'; readonly id: string; readonly side: Side; readonly reason: string; readonly time: number }
  | {
      readonly type: 'fill';
      readonly id: string;
      readonly side: Side;
      /** This fill's price and quantity. */
      readonly price: number;
      readonly qty: number;
      /** Filled so far, this fill included, and what still rests. */
      readonly filledQty: number;
      readonly leavesQty: number;
      readonly liquidity: 'maker' | 'taker';
      /** Fee in USD; negative for a maker rebate. */
      readonly feeUsd: number;
      readonly time: number;
    }
  | { readonly type: 'canceled'; readonly id: string; readonly side: Side; readonly time: number };

export interface PlaceOrder {
  readonly side: Side;
  /** A multiple of the instrument's tick size. */
  readonly price: number;
  /** A positive multiple of the instrument's lot size. */
  readonly qty: number;
  /**
   * Default true: the venue rejects the order rather than let it take liquidity. With false the order
   * takes the book up to its limit when it arrives (taker fills, taker fee).
   */
  readonly postOnly?: boolean;
  /**
   * For a taker order, what becomes of the quantity it could not take on arrival: `GTC` (default) rests
   * it at the limit as a maker order, `IOC` cancels it (a `canceled` update follows the fills).
   */
  readonly timeInForce?: 'GTC' | 'IOC';
}

export interface StrategyInstrument {
  readonly symbol: string;
  readonly tickSize: number;
  readonly lotSize: number;
}

export interface StrategyContext {
  /** Microseconds, virtual or wall. */
  now(): number;
  readonly instrument: StrategyInstrument;
  /** The latest book from the feed; undefined before the first one. */
  book(): BookView | undefined;
  /** `qty`: signed position in the base asset (positive = long); `notionalUsd`: |qty| at the bot's mark. */
  position(): { qty: number; notionalUsd: number };
  /** Live orders in the order they were sent. */
  openOrders(): readonly OrderView[];
  /**
   * Sends a limit order (after the bot's risk checks) and returns its id at once; what becomes of it
   * comes back through `onOrder`. A block by the bot itself is a `rejected` update with a `risk_*`
   * reason, delivered after the current handler returns.
   */
  place(order: PlaceOrder): string;
  /** Cancels a live order (once: a second cancel, or one of an unknown id, does nothing). */
  cancel(id: string): void;
  cancelAll(): void;
  /** Calls `onTimer(ctx, name)` after `afterUs` µs; setting a pending timer again moves it. */
  setTimer(name: string, afterUs: number): void;
  /** Uniform in [0, 1) from the seeded stream `strategy`. */
  random(): number;
}

/** Every handler is optional and runs on the bot's clock, never re-entrantly. */
export interface Strategy {
  onStart?(ctx: StrategyContext): void;
  /** Depth as the bot's feed delivers it. */
  onBook?(ctx: StrategyContext, book: BookView): void;
  /** Public trades from the feed. */
  onTrade?(ctx: StrategyContext, trade: TradeView): void;
  /** accepted | rejected | fill | canceled. */
  onOrder?(ctx: StrategyContext, update: OrderUpdate): void;
  onTimer?(ctx: StrategyContext, name: string): void;
  onStop?(ctx: StrategyContext): void;
}

/** What a strategy module default-exports: its scenario `params` in, a strategy out. */
export type StrategyFactory<P = Record<string, unknown>> = (params: P) => Strategy;

export const STRATEGY_HANDLERS = ['onStart', 'onBook', 'onTrade', 'onOrder', 'onTimer', 'onStop'] as const;
export type StrategyHandler = (typeof STRATEGY_HANDLERS)[number];

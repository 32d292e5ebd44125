import type { Clock, TimerHandle } from './clock.ts';
import { MmsimError } from './errors.ts';
import type { Instrument, Side, TimeInForce } from './types.ts';
import type { BookView, OrderUpdate, OrderView, PlaceOrder, Strategy, StrategyContext, StrategyHandler, TradeView } from './strategy.ts';

/**
 * A strategy broke its contract: a handler threw, or it asked for a price off the tick grid or a size off
 * the lot grid. The run stops; the CLI prints the one line (naming the strategy's file and handler) and
 * exits 1.
 */
export class StrategyError extends MmsimError {
  constructor(
    readonly strategy: string,
    readonly handler: string,
    detail: string,
  ) {
    super('STRATEGY_FAILED', `strategy ${strategy}: ${handler}: ${detail}`);
  }
}

/**
 * What the built-in strategies see beyond the public context: whether the order manager would send a
 * quote now. A user strategy that places anyway gets a `rejected` update with the reason instead.
 */
export interface BuiltinContext extends StrategyContext {
  /** Live connection, a book, no risk freeze, no recon pending after a fault. */
  canQuote(): boolean;
  /** Inside a rate-limit back-off: cancels go out, new orders do not. */
  backingOff(): boolean;
}

export interface BuiltinStrategy extends Strategy {
  onStart?(ctx: BuiltinContext): void;
  onBook?(ctx: BuiltinContext, book: BookView): void;
  onTrade?(ctx: BuiltinContext, trade: TradeView): void;
  onOrder?(ctx: BuiltinContext, update: OrderUpdate): void;
  onTimer?(ctx: BuiltinContext, name: string): void;
  /** Quoting may have become possible again: a risk freeze ended, or recon after a fault finished. */
  onReady?(ctx: BuiltinContext): void;
}

/** What the host needs from the order manager, in ticks and lots. */
export interface ManagedOrders {
  readonly instrument: Instrument;
  book(): BookView | undefined;
  positionLots(): number;
  positionNotionalUsd(): number;
  openOrders(): OrderView[];
  place(side: Side, priceTicks: number, qtyLots: number, postOnly: boolean, timeInForce: TimeInForce): string;
  cancel(id: string): void;
  cancelAll(): void;
  canQuote(): boolean;
  backingOff(): boolean;
  running(): boolean;
}

const GRID_EPSILON = 1e-9;

/**
 * Runs one strategy for the order manager: builds its context, converts decimals to ticks and lots and
 * checks them, keeps its timers, and calls its handlers one at a time (an update raised while a handler
 * runs, such as a risk block of its own `place`, is delivered after it returns). Any failure becomes a
 * StrategyError naming the strategy and the handler.
 */
export class StrategyHost {
  readonly ctx: BuiltinContext;
  private current: string | undefined;
  private held = 0;
  private readonly deferred: OrderUpdate[] = [];
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly strategy: BuiltinStrategy,
    readonly label: string,
    private readonly clock: Clock,
    private readonly orders: ManagedOrders,
    random: () => number,
  ) {
    const inst = orders.instrument;
    this.ctx = {
      now: () => clock.now(),
      instrument: { symbol: inst.symbol, tickSize: inst.tickSize, lotSize: inst.lotSize },
      book: () => orders.book(),
      position: () => ({ qty: orders.positionLots() * inst.lotSize, notionalUsd: orders.positionNotionalUsd() }),
      openOrders: () => orders.openOrders(),
      place: (order) => this.place(order),
      cancel: (id) => {
        if (typeof id === 'string') orders.cancel(id);
      },
      cancelAll: () => orders.cancelAll(),
      setTimer: (name, afterUs) => this.setTimer(name, afterUs),
      random,
      canQuote: () => orders.canQuote(),
      backingOff: () => orders.backingOff(),
    };
  }

  start(): void {
    this.call('onStart', this.strategy.onStart, undefined);
  }

  book(book: BookView): void {
    if (this.strategy.onBook) this.call('onBook', this.strategy.onBook, book);
  }

  /** Whether the strategy reads public trades (a venue need not send them otherwise). */
  get wantsTrades(): boolean {
    return typeof this.strategy.onTrade === 'function';
  }

  trade(trade: TradeView): void {
    if (this.strategy.onTrade) this.call('onTrade', this.strategy.onTrade, trade);
  }

  ready(): void {
    if (this.strategy.onReady) this.call('onReady', this.strategy.onReady, undefined);
  }

  stop(): void {
    for (const handle of this.timers.values()) this.clock.cancel(handle);
    this.timers.clear();
    this.call('onStop', this.strategy.onStop, undefined);
  }

  /** An update for the strategy: now, or after the running handler (or the held section) ends. */
  update(update: OrderUpdate): void {
    if (!this.strategy.onOrder) return;
    if (this.current !== undefined || this.held > 0) this.deferred.push(update);
    else this.call('onOrder', this.strategy.onOrder, update);
  }

  /** Holds updates back while the manager changes several orders at once (recon), then delivers them. */
  hold(section: () => void): void {
    this.held++;
    try {
      section();
    } finally {
      this.held--;
    }
    if (this.held === 0 && this.current === undefined) this.drain();
  }

  /** Runs the strategy's `run(ctx, arg)` (a method of it, called on it) as `handler`; no closure per event. */
  private call<A>(handler: StrategyHandler | 'onReady', run: ((ctx: BuiltinContext, arg: A) => void) | undefined, arg: A): void {
    this.current = handler;
    try {
      run?.call(this.strategy, this.ctx, arg);
    } catch (err) {
      if (err instanceof StrategyError) throw err;
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new StrategyError(this.label, handler, `threw ${firstLine(text)}`);
    } finally {
      this.current = undefined;
    }
    if (this.held === 0) this.drain();
  }

  private drain(): void {
    const next = this.deferred.shift();
    // Each delivery drains what it raised in turn (call -> drain), in order.
    if (next !== undefined) this.call('onOrder', this.strategy.onOrder, next);
  }

  private fail(detail: string): never {
    throw new StrategyError(this.label, this.current ?? 'place', detail);
  }

  private place(order: PlaceOrder): string {
    const inst = this.orders.instrument;
    if (order === null || typeof order !== 'object') this.fail(`place expects {side, price, qty}, got ${String(order)}`);
    const { side, price, qty, postOnly, timeInForce } = order;
    if (side !== 'buy' && side !== 'sell') this.fail(`place: side must be "buy" or "sell", got ${JSON.stringify(side)}`);
    const priceTicks = onGrid(price, inst.tickSize);
    if (priceTicks === undefined || priceTicks <= 0) this.fail(`place: price ${String(price)} is off the tick grid (tick size ${inst.tickSize}, a positive multiple)`);
    const qtyLots = onGrid(qty, inst.lotSize);
    if (qtyLots === undefined || qtyLots <= 0) this.fail(`place: qty ${String(qty)} is off the lot grid (lot size ${inst.lotSize}, a positive multiple)`);
    if (postOnly !== undefined && typeof postOnly !== 'boolean') this.fail(`place: postOnly must be true or false, got ${JSON.stringify(postOnly)}`);
    if (timeInForce !== undefined && timeInForce !== 'GTC' && timeInForce !== 'IOC') this.fail(`place: timeInForce must be "GTC" or "IOC", got ${JSON.stringify(timeInForce)}`);
    if (timeInForce === 'IOC' && postOnly !== false) this.fail('place: timeInForce "IOC" needs postOnly: false (a post-only order never takes, so IOC would cancel it unfilled)');
    return this.orders.place(side, priceTicks, qtyLots, postOnly ?? true, timeInForce ?? 'GTC');
  }

  private setTimer(name: string, afterUs: number): void {
    if (typeof name !== 'string') this.fail(`setTimer: the name must be a string, got ${String(name)}`);
    if (typeof afterUs !== 'number' || !Number.isFinite(afterUs) || afterUs < 0) this.fail(`setTimer("${name}"): afterUs must be a finite number >= 0, got ${String(afterUs)}`);
    if (!this.orders.running()) return;
    const old = this.timers.get(name);
    if (old !== undefined) this.clock.cancel(old);
    const handle = this.clock.schedule(this.clock.now() + Math.round(afterUs), () => {
      this.timers.delete(name);
      if (!this.orders.running() || !this.strategy.onTimer) return;
      this.call('onTimer', this.strategy.onTimer, name);
    });
    this.timers.set(name, handle);
  }
}

/** `value / step` as an integer when it is one (within float error), else undefined. */
function onGrid(value: unknown, step: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const units = value / step;
  const whole = Math.round(units);
  return Math.abs(units - whole) <= GRID_EPSILON * Math.max(1, Math.abs(units)) ? whole : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** A price level as venues print it: [price, quantity], both decimal strings. */
export type Level = [string, string];

/** One side of the mock's own book, keyed by the price string the venue printed (its decimal form is canonical). */
export class BookSide {
  private readonly levels = new Map<string, string>();
  private sorted: Level[] | undefined;

  constructor(private readonly descending: boolean) {}

  /** Absolute quantity per level; a zero quantity removes the level (a missing level being removed is normal). */
  set(price: string, qty: string): void {
    if (Number(qty) === 0) this.levels.delete(price);
    else this.levels.set(price, qty);
    this.sorted = undefined;
  }

  replace(levels: readonly Level[]): void {
    this.levels.clear();
    for (const [p, q] of levels) this.set(p, q);
    this.sorted = undefined;
  }

  get size(): number {
    return this.levels.size;
  }

  get(price: string): string | undefined {
    return this.levels.get(price);
  }

  /** The best `n` levels, best first (all when n is undefined). */
  top(n?: number): Level[] {
    if (!this.sorted) {
      const sign = this.descending ? -1 : 1;
      this.sorted = [...this.levels].sort((x, y) => sign * (Number(x[0]) - Number(y[0])));
    }
    return (n === undefined ? this.sorted : this.sorted.slice(0, n)).map(([p, q]) => [p, q]);
  }
}

export class Book {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);

  apply(bids: readonly Level[], asks: readonly Level[]): void {
    for (const [p, q] of bids) this.bids.set(p, q);
    for (const [p, q] of asks) this.asks.set(p, q);
  }

  replace(bids: readonly Level[], asks: readonly Level[]): void {
    this.bids.replace(bids);
    this.asks.replace(asks);
  }

  /** The top `n` levels per side as they would be after applying `bids`/`asks`, leaving this book untouched. */
  topAfter(n: number | undefined, bids: readonly Level[], asks: readonly Level[]): { bids: Level[]; asks: Level[] } {
    const copy = new Book();
    copy.replace(this.bids.top(), this.asks.top());
    copy.apply(bids, asks);
    return { bids: copy.bids.top(n), asks: copy.asks.top(n) };
  }
}

import type { ExchangeGateway, GatewayListener } from '../../src/core/exchange-gateway.ts';
import type { BookTop, CancelRequest, PlaceRequest, QueryRequest } from '../../src/core/types.ts';

/** A hand-written venue for unit tests: it records requests and the test decides every answer. */
export class StubGateway implements ExchangeGateway {
  listener: GatewayListener | undefined;
  readonly places: PlaceRequest[] = [];
  readonly cancels: CancelRequest[] = [];
  readonly queries: QueryRequest[] = [];

  connect(listener: GatewayListener): void {
    this.listener = listener;
  }
  placeOrder(request: PlaceRequest): void {
    this.places.push(request);
  }
  cancelOrder(request: CancelRequest): void {
    this.cancels.push(request);
  }
  query(request: QueryRequest): void {
    this.queries.push(request);
  }

  answer(request: QueryRequest, data: unknown, exchangeTime = 0): void {
    this.listener!.onQueryResult({ type: 'query_result', kind: request.kind, requestId: request.requestId, data, exchangeTime });
  }
  heartbeat(exchangeTime = 0): void {
    this.listener!.onHeartbeat({ type: 'heartbeat', exchangeTime });
  }

  book(bidTicks: number, askTicks: number, exchangeTime: number, symbol = 'TEST'): void {
    const top: BookTop = { type: 'book', symbol, bidTicks, bidLots: 10, askTicks, askLots: 10, exchangeTime };
    this.listener!.onMarketData(top);
  }
  accept(clientId: string, exchangeTime = 0): void {
    this.listener!.onExecution({ type: 'accepted', clientId, exchangeTime });
  }
  reject(clientId: string, exchangeTime = 0): void {
    this.listener!.onExecution({ type: 'rejected', clientId, reason: 'post_only_would_cross', exchangeTime });
  }
  fill(order: PlaceRequest, qtyLots: number, leavesLots: number, exchangeTime: number): void {
    this.listener!.onExecution({
      type: 'fill',
      clientId: order.clientId,
      symbol: order.symbol,
      side: order.side,
      priceTicks: order.priceTicks,
      qtyLots,
      leavesLots,
      liquidity: 'maker',
      feeUsd: 0,
      exchangeTime,
    });
  }
  canceled(clientId: string, leavesLots: number, exchangeTime = 0): void {
    this.listener!.onExecution({ type: 'canceled', clientId, leavesLots, exchangeTime });
  }
}

import type { CancelRequest, ExecutionEvent, Heartbeat, MarketEvent, PlaceRequest, QueryRequest, QueryResult } from './types.ts';

/** Receives what the venue sends. Called by the gateway on the bot's clock, never re-entrantly. */
export interface GatewayListener {
  onExecution(event: ExecutionEvent): void;
  onMarketData(event: MarketEvent): void;
  onQueryResult(result: QueryResult): void;
  onHeartbeat(heartbeat: Heartbeat): void;
}

/**
 * The only way the bot sees the venue. Requests are fire-and-forget: every outcome (ack, reject,
 * fill, cancel) comes back later as an ExecutionEvent, as it does over a real exchange connection.
 * A live adapter implements it over REST/websocket; the simulator implements it as SimExchange.
 */
export interface ExchangeGateway {
  connect(listener: GatewayListener): void;
  placeOrder(request: PlaceRequest): void;
  cancelOrder(request: CancelRequest): void;
  /** Ask for the account's open orders or positions (recon). */
  query(request: QueryRequest): void;
}

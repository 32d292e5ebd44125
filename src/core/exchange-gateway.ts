import type { CancelRequest, ExecutionEvent, Heartbeat, MarketEvent, PlaceRequest, PublicTrade, QueryRequest, QueryResult } from './types.ts';

/** Receives what the venue sends. Called by the gateway on the bot's clock, never re-entrantly. */
export interface GatewayListener {
  onExecution(event: ExecutionEvent): void;
  onMarketData(event: MarketEvent): void;
  /**
   * Public trades on the feed channel (FIFO with the books). Optional: a venue sends them only to a
   * listener that has this handler and asked for them.
   */
  onPublicTrade?(trade: PublicTrade): void;
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

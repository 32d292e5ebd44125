import type { ExchangeGateway, GatewayListener } from '../../core/exchange-gateway.ts';
import type { PublicTrade } from '../../core/types.ts';
import type { Clock } from '../../core/clock.ts';
import type { OrderLog } from './orders-csv.ts';
import type { RunObserver } from './runner.ts';

/** Both observers, the order log's first (it only records). */
export function teeObserver(log: OrderLog, obs: RunObserver | undefined): RunObserver {
  if (!obs) return { onRequest: (r, now) => log.onRequest(r, now) };
  return {
    ...obs,
    onRequest: (r, now) => {
      log.onRequest(r, now);
      obs.onRequest?.(r, now);
    },
  };
}

/** The gateway as the bot sees it, with every message also shown to the observer. */
export function observedGateway(gateway: ExchangeGateway, clock: Clock, obs: RunObserver): ExchangeGateway {
  // Only requests watched (the order log alone): the venue talks to the bot directly.
  const listens = obs.onExecution !== undefined || obs.onMarketData !== undefined || obs.onQueryResult !== undefined;
  const tapped = (listener: GatewayListener): GatewayListener => ({
    onExecution: (e) => {
      listener.onExecution(e);
      obs.onExecution?.(e, clock.now());
    },
    onMarketData: (e) => {
      listener.onMarketData(e);
      obs.onMarketData?.(e, clock.now());
    },
    onQueryResult: (r) => {
      listener.onQueryResult(r);
      obs.onQueryResult?.(r, clock.now());
    },
    onHeartbeat: (h) => listener.onHeartbeat(h),
    ...(listener.onPublicTrade ? { onPublicTrade: (t: PublicTrade) => listener.onPublicTrade!(t) } : {}),
  });
  return {
    connect: (listener) => gateway.connect(listens ? tapped(listener) : listener),
    placeOrder: (r) => {
      obs.onRequest?.(r, clock.now());
      gateway.placeOrder(r);
    },
    cancelOrder: (r) => {
      obs.onRequest?.(r, clock.now());
      gateway.cancelOrder(r);
    },
    query: (r) => {
      obs.onRequest?.(r, clock.now());
      gateway.query(r);
    },
  };
}

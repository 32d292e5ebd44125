// `mmsim sim --metrics-port`: serves a run's own prom-client Registry over HTTP while the run goes on.
// Real timers are allowed here (src/cli), never in src/core or src/sim: the runner only awaits the pace
// hook it is given, and yieldToEventLoop is that hook.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../core/errors.ts';

export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** What the server serves: a prom-client Registry, or anything that renders an exposition the same way. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound (useful with port 0). */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

/**
 * Listens on host:port and answers GET/HEAD /metrics with the registry's text exposition (content type
 * `registry.contentType`); any other path is a 404. A port in use, a port that needs privileges or an
 * address this machine does not have is bad input (InputError, exit 2).
 */
export function startMetricsServer(registry: MetricsSource, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
      res.end('method not allowed: use GET\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`cannot collect metrics: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${bound}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new InputError(`--metrics-port ${port}: ${where} is already in use (pick another port, or 0 for a free one)`);
    case 'EACCES':
      return new InputError(`--metrics-port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new InputError(`--metrics-host ${host}: cannot listen on that address (${err.code})`);
    default:
      return err;
  }
}

/** The pace hook for a served run: lets the HTTP server answer between slices of virtual time. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves with the first SIGINT or SIGTERM (Ctrl-C), which then no longer kills the process. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

// A live outage reaches the bot as a disconnect: runShadow in process against a loopback fake Binance USD-M
// venue (documented message shapes) that drops the connection and keeps the next handshake waiting.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { runShadow } from '../../src/live/shadow-runner.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from '../support/run.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A venue whose book moves every 20 ms around 60000: snapshot on REST, a continuous pu chain on the stream. */
async function steadyVenue(holdSecondHandshakeMs: number) {
  let u = 1000;
  const sockets: WebSocket[] = [];
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ lastUpdateId: u, E: Date.now(), T: Date.now(), bids: [['60000.0', '5.000'], ['59999.9', '5.000']], asks: [['60000.1', '5.000'], ['60000.2', '5.000']] }));
  });
  const wss = new WebSocketServer({ noServer: true });
  let handshakes = 0;
  server.on('upgrade', (req, socket, head) => {
    const wait = ++handshakes === 2 ? holdSecondHandshakeMs : 0;
    setTimeout(() => wss.handleUpgrade(req, socket, head, (ws) => sockets.push(ws)), wait);
  });
  const tick = setInterval(() => {
    const pu = u;
    u += 3;
    const side = u % 2 === 0 ? 'b' : 'a';
    const level = side === 'b' ? ['60000.0', (4 + (u % 5)).toFixed(3)] : ['60000.1', (4 + (u % 7)).toFixed(3)];
    const data = { e: 'depthUpdate', E: Date.now(), T: Date.now(), s: 'BTCUSDT', U: pu + 1, u, pu, b: side === 'b' ? [level] : [], a: side === 'a' ? [level] : [] };
    for (const s of sockets) if (s.readyState === 1) s.send(JSON.stringify({ stream: 'btcusdt@depth@100ms', data }));
  }, 20);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  closers.push(async () => {
    clearInterval(tick);
    for (const s of wss.clients) s.terminate();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, sockets };
}

describe('a shadow session with a live outage', () => {
  it("the bot's watchdog sees the outage as a disconnect, then reconnects and reconciles; the report counts both sides", async () => {
    const venue = await steadyVenue(1500);
    const text = readFileSync(join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'), 'utf8').replace(
      /^strategy:\n/m,
      'strategy:\n  session: {disconnect_timeout: 400ms, watchdog_interval: 50ms}\n',
    );
    const scenario = parseScenario(text, join(repoRoot, 'examples/x.yaml'));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const session = runShadow(scenario, { wsUrl: venue.ws, restUrl: venue.url, stop: stopped });
    for (let t = 0; t < 100 && venue.sockets.length === 0; t++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 600));
    venue.sockets[0]!.terminate();
    for (let t = 0; t < 200 && venue.sockets.length < 2; t++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 800));
    stop();
    const { report } = await session;
    const r = report as unknown as Record<string, Record<string, unknown>>;
    expect(r.session).toMatchObject({ disconnects: 1, reconnects: 1 });
    expect(r.session!.recon_runs as number).toBeGreaterThanOrEqual(1);
    expect(r.market!.connection).toMatchObject({ disconnects: 1, reconnects: 1 });
    const outage = (r.market!.connection as { outages: { duration_s: number }[] }).outages[0]!;
    expect(outage.duration_s).toBeGreaterThan(1.4);
    const faults = report.faults as unknown as { kind: string; duration_s: number; effects: { dropped_to_bot: number } }[];
    expect(faults).toHaveLength(1);
    expect(faults[0]!.effects.dropped_to_bot).toBeGreaterThan(0);
    expect(report.execution.mode).toBe('shadow');
  }, 20_000);
});

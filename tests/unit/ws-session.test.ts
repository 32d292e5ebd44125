import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WsSession } from '../../src/live/ws-session.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function server(onConnection: (n: number, send: (t: string) => void, close: () => void) => void) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let n = 0;
  wss.on('connection', (ws) => onConnection(++n, (t) => ws.send(t), () => ws.terminate()));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => http.close(() => r()));
  });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

const until = async (cond: () => boolean, ms = 5000) => {
  for (let t = 0; t < ms && !cond(); t += 10) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('WsSession', () => {
  it('reconnects after a close, with the backoff, and takes a silent connection as dead', async () => {
    const url = await server((n, send, close) => {
      if (n === 1) {
        send('hello');
        setTimeout(close, 20);
      }
      // the second connection says nothing: dropped after silenceMs
    });
    const events: string[] = [];
    const s = new WsSession({
      url,
      backoffMs: 30,
      maxBackoffMs: 100,
      silenceMs: 300,
      onOpen: (send) => {
        events.push('open');
        send('subscribe');
      },
      onMessage: (t) => events.push(`msg ${t}`),
      onDown: (reason, opened) => events.push(`down ${opened} ${reason.split(' ')[0]}`),
    });
    closers.unshift(async () => s.stop());
    s.start();
    await until(() => events.filter((e) => e === 'open').length >= 3);
    expect(events.slice(0, 6)).toEqual(['open', 'msg hello', 'down true closed', 'open', 'down true silent', 'open']);
    expect(s.opened).toBeGreaterThanOrEqual(3);
  });

  it('backs off while the venue is unreachable and stops trying after stop()', async () => {
    const downs: boolean[] = [];
    const s = new WsSession({ url: 'ws://127.0.0.1:1', backoffMs: 20, maxBackoffMs: 40, onOpen: () => {}, onMessage: () => {}, onDown: (_r, opened) => downs.push(opened) });
    s.start();
    await until(() => downs.length >= 3);
    s.stop();
    const attempts = s.attempts;
    await new Promise((r) => setTimeout(r, 150));
    expect(s.attempts).toBe(attempts);
    expect(downs.every((o) => o === false)).toBe(true);
  });
});

// The bybit_v5 recording format (`mmsim shadow --record` on bybit_linear): `<receive ns> <raw JSON>` lines of
// Bybit's v5 public messages, the examples taken from Bybit's docs (websocket/public/orderbook, trade).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LineRecorder } from '../../src/live/line-recorder.ts';
import { createBybitV5Decoder } from '../../src/sim/market/replay/bybit-v5-decoder.ts';
import type { ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { openReplaySource } from '../../src/sim/market/replay/replay-source.ts';

const ns = (ms: number) => `${ms}000000`;
const book = (type: 'snapshot' | 'delta', u: number, b: string[][], a: string[][], ts = 1672304484978) =>
  JSON.stringify({ topic: 'orderbook.50.BTCUSDT', type, ts, data: { s: 'BTCUSDT', b, a, u, seq: 7961638724 }, cts: ts - 2 });
const trade = (S: string, p: string, v: string, BT = false) =>
  JSON.stringify({ topic: 'publicTrade.BTCUSDT', type: 'snapshot', ts: 1672304486868, data: [{ T: 1672304486865, s: 'BTCUSDT', S, v, p, L: 'PlusTick', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT }] });

const LINES = [
  `${ns(1672304484000)} {"success":true,"ret_msg":"","conn_id":"cb6a7a2f","req_id":"1","op":"subscribe"}`,
  `${ns(1672304484990)} ${book('snapshot', 18521288, [['16493.50', '0.006'], ['16493.00', '0.100']], [['16611.00', '0.029'], ['16612.00', '0.213']])}`,
  `${ns(1672304486870)} ${trade('Buy', '16611.00', '0.001')}`,
  `${ns(1672304486871)} ${trade('Sell', '16493.50', '5', true)}`,
  `${ns(1672304486900)} ${book('delta', 18521289, [['16493.50', '0']], [], 1672304486890)}`,
  `${ns(1672304486950)} ${book('delta', 18521291, [['16000.00', '1']], [], 1672304486940)}`,
  `${ns(1672304486960)} ${book('delta', 18521292, [['16001.00', '1']], [], 1672304486950)}`,
  `${ns(1672304487000)} ${book('snapshot', 18521400, [['16500.00', '1']], [['16501.00', '1']], 1672304486990)}`,
  `${ns(1672304487010)} {"success":true,"ret_msg":"pong","conn_id":"cb6a7a2f","req_id":"","op":"ping"}`,
];

function decodeAll(lines: readonly string[]): { out: ReplayMessage[]; stats: ReturnType<typeof createBybitV5Decoder>['stats'] } {
  const d = createBybitV5Decoder({ symbol: 'BTCUSDT' });
  const out: ReplayMessage[] = [];
  lines.forEach((l, i) => d.decode(l, i + 1, out));
  d.end(lines.length, out);
  return { out, stats: d.stats };
}

describe('bybit_v5 decoder', () => {
  it('syncs the book by u with the ob500 rules, keeps receive times, replays trades but not block trades', () => {
    const { out, stats } = decodeAll(LINES);
    expect(out.map((m) => m.kind)).toEqual(['book', 'trade', 'book', 'book']);
    const [snap, tr, delta, resync] = out as [ReplayMessage & { kind: 'book' }, ReplayMessage & { kind: 'trade' }, ReplayMessage & { kind: 'book' }, ReplayMessage & { kind: 'book' }];
    expect(snap).toMatchObject({ snapshot: true, exchangeUs: 1672304484978000, localUs: 1672304484990000, bids: [16493.5, 0.006, 16493, 0.1] });
    expect(tr).toMatchObject({ aggressor: 'buy', price: 16611, qty: 0.001, exchangeUs: 1672304486865000, localUs: 1672304486870000 });
    expect(delta).toMatchObject({ snapshot: false, bids: [16493.5, 0] });
    expect(resync).toMatchObject({ snapshot: true, line: 8 });
    expect(stats.anomalies).toMatchObject({ control: { count: 2, first_line: 1 }, block_trade: { count: 1, first_line: 4 }, sequence_gap: { count: 1, first_line: 6 }, out_of_sync: { count: 1, first_line: 7 }, resync: { count: 1, first_line: 8 } });
  });

  it('asks for a snapshot before the first and after a gap, and a file ending out of sync is an error at the gap', () => {
    const d = createBybitV5Decoder({ symbol: 'BTCUSDT' });
    const out: ReplayMessage[] = [];
    expect(d.needsSnapshot!()).toBe(true);
    d.decode(LINES[1]!, 1, out);
    expect(d.needsSnapshot!()).toBe(false);
    d.decode(LINES[5]!, 2, out);
    expect(d.needsSnapshot!()).toBe(true);
    expect(() => d.end(2, out)).toThrow(/:2: order book sequence gap \(u jumped from 18521288 to 18521291\)/);
  });

  it('counts lines without a receive time or JSON as malformed', () => {
    const { out, stats } = decodeAll([book('snapshot', 1, [], []), `${ns(1)} {not json`, `12 ${book('snapshot', 1, [], [])}`]);
    expect(out).toEqual([]);
    expect(stats.anomalies.malformed?.count).toBe(3);
  });
});

describe('LineRecorder', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mmsim-record-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the lines (gzip for .gz) through FILE.partial, and the file replays', async () => {
    for (const name of ['s.jsonl', 's.gz']) {
      const path = join(tmp, name);
      const rec = new LineRecorder(path);
      await rec.ready();
      for (const l of LINES) rec.write(l);
      expect(() => readFileSync(path)).toThrow();
      await rec.close();
      const bytes = readFileSync(path);
      const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      expect(text).toBe(`${LINES.join('\n')}\n`);
      expect(() => readFileSync(`${path}.partial`)).toThrow();
      const source = openReplaySource('bybit_v5', [path], 'BTCUSDT');
      const got: ReplayMessage[] = [];
      for (let b = await source.next(); b; b = await source.next()) got.push(...b);
      expect(got).toEqual(decodeAll(LINES).out);
    }
  });

  it('refuses a path it cannot write as bad input', async () => {
    writeFileSync(join(tmp, 'a-file'), 'x');
    const rec = new LineRecorder(join(tmp, 'a-file', 'x.gz'));
    await expect(rec.ready()).rejects.toThrow(/--record .*a-file.*cannot write it/);
  });

  it('makes the folders of FILE, as --out does', async () => {
    const path = join(tmp, 'runs', 'shadow', 'session.gz');
    const rec = new LineRecorder(path);
    await rec.ready();
    rec.write(LINES[0]!);
    await rec.close();
    expect(gunzipSync(readFileSync(path)).toString('utf8')).toBe(`${LINES[0]}\n`);
  });
});

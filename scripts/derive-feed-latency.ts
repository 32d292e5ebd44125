/**
 * Derives empirical feed-latency samples from a real Binance USD-M recording (../shared/data, see its
 * SOURCES.md): for every trade message, local receive time minus Binance's event time `E`, in ms, minus
 * the smallest such value in the file. The recorder's clock is offset from Binance's (about -1.27 s), so
 * only the excess over the fastest message is meaningful: it is the jitter a feed adds on top of its floor.
 *
 *   npx tsx scripts/derive-feed-latency.ts ../shared/data/binance-usdm-btcusdt-20240808.gz > scenarios/data/binance-btcusdt-feed-excess-latency-ms.csv
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

async function main(path: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  const raw: number[] = [];
  for await (const line of lines) {
    const space = line.indexOf(' ');
    if (space < 0 || !line.includes('"e":"trade"')) continue;
    const localMs = Number(BigInt(line.slice(0, space)) / 1000n) / 1000;
    const msg = JSON.parse(line.slice(space + 1)) as { data: { E: number } };
    raw.push(localMs - msg.data.E);
  }
  if (raw.length === 0) throw new Error(`${path}: no trade messages`);
  const floor = raw.reduce((m, v) => Math.min(m, v), Infinity);
  const out = [
    `# feed latency excess over the fastest message, ms: ${raw.length} Binance USD-M BTCUSDT trade messages`,
    '# from hftbacktest examples/usdm/btcusdt_20240808.gz (MIT, (c) 2022 nkaz001), derived by scripts/derive-feed-latency.ts',
    'excess_ms',
    ...raw.map((v) => (v - floor).toFixed(3)),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main(process.argv[2] ?? '../shared/data/binance-usdm-btcusdt-20240808.gz');

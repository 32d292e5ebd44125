/**
 * The floor a replay is measured against: gunzip + split into lines + JSON.parse of every line of the
 * scenario's recording(s), nothing else (no book, no bot). Prints one JSON line for bench/whole-run.ts:
 * the work's own time and the process's time from its start (Node's start-up included).
 *
 *   node bench/replay-floor.ts scenarios/replay-binance-btcusdt.yaml    (via node --import tsx)
 *
 * A line is `<receive time> <json>` or the JSON alone; both are parsed as the JSON. The whole file is
 * unpacked at once (gunzipSync): the cheapest way there is, which a streaming replay cannot beat.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { loadScenarioRuns } from '../src/sim/scenario/load-scenario.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: replay-floor.ts <replay scenario.yaml>\n');
  process.exit(2);
}
const [scenario] = await loadScenarioRuns(file);
const paths = scenario?.replayPaths;
if (!paths || paths.length === 0) {
  process.stderr.write(`replay-floor: ${file} is not a replay scenario\n`);
  process.exit(2);
}
const t = performance.now();
let lines = 0;
let sink = 0;
for (const path of paths) {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const json = line.charCodeAt(0) === 123 ? line : line.slice(line.indexOf(' ') + 1);
    const v: unknown = JSON.parse(json);
    if (v !== null) sink++;
    lines++;
  }
}
const workMs = performance.now() - t;
process.stdout.write(`${JSON.stringify({ files: paths.length, lines, parsed: sink, work_ms: workMs, process_ms: performance.now() })}\n`);

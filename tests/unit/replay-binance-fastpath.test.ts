import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBinanceDecoder, parseLevels, scanLine } from '../../src/sim/market/replay/binance-decoder.ts';
import type { BinanceMarket } from '../../src/sim/market/replay/binance-decoder.ts';
import { readLineBatches } from '../../src/sim/market/replay/line-source.ts';
import type { DecoderStats, ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';

// The decoder's fast path (scanLine, no JSON.parse of the level arrays) must decode every line exactly as the
// JSON.parse path does (fastPath: false): same messages, numbers bit for bit, same stats, same end() error.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = resolve(ROOT, '../shared/data/binance-usdm-btcusdt-20240808.gz');

interface Decoded {
  out: ReplayMessage[];
  stats: DecoderStats;
  endError: string | undefined;
}

function decodeAll(lines: readonly string[], fastPath: boolean, market: BinanceMarket = 'usdm'): Decoded {
  const decoder = createBinanceDecoder({ market, symbol: 'BTCUSDT', fastPath });
  const out: ReplayMessage[] = [];
  let endError: string | undefined;
  try {
    // A bad value in a diff of ours stops decoding at its own line: both paths must stop at the same one, alike.
    for (let i = 0; i < lines.length; i++) decoder.decode(lines[i]!, i + 1, out);
    decoder.end(lines.length, out);
  } catch (e) {
    endError = (e as Error).message;
  }
  return { out, stats: decoder.stats, endError };
}

/** The first difference between a and b (numbers compared with Object.is, so -0 !== 0 and NaN === NaN), or null. */
function difference(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${a} !== ${b}`;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b ? null : `${path}: ${String(a)} !== ${String(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different kinds`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k) => !Object.hasOwn(b, k))) return `${path}: keys [${ka.join()}] vs [${kb.join()}]`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

const decodeBothWays = (lines: readonly string[], market?: BinanceMarket): { fast: Decoded; slow: Decoded } => ({
  fast: decodeAll(lines, true, market),
  slow: decodeAll(lines, false, market),
});

describe('fast path on the real recording (Binance USD-M BTCUSDT 2024-08-08)', () => {
  const lines: string[] = [];
  beforeAll(async () => {
    for await (const batch of readLineBatches(FILE)) for (const l of batch) lines.push(l);
  });

  it('reads every line of the file itself (JSON.parse is never needed)', () => {
    expect(lines.length).toBe(93_954);
    const declined = lines.filter((l) => scanLine(l, l.indexOf(' ') + 1) === undefined);
    expect(declined.length).toBe(0);
  });

  it('decodes every line to the same messages and stats as the JSON.parse path', () => {
    const { fast, slow } = decodeBothWays(lines);
    expect(slow.endError).toBeUndefined();
    expect(fast.out.length).toBe(slow.out.length);
    expect(difference(fast, slow)).toBeNull();
    expect(fast.stats.messages).toEqual({ depth: 6_551, trade: 21_313, bookTicker: 66_089, snapshot: 1 });
  });
});

// Hand-written lines around a valid futures sequence: line 1 a snapshot, line 2 the bridging diff, line 3 the
// case, line 4 the diff after it (a case the JSON.parse path rejects leaves a gap there: end() throws).
const NS = '1723161255030314667';
const SNAP = `${NS} {"lastUpdateId":100,"E":1723161256000,"T":1723161255999,"bids":[["61800.20","2.909"]],"asks":[["61800.30","1.5"]]}`;
const DIFF2 = `${NS} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256001,"T":1723161256001,"s":"BTCUSDT","U":95,"u":105,"pu":90,"b":[["61800.10","0.696"]],"a":[]}}`;
const DIFF4 = `${NS} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256003,"T":1723161256003,"s":"BTCUSDT","U":111,"u":120,"pu":110,"b":[],"a":[["61800.30","0.000"]]}}`;
/** The case line: a diff (U 106, u 110, pu 105), with `data` and the whole line open to edits. */
const EV = '"e":"depthUpdate","E":1723161256002,"T":1723161256002,"s":"BTCUSDT","U":106,"u":110,"pu":105';
const LEVELS = '"b":[["61800.00","20.004"],["61799.90","0.004"]],"a":[["61800.40","0.5"]]';
const diff3 = (data = `${EV},${LEVELS}`): string => `${NS} {"stream":"btcusdt@depth@0ms","data":{${data}}}`;

/** [name, line 3, does scanLine read it (true) or leave it to JSON.parse (false)]. */
const CASES: [string, string, boolean][] = [
  ['the recorder layout', diff3(), true],
  ['data before stream', `${NS} {"data":{${EV},${LEVELS}},"stream":"btcusdt@depth@0ms"}`, true],
  ['event fields in another order', diff3(`"a":[["61800.40","0.5"]],"pu":105,"u":110,"U":106,"s":"BTCUSDT","b":[],"T":1,"E":1723161256002,"e":"depthUpdate"`), true],
  ['a raw event without the wrapper', `${NS} {${EV},${LEVELS}}`, true],
  ['an unknown extra field (boolean)', diff3(`${EV},"x":true,"y":false,${LEVELS}`), true],
  ['a repeated key (the last one counts)', diff3(`${EV},"u":1,"u":110,${LEVELS}`), true],
  ['empty level arrays', diff3(`${EV},"b":[],"a":[]`), true],
  ['a quantity in exponent notation', diff3(`${EV},"b":[["61800.00","1e-5"]],"a":[]`), true],
  ['a price with 17 significant digits', diff3(`${EV},"b":[["61800.000000000001","1"]],"a":[]`), true],
  ['decimals without a fraction or an integer part', diff3(`${EV},"b":[["61800","1."],["61799.9",".5"]],"a":[]`), true],
  ['a non-ASCII key', diff3(`${EV},"é":"ü",${LEVELS}`), true],
  ['a 19-digit integer', diff3(`${EV},"t":1234567890123456789,${LEVELS}`), true],
  ['a 20-digit E (rounded as JSON.parse rounds it)', diff3(EV.replace('"E":1723161256002', '"E":17231612560029999999') + `,${LEVELS}`), true],
  ['a 17-digit pu (named in the gap error)', diff3(EV.replace('"pu":105', '"pu":12345678901234567') + `,${LEVELS}`), true],
  ['a space after a colon', diff3(`${EV},"b": [],"a":[]`), false],
  ['a space between levels', diff3(`${EV},"b":[["61800.00","1"], ["61799.90","2"]],"a":[]`), false],
  ['a trailing space', `${diff3()} `, false],
  ['a trailing carriage return', `${diff3()}\r`, false],
  ['two spaces after the local time', `${NS}  ${diff3().slice(NS.length + 1)}`, false],
  ['an escape in the symbol', diff3(EV.replace('"BTCUSDT"', '"BTC\\u0055SDT"') + `,${LEVELS}`), false],
  ['an escape in a price', diff3(`${EV},"b":[["6180\\u00300.00","1"]],"a":[]`), false],
  ['a raw tab in a string', diff3(EV.replace('"BTCUSDT"', '"BTC\tUSDT"') + `,${LEVELS}`), false],
  ['a fraction in E', diff3(EV.replace('"E":1723161256002', '"E":1723161256002.0') + `,${LEVELS}`), false],
  ['an exponent in E', diff3(EV.replace('"E":1723161256002', '"E":1.723161256002e12') + `,${LEVELS}`), false],
  ['a leading zero in U', diff3(EV.replace('"U":106', '"U":0106') + `,${LEVELS}`), false],
  ['a negative pu', diff3(EV.replace('"pu":105', '"pu":-105') + `,${LEVELS}`), false],
  ['a null pu', diff3(EV.replace('"pu":105', '"pu":null') + `,${LEVELS}`), false],
  ['a missing pu', diff3(EV.replace(',"pu":105', '') + `,${LEVELS}`), true],
  ['a string U', diff3(EV.replace('"U":106', '"U":"106"') + `,${LEVELS}`), true],
  ['a __proto__ key holding the event', `${NS} {"__proto__":{${EV},${LEVELS}}}`, false],
  ['a __proto__ key in the event', diff3(`${EV},"__proto__":"x",${LEVELS}`), false],
  ['an object two levels down', diff3(`${EV},"x":{"y":1},${LEVELS}`), false],
  ['a level array under another key', diff3(`${EV},"x":[["1","2"]],${LEVELS}`), false],
  ['a level of three strings', diff3(`${EV},"b":[["61800.00","1","x"]],"a":[]`), false],
  ['a level of one string', diff3(`${EV},"b":[["61800.00"]],"a":[]`), false],
  ['a level of numbers', diff3(`${EV},"b":[[61800.0,1]],"a":[]`), false],
  ['a price of zero', diff3(`${EV},"b":[["0.00","1"]],"a":[]`), false],
  ['a negative quantity', diff3(`${EV},"b":[["61800.00","-1"]],"a":[]`), false],
  ['an infinite price', diff3(`${EV},"b":[["1e999","1"]],"a":[]`), false],
  ['a price that is not a number', diff3(`${EV},"b":[["abc","1"]],"a":[]`), false],
  ['a trailing comma in a level array', diff3(`${EV},"b":[["61800.00","1"],],"a":[]`), false],
  ['an unclosed level array', diff3(`${EV},"b":[["61800.00","1"],"a":[]`), false],
  ['an unclosed string', diff3(`${EV},"b":[["61800.00,"1"]],"a":[]`), false],
  ['a truncated line', diff3().slice(0, 200), false],
  ['a line cut inside a number', diff3().slice(0, diff3().indexOf('"U":106') + 5), false],
  ['text after the object', `${diff3()}x`, false],
  ['two objects', `${diff3()}{}`, false],
  ['an empty object', `${NS} {}`, true],
  ['an array', `${NS} [1]`, false],
  ['another symbol', diff3(EV.replace('"BTCUSDT"', '"ETHUSDT"') + `,${LEVELS}`), true],
  ['a partial-book stream', diff3().replace('btcusdt@depth@0ms', 'btcusdt@depth20@100ms'), true],
  ['a trade', `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}`, true],
  ['a bookTicker', `${NS} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}`, true],
  ['a bookTicker with level arrays', `${NS} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","s":"BTCUSDT","b":[],"B":"2.507","a":"61800.30","A":"2.510","E":1}}`, true],
  ['a bookTicker, data before stream and a key repeated', `${NS} {"data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","b":"61800.10","E":1723161256313},"stream":"btcusdt@bookTicker"}`, true],
  ['a trade with a key the event record has no slot for', `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false,"extra":1}}`, true],
  ['a stream wrapper with a third key', `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"s":"BTCUSDT","t":1,"p":"61800.30","q":"0.006","m":false},"id":3}`, true],
  ['a stream wrapper with data twice', `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","m":false},"data":{"e":"trade","E":2,"s":"BTCUSDT","t":2,"p":"2","q":"2","m":true}}`, true],
  ['a subscription ack', `${NS} {"result":null,"id":1}`, false],
  ['a snapshot with whitespace', `${NS} ${SNAP.slice(NS.length + 1).replace('"E":', ' "E": ')}`, false],
  ['a snapshot without times, keys reordered', `${NS} {"asks":[["61800.30","1.5"]],"bids":[["61800.20","2.909"]],"lastUpdateId":107}`, true],
];

describe('hand-written lines decode the same on both paths', () => {
  it.each(CASES)('%s', (_name, line, scanned) => {
    const json = line.slice(line.indexOf(' ') + 1);
    expect(scanLine(json, 0) !== undefined).toBe(scanned);
    expect(scanLine(line, NS.length + 1) !== undefined).toBe(scanned);
    const { fast, slow } = decodeBothWays([SNAP, DIFF2, line, DIFF4]);
    expect(difference(fast, slow)).toBeNull();
    // The line alone (and without its local time), to a fresh decoder: same stats, same end() error.
    expect(difference(decodeAll([line], true), decodeAll([line], false))).toBeNull();
    expect(difference(decodeAll([json], true, 'spot'), decodeAll([json], false, 'spot'))).toBeNull();
  });

  it('the recorder layout is scanned into what JSON.parse gives, levels converted', () => {
    const json = diff3().slice(NS.length + 1);
    const scanned = scanLine(json, 0)!;
    const parsed = JSON.parse(json) as { data: Record<string, unknown> };
    const data = scanned.data as Record<string, unknown>;
    expect(Object.keys(scanned)).toEqual(['stream', 'data']);
    expect(Object.keys(data)).toEqual(Object.keys(parsed.data));
    for (const k of Object.keys(data)) {
      if (k === 'b' || k === 'a') expect(parseLevels(data[k])).toEqual(parseLevels(parsed.data[k]));
      else expect(data[k]).toBe(parsed.data[k]);
    }
    expect(parseLevels(data.b)).toEqual([61800, 20.004, 61799.9, 0.004]);
  });
});

/** A decimal string as scanLine reads it (as a quantity: any value >= 0 is kept), or undefined when declined. */
const wholeDecimal = (s: string): number => (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? parseFloat(s) : NaN);

function scanQty(s: string): number | undefined {
  const o = scanLine(`{"b":[["1","${s}"]]}`, 0);
  return o === undefined ? undefined : parseLevels(o.b)![1];
}

describe('decimal strings convert bit for bit as parseFloat does', () => {
  const plain = fc
    .tuple(fc.stringMatching(/^[0-9]{0,20}$/), fc.option(fc.stringMatching(/^[0-9]{0,24}$/)))
    .map(([int, frac]) => (frac === null ? int : `${int}.${frac}`));
  const fromDoubles = fc
    .tuple(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 21 }))
    .chain(([x, digits, precision]) => fc.constantFrom(x.toFixed(digits), x.toPrecision(precision), String(x), x.toExponential(Math.min(digits, 20))));
  const junk = fc.stringMatching(/^[-+0-9.eE xInfinityNaN]{0,12}$/);

  it('plain decimals, decimals from doubles and junk', () => {
    fc.assert(
      fc.property(fc.oneof(plain, fromDoubles, junk), (s) => {
        // parseFloat, but only of a string that is a decimal as a whole: parseFloat reads a prefix ("12abc" is
        // 12, "0x1" is 0), which the decoders now refuse (a recorded value is a number as a whole or not one).
        const expected = wholeDecimal(s);
        const got = scanQty(s);
        // scanLine keeps exactly the levels parseLevels keeps; the others are left to JSON.parse.
        if (expected >= 0 && expected !== Infinity) expect(Object.is(got, expected)).toBe(true);
        else expect(got).toBeUndefined();
      }),
      { numRuns: 20_000 },
    );
  });

  it('edge cases', () => {
    for (const s of ['0', '0.0', '00.000', '5.', '.5', '.', '', '999999999999999', '9999999999999999', '0.000000000000001', '0.1', '0.3', '1.7976931348623157e308', '9007199254740993', '123456789012345.6', '4.35', '61800.20', '0x1', '1.2.3', '12abc', 'NaN', '-0']) {
      const expected = wholeDecimal(s);
      if (expected >= 0 && expected !== Infinity) expect(Object.is(scanQty(s), expected)).toBe(true);
      else expect(scanQty(s)).toBeUndefined();
    }
  });
});

describe('random Binance-like lines decode the same on both paths', () => {
  const decimal = fc.oneof(
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => x.toFixed(3)),
    fc.stringMatching(/^-?[0-9]{1,6}(\.[0-9]{0,4})?$/),
    fc.constantFrom('1e-5', '0', 'x', '', '1.2.3'),
  );
  const levels = fc.array(fc.tuple(decimal, decimal), { maxLength: 4 });
  const diff = fc.record({
    e: fc.constantFrom('depthUpdate', 'depthUpdate', 'trade', 'bookTicker'),
    E: fc.integer({ min: 1_723_161_256_000, max: 1_723_161_256_100 }),
    s: fc.constantFrom('BTCUSDT', 'btcusdt', 'ETHUSDT'),
    U: fc.integer({ min: 90, max: 130 }),
    u: fc.integer({ min: 100, max: 140 }),
    pu: fc.integer({ min: 90, max: 130 }),
    b: levels,
    a: levels,
  });
  /** One line: a diff as the recorder writes it, its keys maybe shuffled, maybe edited at one place. */
  const line = fc
    .tuple(diff, fc.boolean(), fc.boolean(), fc.nat(), fc.nat(), fc.constantFrom('', ' ', '"', ',', ']', '}', '[', '\\', '0', '.', '-'), fc.nat({ max: 3 }))
    .map(([d, wrap, shuffle, seed, at, ch, edit]) => {
      const keys = Object.keys(d) as (keyof typeof d)[];
      if (shuffle) keys.sort((x, y) => ((x.charCodeAt(0) * seed) % 7) - ((y.charCodeAt(0) * seed) % 7));
      const data = Object.fromEntries(keys.map((k) => [k, d[k]]));
      let json = JSON.stringify(wrap ? { stream: 'btcusdt@depth@0ms', data } : data);
      const i = at % (json.length + 1);
      if (edit === 1) json = json.slice(0, i) + ch + json.slice(i); // insert
      else if (edit === 2) json = json.slice(0, i) + json.slice(i + 1); // delete
      else if (edit === 3) json = json.slice(0, i); // truncate
      return `${NS} ${json}`;
    });

  it('sequences of diffs around a snapshot', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.nat({ max: 8 }), fc.constantFrom<BinanceMarket>('usdm', 'spot'), (lines, at, market) => {
        const all = [...lines];
        all.splice(Math.min(at, all.length), 0, SNAP);
        const { fast, slow } = decodeBothWays(all, market);
        expect(difference(fast, slow)).toBeNull();
      }),
      { numRuns: 3_000 },
    );
  });

  it('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const { fast, slow } = decodeBothWays([`${NS} ${json}`, json]);
        expect(difference(fast, slow)).toBeNull();
      }),
      { numRuns: 3_000 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { csvText } from '../../src/sim/run/csv-text.ts';
import type { CsvCell } from '../../src/sim/run/csv-text.ts';

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('csvText', () => {
  it('writes what csv-stringify writes for text, numbers and empty cells', () => {
    const rnd = lcg(11);
    const alphabet = ['a', 'Z', '0', ' ', ',', '"', '\n', '\r\n', '\r', '-', '=', 'é', ';'];
    const anyCell = (): CsvCell => {
      const k = rnd();
      if (k < 0.1) return undefined;
      if (k < 0.15) return null;
      if (k < 0.2) return '';
      if (k < 0.45) return [0, -0, 1.5, -2e-7, 1e21, 123456789.125, Number.NaN][Math.floor(rnd() * 7)]!;
      return Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    };
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rnd() * 5);
      const columns = Array.from({ length: n }, (_, i) => (i === 0 && t % 3 === 0 ? 'a,"b"' : `c${i}`));
      const rows = Array.from({ length: Math.floor(rnd() * 6) }, () => Array.from({ length: n }, anyCell));
      expect(csvText(columns, rows)).toBe(stringify(rows, { header: true, columns }));
    }
  });

  it('a header alone when there is no row', () => {
    expect(csvText(['a', 'b'], [])).toBe('a,b\n');
    expect(stringify([], { header: true, columns: ['a', 'b'] })).toBe('a,b\n');
  });
});

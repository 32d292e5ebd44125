import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvText } from '../../src/sim/run/csv-text.ts';
import type { CsvCell } from '../../src/sim/run/csv-text.ts';

// orders.csv and fills.csv were written by csv-stringify; csvText must write the very same bytes.
const reference = (columns: readonly string[], records: readonly (readonly CsvCell[])[]): string =>
  stringify(records as CsvCell[][], { header: true, columns: [...columns], record_delimiter: 'unix', cast: { boolean: (b) => String(b) } });

const text = fc.stringMatching(/^[a-z0-9 ,"\n\r.\-=+@\t']{0,8}$/);
const cellArb: fc.Arbitrary<CsvCell> = fc.oneof(
  text,
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 1.5e-7, 0.1 + 0.2),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

describe('csvText', () => {
  it('writes what csv-stringify writes, header included, for any cells', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.array(text.filter((s) => s.length > 0), { minLength: n, maxLength: n }), fc.array(fc.array(cellArb, { minLength: n, maxLength: n }), { maxLength: 6 }))), ([columns, records]) => {
        expect(csvText(columns, records)).toBe(reference(columns, records));
      }),
      { numRuns: 2000 },
    );
  });

  it('edge cases: no records, quotes, line ends, empty cells', () => {
    for (const records of [[], [['a,b', 'say "hi"', 'x\ny', 'c\rd', '\r\n', '', ' s ']], [[undefined, null, true, false, 0, -0, NaN]]] as CsvCell[][][]) {
      const columns = records[0]?.map((_, i) => `c${i}`) ?? ['only'];
      expect(csvText(columns, records)).toBe(reference(columns, records));
    }
  });
});

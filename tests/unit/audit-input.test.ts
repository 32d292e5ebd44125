// readSoakSummaries in-process (the CLI tests run it through the compiled bin, out of the mutation runs' reach).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { describeNames, ranges, readSoakSummaries } from '../../src/sim/soak/audit-input.ts';
import { fieldsFor, summaryText, writeSummaries } from '../support/soak-files.ts';

const root = mkdtempSync(join(tmpdir(), 'mmsim-audit-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const soak = (): string => {
  const dir = join(root, `soak-${++n}`);
  mkdirSync(dir);
  return dir;
};

/** The InputError readSoakSummaries throws, with its code. */
async function failure(dir: string, options = {}): Promise<InputError> {
  try {
    await readSoakSummaries(dir, options);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('readSoakSummaries', () => {
  it('reads summaries in numeric order, skips its own entries and lists the others', async () => {
    const dir = soak();
    writeSummaries(dir, [10, 2, 1]);
    writeFileSync(join(dir, 'ITER_SUMMARY_007.json'), summaryText(7, fieldsFor(7)));
    writeFileSync(join(dir, 'SOAK_MANIFEST.json'), '{}');
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, '.ITER_SUMMARY_3.json.123.tmp'), 'partial');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    writeFileSync(join(dir, 'iter_summary_4.json'), '{}');
    const scan = await readSoakSummaries(dir, { allowGaps: true });
    expect(scan.inputs.map((i) => [i.iter, i.name])).toEqual([
      [1, 'ITER_SUMMARY_1.json'],
      [2, 'ITER_SUMMARY_2.json'],
      [7, 'ITER_SUMMARY_007.json'],
      [10, 'ITER_SUMMARY_10.json'],
    ]);
    expect(scan.inputs[1]!.summary.net_bps).toBe(fieldsFor(2).net_bps);
    expect(scan.missing).toEqual([3, 4, 5, 6, 8, 9]);
    expect(scan.ignored).toEqual(['notes.txt']);
    expect(scan.suspicious).toEqual(['iter_summary_4.json']);
  });

  it('a manifest that is a folder, or a reports file, is not its own', async () => {
    const dir = soak();
    writeSummaries(dir, [1]);
    mkdirSync(join(dir, 'SOAK_MANIFEST.json'));
    writeFileSync(join(dir, 'reports'), 'x');
    writeFileSync(join(dir, '.other.json.5.tmp'), 'x');
    const scan = await readSoakSummaries(dir);
    expect(scan.ignored).toEqual(['.other.json.5.tmp', 'SOAK_MANIFEST.json', 'reports']);
    expect(scan.missing).toEqual([]);
  });

  it('names gaps as ranges and how to fill them, unless allowed', async () => {
    const dir = soak();
    writeSummaries(dir, [1, 3, 7]);
    const err = await failure(dir);
    expect(err.code).toBe('INVALID_SUMMARY');
    expect(err.message).toBe(
      `${dir}: no summary for iterations 2, 4-6 of 1..7 (ITER_SUMMARY_2.json, ITER_SUMMARY_4.json, ITER_SUMMARY_5.json, ITER_SUMMARY_6.json missing): ` +
        'finish the soak with mmsim soak --resume, or pass --allow-gaps to audit the others',
    );
    const one = soak();
    writeSummaries(one, [2]);
    expect((await failure(one)).message).toBe(
      `${one}: no summary for iteration 1 of 1..2 (ITER_SUMMARY_1.json missing): finish the soak with mmsim soak --resume, or pass --allow-gaps to audit the others`,
    );
  });

  it('collects every problem, one line each, naming its file', async () => {
    const dir = soak();
    writeSummaries(dir, [1, 2, 3, 4]);
    writeFileSync(join(dir, 'ITER_SUMMARY_02.json'), summaryText(2, fieldsFor(2)));
    writeFileSync(join(dir, 'ITER_SUMMARY_3.json'), summaryText(5, fieldsFor(3)));
    writeFileSync(join(dir, 'ITER_SUMMARY_4.json'), '{"summary": {"net_bps": "x"}');
    writeFileSync(join(dir, 'ITER_SUMMARY_0.json'), summaryText(0, fieldsFor(1)));
    writeFileSync(join(dir, 'ITER_SUMMARY_1000001.json'), summaryText(1_000_001, fieldsFor(1)));
    mkdirSync(join(dir, 'ITER_SUMMARY_6.json'));
    const err = await failure(dir, { allowGaps: true });
    expect(err.code).toBe('INVALID_SUMMARY');
    const lines = err.message.split('\n');
    expect(lines[0]).toBe(`${join(dir, 'ITER_SUMMARY_0.json')}: iterations are numbered from 1`);
    expect(lines[1]).toBe(`${join(dir, 'ITER_SUMMARY_1000001.json')}: a soak has at most 1000000 iterations`);
    expect(lines[2]).toBe(`${dir}: iteration 2 has 2 summaries: ITER_SUMMARY_02.json and ITER_SUMMARY_2.json; keep one`);
    expect(lines[3]).toBe(`${join(dir, 'ITER_SUMMARY_3.json')}: iteration: holds iteration 5 but is named for iteration 3`);
    expect(lines[4]!.startsWith(`${join(dir, 'ITER_SUMMARY_4.json')}:1:29: not valid JSON`)).toBe(true);
    expect(lines[5]).toBe(`${join(dir, 'ITER_SUMMARY_6.json')}: not a file`);
    expect(lines).toHaveLength(6);
  });

  it('shows at most 10 problems and counts the rest', async () => {
    const dir = soak();
    for (let i = 1; i <= 12; i++) writeFileSync(join(dir, `ITER_SUMMARY_${i}.json`), summaryText(i + 100, fieldsFor(i)));
    const lines = (await failure(dir)).message.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toBe(`${join(dir, 'ITER_SUMMARY_10.json')}: iteration: holds iteration 110 but is named for iteration 10`);
    expect(lines[10]).toBe('and 2 more problems');
    const ten = soak();
    for (let i = 1; i <= 10; i++) writeFileSync(join(ten, `ITER_SUMMARY_${i}.json`), summaryText(i + 100, fieldsFor(i)));
    expect((await failure(ten)).message.split('\n')).toHaveLength(10);
  });

  it('says what a folder without summaries holds, and names a missing or wrong path', async () => {
    const empty = soak();
    expect(await failure(empty)).toMatchObject({ code: 'NO_SUMMARIES', message: `${empty}: no ITER_SUMMARY_<N>.json files to audit (it is empty)` });
    const other = soak();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'iter_summary_x']) writeFileSync(join(other, name), '');
    expect((await failure(other)).message).toBe(`${other}: no ITER_SUMMARY_<N>.json files to audit (it holds a, b, c, d, e and 2 more)`);
    const nowhere = join(root, 'nowhere');
    expect(await failure(nowhere)).toMatchObject({ code: 'NO_SUMMARIES', message: `${nowhere}: no such directory` });
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(await failure(file)).toMatchObject({ code: 'NO_SUMMARIES', message: `${file}: not a directory (name the soak's folder)` });
    // Only a zero-numbered summary: a problem, not "no summaries".
    const zero = soak();
    writeFileSync(join(zero, 'ITER_SUMMARY_0.json'), summaryText(0, fieldsFor(1)));
    expect(await failure(zero)).toMatchObject({ code: 'INVALID_SUMMARY', message: `${join(zero, 'ITER_SUMMARY_0.json')}: iterations are numbered from 1` });
  });

  it('accepts a summary without an iteration field', async () => {
    const dir = soak();
    writeFileSync(join(dir, 'ITER_SUMMARY_1.json'), summaryText(undefined, fieldsFor(1)));
    expect((await readSoakSummaries(dir)).inputs.map((i) => i.iter)).toEqual([1]);
  });
});

describe('describeNames and ranges', () => {
  it('shows up to five names', () => {
    expect(describeNames([])).toBe('nothing else');
    expect(describeNames(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c, d, e');
    expect(describeNames(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d, e and 1 more');
  });

  it('joins runs of consecutive numbers', () => {
    expect(ranges([])).toBe('');
    expect(ranges([3])).toBe('3');
    expect(ranges([3, 7, 8, 9, 12])).toBe('3, 7-9, 12');
    expect(ranges([1, 2, 4, 5])).toBe('1-2, 4-5');
  });
});

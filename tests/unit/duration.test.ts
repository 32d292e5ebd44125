import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema, parseDuration, positiveDurationSchema } from '../../src/sim/scenario/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500us', 500],
    ['250ms', 250_000],
    ['5s', 5_000_000],
    ['10m', 600_000_000],
    ['1h', 3_600_000_000],
    ['0s', 0],
    ['1.5s', 1_500_000],
    ['0.25ms', 250],
    ['1.1s', 1_100_000],
    ['2.5h', 9_000_000_000],
    ['250 ms', 250_000],
    ['007s', 7_000_000],
  ])('%s is %d us', (text, micros) => {
    expect(parseDuration(text)).toBe(micros);
  });

  it.each(['', '5', 'ms', '5 parsecs', '5sec', '5  s', ' 5s', '5s ', '1e3ms', '.5s', '5.s', '5S', '1d', '5ms5'])(
    'rejects the malformed %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/invalid duration .*: expected a number followed by us, ms, s, m or h/);
    },
  );

  it('rejects negative values', () => {
    expect(() => parseDuration('-5s')).toThrow('invalid duration "-5s": a duration cannot be negative');
  });

  it('rejects fractions of a microsecond', () => {
    expect(() => parseDuration('1.5us')).toThrow('a duration must be a whole number of microseconds');
    expect(() => parseDuration('0.0000001s')).toThrow('whole number of microseconds');
  });

  it('rejects durations beyond exact integer range', () => {
    expect(() => parseDuration('9999999999999h')).toThrow('too large');
  });

  it('throws a plain Error', () => {
    expect(() => parseDuration('x')).toThrow(Error);
  });
});

describe('durationSchema', () => {
  const messages = (schema: z.ZodType, input: unknown) => {
    const result = schema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('converts a string into micros', () => {
    expect(durationSchema.parse('250ms')).toBe(250_000);
    expect(durationSchema.parse('0s')).toBe(0);
  });

  it('explains a number where a duration was expected', () => {
    expect(messages(durationSchema, 250)).toEqual(['expected a duration such as "250ms", "5s" or "10m", was 250']);
  });

  it('explains a malformed string', () => {
    expect(messages(durationSchema, '5 parsecs')).toEqual([
      'expected a duration such as "250ms", "5s" or "10m", was "5 parsecs"',
    ]);
  });

  it('explains negative and sub-microsecond durations', () => {
    expect(messages(durationSchema, '-1s')).toEqual(['a duration cannot be negative, was "-1s"']);
    expect(messages(durationSchema, '0.5us')).toEqual(['a duration must be a whole number of microseconds, was "0.5us"']);
  });

  it('positiveDurationSchema rejects zero', () => {
    expect(positiveDurationSchema.parse('1us')).toBe(1);
    expect(messages(positiveDurationSchema, '0ms')).toEqual([
      'expected a positive duration such as "250ms", "5s" or "10m", was "0ms"',
    ]);
  });

  it('leaves a missing value to the default message', () => {
    const result = z.object({ d: durationSchema }).safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'invalid_type', path: ['d'] });
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureMapping, ensureMappingWithStats } from '../../src/core/ensure-mapping.ts';

const entries = (m: Map<string, unknown>) => [...m.entries()];

/** Everything Object.prototype holds, own keys and symbols, so a test can prove nothing was added. */
const prototypeKeys = () => Reflect.ownKeys(Object.prototype).map(String).sort();
const cleanPrototype = prototypeKeys();

afterEach(() => {
  // Belt and braces: a polluted prototype would poison every later test in this worker.
  expect(prototypeKeys()).toEqual(cleanPrototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('ensureMapping: the seed examples', () => {
  it('a mapping comes back with the same entries', () => {
    expect(entries(ensureMapping({ a: 1 }))).toEqual([['a', 1]]);
  });

  it('a list is keyed by the given field', () => {
    expect(entries(ensureMapping([{ id: 'x', val: 1 }], 'id'))).toEqual([['x', { id: 'x', val: 1 }]]);
  });

  it('a list without a key is keyed by index', () => {
    expect(entries(ensureMapping([1, 2, 3]))).toEqual([
      ['0', 1],
      ['1', 2],
      ['2', 3],
    ]);
  });
});

describe('ensureMapping: every input shape', () => {
  it('null and undefined give an empty mapping', () => {
    expect(ensureMapping(null).size).toBe(0);
    expect(ensureMapping(undefined).size).toBe(0);
    expect(ensureMapping(undefined, 'id').size).toBe(0);
  });

  it('a scalar is wrapped under "value"', () => {
    for (const v of [0, 42, Number.NaN, '', 'text', true, false, 10n]) {
      expect(entries(ensureMapping(v))).toEqual([['value', v]]);
    }
  });

  it('an object gives its own enumerable string keys only, never inherited or symbol ones', () => {
    const proto = { inherited: 1 };
    const obj = Object.create(proto) as Record<string | symbol, unknown>;
    obj.own = 2;
    obj[Symbol('s')] = 3;
    Object.defineProperty(obj, 'hidden', { value: 4, enumerable: false });
    expect(entries(ensureMapping(obj))).toEqual([['own', 2]]);
  });

  it('a null-prototype object works', () => {
    const obj = Object.create(null) as Record<string, unknown>;
    obj.a = 1;
    expect(entries(ensureMapping(obj))).toEqual([['a', 1]]);
  });

  it('a Map is copied with its keys stringified', () => {
    const src = new Map<unknown, unknown>([
      ['a', 1],
      [2, 'two'],
    ]);
    const out = ensureMapping(src);
    expect(entries(out)).toEqual([
      ['a', 1],
      ['2', 'two'],
    ]);
    expect(out).not.toBe(src);
  });

  it('list items are keyed by a string or finite-number key, else by their index', () => {
    const items = [{ id: 'a' }, { id: 70 }, { id: Number.NaN }, { id: Infinity }, { id: null }, { other: 1 }, 'scalar', null, [1], { id: { nested: 1 } }, { id: true }, { id: -1.5 }];
    expect([...ensureMapping(items, 'id').keys()]).toEqual(['a', '70', '2', '3', '4', '5', '6', '7', '8', '9', '10', '-1.5']);
    // Without a key field every item is keyed by its index.
    expect([...ensureMapping(items).keys()]).toEqual(items.map((_, i) => String(i)));
  });

  it('the key field is read as an own property only', () => {
    const inherits = Object.create({ id: 'inherited' }) as Record<string, unknown>;
    expect([...ensureMapping([inherits], 'id').keys()]).toEqual(['0']);
  });

  it('a list with a hole treats it as undefined', () => {
    const sparse: unknown[] = [];
    sparse[1] = 'b';
    expect(entries(ensureMapping(sparse))).toEqual([
      ['0', undefined],
      ['1', 'b'],
    ]);
  });
});

describe('ensureMapping: duplicates', () => {
  it('a later item overwrites an earlier one with the same key, at the first position, and is counted', () => {
    const list = [{ id: 'a', v: 1 }, { id: 'b', v: 2 }, { id: 'a', v: 3 }, { id: 'a', v: 4 }];
    const { map, form, duplicates } = ensureMappingWithStats(list, 'id');
    expect(form).toBe('list');
    expect(entries(map)).toEqual([
      ['a', { id: 'a', v: 4 }],
      ['b', { id: 'b', v: 2 }],
    ]);
    expect(duplicates).toEqual([
      { key: 'a', index: 2, previous: { id: 'a', v: 1 } },
      { key: 'a', index: 3, previous: { id: 'a', v: 3 } },
    ]);
  });

  it('a number key and its string collide, and a keyed item can collide with an index-keyed one', () => {
    const { map, duplicates } = ensureMappingWithStats([{ id: 1 }, { id: '1' }, { other: true }, { id: '2' }], 'id');
    expect([...map.keys()]).toEqual(['1', '2']);
    expect(duplicates.map((d) => [d.key, d.index])).toEqual([
      ['1', 1],
      ['2', 3],
    ]);
  });

  it('reports the form of the input; only lists have duplicates', () => {
    expect(ensureMappingWithStats({ a: 1, b: 2 }, 'id')).toMatchObject({ form: 'mapping', duplicates: [] });
    expect(ensureMappingWithStats(new Map([['a', 1]]))).toMatchObject({ form: 'mapping', duplicates: [] });
    expect(ensureMappingWithStats([], 'id')).toMatchObject({ form: 'list', duplicates: [] });
    expect(ensureMappingWithStats(5)).toMatchObject({ form: 'scalar', duplicates: [] });
    expect(ensureMappingWithStats(null)).toMatchObject({ form: 'empty', duplicates: [] });
  });
});

describe('ensureMapping: prototype safety', () => {
  it('a parsed {"__proto__": ...} comes through as an ordinary key and touches no prototype', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = ensureMapping(parsed);
    expect(entries(out)).toEqual([
      ['__proto__', { polluted: true }],
      ['a', 1],
    ]);
    expect(Object.getPrototypeOf(out)).toBe(Map.prototype);
    expect(prototypeKeys()).toEqual(cleanPrototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('{"__proto__": 1} gives the key "__proto__" with the value 1', () => {
    expect(entries(ensureMapping(JSON.parse('{"__proto__": 1}')))).toEqual([['__proto__', 1]]);
  });

  it('a list keyed by client_id "__proto__" touches no prototype', () => {
    const list = [
      { client_id: '__proto__', polluted: true },
      { client_id: 'constructor', polluted: true },
      { client_id: 'prototype', polluted: true },
    ];
    const out = ensureMapping(list, 'client_id');
    expect([...out.keys()]).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(out.get('__proto__')).toEqual({ client_id: '__proto__', polluted: true });
    expect(prototypeKeys()).toEqual(cleanPrototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Object.prototype.constructor).toBe('function');
  });

  it('a list whose items are parsed {"__proto__": ...} objects is keyed safely too', () => {
    const list: unknown = JSON.parse('[{"__proto__": {"polluted": true}, "id": "__proto__"}]');
    const out = ensureMapping(list, 'id');
    expect([...out.keys()]).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('constructor, toString, hasOwnProperty and valueOf are ordinary keys', () => {
    const parsed: unknown = JSON.parse('{"constructor": 1, "toString": 2, "hasOwnProperty": 3, "valueOf": 4}');
    const out = ensureMapping(parsed);
    expect(entries(out)).toEqual([
      ['constructor', 1],
      ['toString', 2],
      ['hasOwnProperty', 3],
      ['valueOf', 4],
    ]);
    expect(out.get('toString')).toBe(2);
    expect(ensureMapping({}).get('toString')).toBeUndefined();
    expect(ensureMapping({}).has('constructor')).toBe(false);
  });

  it('property: any parsed JSON object comes through entry for entry, prototype untouched', () => {
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'polluted', '0', '1'), fc.string());
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.jsonValue())), (pairs) => {
        const text = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const parsed: unknown = JSON.parse(text);
        const out = ensureMapping(parsed);
        expect(entries(out)).toEqual(Object.entries(parsed as object));
        // JSON.parse keeps the last of duplicate keys: so does the mapping.
        for (const [k] of pairs) {
          const last = pairs.filter((p) => p[0] === k).at(-1) as [string, unknown];
          expect(out.get(k)).toEqual(JSON.parse(JSON.stringify(last[1])));
        }
        expect(prototypeKeys()).toEqual(cleanPrototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
    );
  });
});

/**
 * Normalises whatever a venue answered (a mapping, a list, a scalar, nothing) into a mapping, as the
 * original bot's `ensure_mapping` did, but safe: the result is a `Map`, so keys such as `__proto__`,
 * `constructor` or `hasOwnProperty` are ordinary keys and can never reach an object prototype.
 *
 * - a plain object (any non-null, non-array object): its own enumerable string keys, in
 *   `Object.keys` order (integer-like keys first, then insertion order). Nothing is read through the
 *   prototype: a `JSON.parse`d `{"__proto__": 1}` has an own `__proto__` key and comes through as the
 *   key "__proto__" with the value 1.
 * - a `Map`: a copy, each key stringified with `String` (if two keys stringify alike, the later wins).
 * - an array: keyed by `item[key]` when `key` is given and the item is a plain object whose own
 *   property `key` is a string or a finite number (stringified with `String`), otherwise by its index
 *   ("0", "1", ...; a hole counts as `undefined`). When two items get the same key the later value wins
 *   and the key keeps the position of its first occurrence; every overwrite is recorded in
 *   `duplicates` (see `ensureMappingWithStats`).
 * - `null` or `undefined`: an empty mapping.
 * - anything else (number, string, boolean, bigint, symbol, function): `{ "value" -> obj }`.
 */

/** A non-null object that is not an array: what JSON calls an object. */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of an own property, never one inherited through the prototype. */
export function ownProperty(obj: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

/** One overwrite in an array: the item at `index` took `key` from an earlier item whose value was `previous`. */
export interface MappingDuplicate {
  readonly key: string;
  readonly index: number;
  readonly previous: unknown;
}

/**
 * What the input was: `mapping` (an object or a Map: its keys are the sender's), `list` (keys are item
 * ids or indexes), `scalar` (wrapped under "value") or `empty` (null or undefined).
 */
export type MappingForm = 'mapping' | 'list' | 'scalar' | 'empty';

export interface NormalizedMapping {
  readonly map: Map<string, unknown>;
  readonly form: MappingForm;
  /** Every overwrite of an earlier array item by a later one with the same key, in array order. */
  readonly duplicates: readonly MappingDuplicate[];
}

/** The item's id under `key` when it has a usable one (a string or a finite number), else undefined. */
function itemKey(item: unknown, key: string): string | undefined {
  if (!isPlainObject(item)) return undefined;
  const id = ownProperty(item, key);
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/** `ensureMapping` with the bookkeeping recon needs: what form the input had and which list items collided. */
export function ensureMappingWithStats(obj: unknown, key?: string): NormalizedMapping {
  const map = new Map<string, unknown>();
  const duplicates: MappingDuplicate[] = [];
  if (obj === null || obj === undefined) return { map, form: 'empty', duplicates };
  if (Array.isArray(obj)) {
    for (let index = 0; index < obj.length; index++) {
      const item: unknown = obj[index];
      const k = (key === undefined ? undefined : itemKey(item, key)) ?? String(index);
      if (map.has(k)) duplicates.push({ key: k, index, previous: map.get(k) });
      map.set(k, item);
    }
    return { map, form: 'list', duplicates };
  }
  if (obj instanceof Map) {
    for (const [k, v] of obj as Map<unknown, unknown>) map.set(String(k), v);
    return { map, form: 'mapping', duplicates };
  }
  if (typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) map.set(k, v);
    return { map, form: 'mapping', duplicates };
  }
  map.set('value', obj);
  return { map, form: 'scalar', duplicates };
}

/** Normalises `obj` into a mapping (rules in the module comment). */
export function ensureMapping(obj: unknown, key?: string): Map<string, unknown> {
  return ensureMappingWithStats(obj, key).map;
}

// Zod has no public way to ask "which keys does this object allow", so walk the schema definitions.
interface LooseDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  getter?: () => unknown;
  left?: unknown;
  right?: unknown;
  valueType?: unknown;
  items?: unknown[];
  rest?: unknown;
  values?: unknown[];
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
const defOf = (schema: unknown) => (schema as { _zod?: { def?: LooseDef } } | undefined)?._zod?.def;
const field = (value: unknown, key: PropertyKey) =>
  typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;

function unwrap(schema: unknown, value: unknown): unknown {
  for (let guard = 0; guard < 64; guard++) {
    const def = defOf(schema);
    if (def && WRAPPERS.has(def.type)) schema = def.innerType;
    else if (def?.type === 'pipe') schema = def.in;
    else if (def?.type === 'lazy') schema = def.getter?.();
    else if (def?.type === 'union') schema = pickOption(def.options ?? [], value);
    else return schema;
  }
  return schema;
}

/** The union member that the value most plausibly meant: literal fields agree, most keys known. */
function pickOption(options: unknown[], value: unknown): unknown {
  let best: unknown;
  let bestScore = -1;
  for (const option of options) {
    const shape = defOf(unwrap(option, value))?.shape;
    if (!shape) continue;
    const entries = Object.entries(shape);
    const clash = entries.some(([key, s]) => {
      const def = defOf(s);
      return def?.type === 'literal' && field(value, key) !== undefined && !def.values?.includes(field(value, key));
    });
    if (clash) continue;
    const score = entries.filter(([key]) => field(value, key) !== undefined).length;
    if (score > bestScore) [best, bestScore] = [option, score];
  }
  return best ?? options[0];
}

function child(schema: unknown, seg: PropertyKey): unknown {
  const def = defOf(schema);
  switch (def?.type) {
    case 'object':
      return def.shape?.[String(seg)];
    case 'array':
      return def.element;
    case 'record':
      return def.valueType;
    case 'tuple':
      return def.items?.[Number(seg)] ?? def.rest;
    case 'intersection':
      return child(def.left, seg) ?? child(def.right, seg);
    default:
      return undefined;
  }
}

function keysOf(schema: unknown, value: unknown): string[] {
  const def = defOf(unwrap(schema, value));
  if (def?.type === 'object') return Object.keys(def.shape ?? {});
  if (def?.type === 'intersection') return [...keysOf(def.left, value), ...keysOf(def.right, value)];
  return [];
}

/** The keys the object schema at `path` allows (following the value through unions); undefined when unknown. */
export function allowedKeys(schema: unknown, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let current = schema;
  let value = data;
  for (const seg of path) {
    current = child(unwrap(current, value), seg);
    value = field(value, seg);
    if (current === undefined) return undefined;
  }
  const keys = [...new Set(keysOf(current, value))];
  return keys.length > 0 ? keys : undefined;
}

// Documents derived from a scenario document: its `variants:` and `--set` overrides, each applied to a copy
// and validated on its own (yaml-source.ts validateDocument), a bad override reported where it was written.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, parseChecked, validateDocument } from './yaml-source.ts';
import type { YamlOverride } from './yaml-source.ts';

export interface YamlVariant<T> {
  readonly name: string;
  readonly value: T;
}

/**
 * A document's variants: each item of its `variants:` list (`{name, set: {dotted.path: value}}`) applied
 * to a copy of the rest of the document, then validated on its own. The values keep their place in the
 * file, so a bad override is reported at its own line. Returns [] when there is no `variants:` list; the
 * list's shape is the schema's business (validate the whole document first).
 */
export function parseYamlVariants<S extends z.ZodType>(text: string, file: string, schema: S, key = 'variants'): YamlVariant<z.output<S>>[] {
  const { doc, lines } = parseChecked(text, file);
  return variantDocs(doc, file, key).map((v) => ({ name: v.name, value: validateDocument(v.doc, lines, `${file} (variant ${v.name})`, schema) }));
}

/**
 * The runs a document asks for (itself, or one per variant as parseYamlVariants makes them), each with
 * `overrides` applied last, through the same mechanism as a variant's `set:`. A problem in a field an
 * override set (or under it, or an unknown field it named) is reported at the override's label instead
 * of a line of the file: the file is not where the bad value came from.
 */
export function parseYamlRuns<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  overrides: readonly YamlOverride[],
  key = 'variants',
): { readonly name?: string; readonly value: z.output<S> }[] {
  const { doc, lines } = parseChecked(text, file);
  const variants = doc.get(key, true) === undefined ? [{ name: undefined, doc }] : variantDocs(doc, file, key);
  return variants.map((v) => {
    const copy = v.doc.clone();
    for (const o of overrides) setAt(copy, [...o.path], copy.createNode(o.value), undefined, o.label);
    const where = v.name === undefined ? file : `${file} (variant ${v.name})`;
    const value = validateDocument(copy, lines, where, schema, overrides);
    return v.name === undefined ? { value } : { name: v.name, value };
  });
}

function variantDocs(doc: Document, file: string, key: string): { name: string; doc: Document }[] {
  const list = doc.get(key, true);
  if (!isSeq(list)) return [];
  return list.items.map((item, i) => {
    if (!isMap(item)) throw new ScenarioError(`${file}: ${key}.${i}: expected {name, set}`, { file });
    const name = String(item.get('name'));
    const copy = doc.clone();
    copy.delete(key);
    const set = item.get('set', true);
    if (isMap(set)) {
      for (const pair of set.items) {
        const dotted = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const path = dotted.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
        setAt(copy, path, pair.value, pair.key, `${file} (variant ${name}): set ${dotted}`);
      }
    }
    return { name, doc: copy };
  });
}

/** Sets the field at `path`; a path through a value that is not a map or list is bad input naming `label`. */
function setAt(doc: Document, path: (string | number)[], value: unknown, overrideKey: unknown, label: string): void {
  for (let i = 1; i < path.length; i++) {
    const above = doc.getIn(path.slice(0, i), true);
    if (above !== undefined && !isMap(above) && !isSeq(above)) {
      throw new ScenarioError(`${label}: ${path.slice(0, i).join('.')} is a single value, not a section with a field ${JSON.stringify(String(path[i]))}`, {
        file: label,
        path: path.join('.'),
      });
    }
  }
  doc.setIn(path, value);
  if (overrideKey !== undefined) pointKeyAt(doc, path, overrideKey);
}

/**
 * After an override, the overridden field's key still points into the base document; point it at the
 * override's own key, so that an error located at the key names the override's line.
 */
function pointKeyAt(doc: Document, path: (string | number)[], overrideKey: unknown): void {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent) || !isScalar(overrideKey)) return;
  const last = path[path.length - 1];
  for (const pair of parent.items) {
    if (isScalar(pair.key) && pair.key.value === last) {
      const key = pair.key.clone();
      key.range = overrideKey.range;
      pair.key = key;
    }
  }
}

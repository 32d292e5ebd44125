import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Document } from 'yaml';

type Path = readonly PropertyKey[];

/** The key whose scalar starts at `offset` (for a duplicate-key error). */
export function keyAt(doc: Document, offset: number): unknown {
  let key: unknown;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = pair.key.value;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/**
 * Source offset of the YAML node at `path`. When it is absent, the key of the nearest existing parent
 * (`response:` for a missing `response.median_ms`), which reads better than the parent's first child.
 */
export function locate(doc: Document, path: Path, preferKey = false): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  let parentOffset = offset;
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return parentOffset;
      offset = parentOffset = rangeStart(pair.key) ?? offset;
      if (preferKey && i === path.length - 1) return offset;
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
      parentOffset = offset = rangeStart(next) ?? offset;
    } else {
      return parentOffset;
    }
    if (next === undefined || next === null) return parentOffset;
    node = next;
    // An empty value (`key:`) sits after the colon; the key is the better place to point at.
    const range = (node as { range?: [number, number, number] }).range;
    if (range && range[1] > range[0]) offset = range[0];
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

import type { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { parseYamlWithSchema } from './yaml-source.ts';

/** `line:col` (1-based) of a character offset. */
function lineCol(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `${line}:${position - before.lastIndexOf('\n')}`;
}

/**
 * Parses a JSON file given by a user and validates it against `schema`. Anything unusable is one
 * InputError naming the file: a syntax error with its line and column (a truncated file at its end),
 * a field of the wrong shape with its path and, since JSON is YAML, its line and column.
 */
export function parseJsonWithSchema<S extends z.ZodType>(text: string, file: string, schema: S, code: string): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    // V8 gives no position for an unexpected character, and quotes the text (line breaks and all).
    const found = pos || /end of JSON input/.test(msg) ? undefined : jsonSyntaxError(text);
    if (found) throw new InputError(`${file}:${lineCol(text, found.at)}: not valid JSON (${found.why})`, code);
    const at = pos ? Number(pos[1]) : /end of JSON input/.test(msg) ? text.length : undefined;
    const truncated = at === text.length && text.trim().length > 0 ? ': the file ends early (truncated?)' : '';
    const empty = text.trim().length === 0 ? ': the file is empty' : '';
    throw new InputError(`${file}${at === undefined || empty ? '' : `:${lineCol(text, at)}`}: not valid JSON (${msg})${truncated}${empty}`, code);
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  try {
    // Only reached for a file already known to be bad: the YAML reading locates the field's line.
    parseYamlWithSchema(text, file, schema);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.message, code);
    throw err;
  }
  const issue = parsed.error.issues[0]!;
  throw new InputError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, code);
}

const LITERALS = ['true', 'false', 'null'] as const;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NOT_JSON_NUMBER = /-?(?:NaN|Infinity)/y;
const WS = new Set([' ', '\t', '\n', '\r']);
const showChar = (c: string): string => (c === '\ufeff' ? 'a byte-order mark' : JSON.stringify(c));

/**
 * Where JSON text first breaks the grammar, and why, for the errors that V8 reports without a position
 * (an unexpected character: a BOM, a bare NaN or Infinity, a stray comma). Iterative, so deep nesting
 * cannot overflow the stack. Undefined when it finds nothing wrong.
 */
export function jsonSyntaxError(text: string): { at: number; why: string } | undefined {
  if (text.charCodeAt(0) === 0xfeff) return { at: 0, why: 'a byte-order mark (BOM) before the JSON: save the file as UTF-8 without one' };
  const stack: string[] = [];
  let state: 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'after' = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && WS.has(text[i]!)) i++;
    if (i >= text.length) return state === 'after' && stack.length === 0 ? undefined : { at: i, why: 'the file ends early (truncated?)' };
    const c = text[i]!;
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return { at: i, why: `unexpected ${showChar(c)} after the JSON value` };
      if (c === ',') state = top === '{' ? 'key' : 'value';
      else if (c === (top === '{' ? '}' : ']')) stack.pop();
      else return { at: i, why: `unexpected ${showChar(c)}: expected "," or "${top === '{' ? '}' : ']'}"` };
      i++;
      continue;
    }
    if (state === 'key' || state === 'keyOrEnd') {
      if (state === 'keyOrEnd' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c !== '"') return { at: i, why: `unexpected ${showChar(c)}: expected a "quoted" key` };
      const bad = skipString(text, i);
      if (typeof bad !== 'number') return bad;
      i = bad;
      while (i < text.length && WS.has(text[i]!)) i++;
      if (text[i] !== ':') return { at: i, why: i >= text.length ? 'the file ends early (truncated?)' : `unexpected ${showChar(text[i]!)}: expected ":" after the key` };
      i++;
      state = 'value';
      continue;
    }
    if (state === 'valueOrEnd' && c === ']') {
      stack.pop();
      i++;
      state = 'after';
      continue;
    }
    state = 'after';
    if (c === '{' || c === '[') {
      stack.push(c);
      state = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
      i++;
      continue;
    }
    if (c === '"') {
      const bad = skipString(text, i);
      if (typeof bad !== 'number') return bad;
      i = bad;
      continue;
    }
    const literal = LITERALS.find((l) => text.startsWith(l, i));
    if (literal) {
      i += literal.length;
      continue;
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      continue;
    }
    NOT_JSON_NUMBER.lastIndex = i;
    const word = NOT_JSON_NUMBER.exec(text)?.[0];
    if (word) return { at: i, why: `${word} is not a number in JSON (JSON numbers are finite)` };
    return { at: i, why: `unexpected ${showChar(c)}: expected a value` };
  }
}

/** The offset after the string starting at `start` (a quote), or why it is not a JSON string. */
function skipString(text: string, start: number): number | { at: number; why: string } {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { at: i, why: 'a control character (such as a line break) inside a string' };
    if (code === 0x5c) {
      const next = text[i + 1];
      if (next === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(next ?? 'x')) return { at: i, why: 'an invalid escape inside a string' };
      i += next === 'u' ? 5 : 1;
    }
  }
  return { at: text.length, why: 'the file ends early (truncated?)' };
}

import type { z } from 'zod';
import { InputError } from '../core/errors.ts';
import { parseYamlWithSchema } from './scenario/yaml-source.ts';

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

import { InputError } from '../../core/errors.ts';

export interface RedisAddress {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
}

/** `redis://HOST:PORT[/DB]` (the port defaults to 6379). */
export function parseRedisUrl(text: string, flag = '--queue'): RedisAddress {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InputError(`${flag} ${text}: expected redis://HOST:PORT, e.g. ${flag} redis://127.0.0.1:6379`, 'USAGE');
  }
  if (u.protocol !== 'redis:' || u.hostname === '') throw new InputError(`${flag} ${text}: expected redis://HOST:PORT, e.g. ${flag} redis://127.0.0.1:6379`, 'USAGE');
  if (u.username || u.password || u.search || u.hash) throw new InputError(`${flag} ${text}: only redis://HOST:PORT[/DB] is understood`, 'USAGE');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isSafeInteger(db) || db > 15) throw new InputError(`${flag} ${text}: the database is a number from 0 to 15`, 'USAGE');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { url: `redis://${u.host}${db ? `/${db}` : ''}`, host, port, db };
}

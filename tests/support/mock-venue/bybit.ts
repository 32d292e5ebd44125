import type { Feed, Hub } from './hub.ts';
export async function loadBybitFeed(_hub: Hub, _path: string, _symbol: string): Promise<Feed> {
  throw new Error('mock venue: bybit_linear not yet');
}

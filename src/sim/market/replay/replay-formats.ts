/** The recording formats a replay reads (see docs/replay.md for each one's source and layout). */
export const REPLAY_FORMATS = ['binance_usdm', 'binance_coinm', 'binance_spot', 'bybit_ob500', 'bybit_v2', 'bybit_v5', 'tardis'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/** Formats whose lines carry the recorder's receive time (needed for `feed_latency: recorded`). */
export const FORMATS_WITH_LOCAL_TIME: readonly ReplayFormat[] = ['binance_usdm', 'binance_coinm', 'binance_spot', 'bybit_v2', 'bybit_v5', 'tardis'];

import { createBinanceDecoder } from './binance-decoder.ts';
import { createBybitOb500Decoder } from './bybit-ob500-decoder.ts';
import { createBybitV2Decoder } from './bybit-v2-decoder.ts';
import { createBybitV5Decoder } from './bybit-v5-decoder.ts';
import { readLineBatches } from './line-source.ts';
import type { ReplayFormat } from './replay-formats.ts';
import { ReplayDataError } from './replay-message.ts';
import type { DecoderStats, LineDecoder, ReplayMessage } from './replay-message.ts';
import { createTardisDecoder } from './tardis-decoder.ts';


export function createDecoder(format: ReplayFormat, symbol: string): LineDecoder {
  switch (format) {
    case 'binance_usdm':
      return createBinanceDecoder({ market: 'usdm', symbol });
    case 'binance_coinm':
      return createBinanceDecoder({ market: 'coinm', symbol });
    case 'binance_spot':
      return createBinanceDecoder({ market: 'spot', symbol });
    case 'bybit_ob500':
      return createBybitOb500Decoder({ symbol });
    case 'bybit_v2':
      return createBybitV2Decoder({ symbol });
    case 'bybit_v5':
      return createBybitV5Decoder({ symbol });
    case 'tardis':
      return createTardisDecoder({ symbol });
  }
}

/** Messages of a recording in batches, pulled on demand; memory holds one batch per file. */
export interface ReplaySource {
  /** The next batch (never empty), or undefined at the end of the recording. */
  next(): Promise<ReplayMessage[] | undefined>;
  /** Stops reading early (a replay cut short by `duration`). */
  close(): Promise<void>;
  /** One entry per file, in the order given. */
  readonly files: readonly { readonly path: string; readonly stats: DecoderStats }[];
  /** The file a message came from: with several files merged, a message's line number means nothing without it. */
  fileOf(m: ReplayMessage): string;
}

/** One file: its lines decoded batch by batch; a data error gets the file's name. */
async function* decodeFile(path: string, decoder: LineDecoder): AsyncGenerator<ReplayMessage[]> {
  let line = 0;
  try {
    for await (const lines of readLineBatches(path)) {
      const out: ReplayMessage[] = [];
      for (let i = 0; i < lines.length; i++) decoder.decode(lines[i]!, ++line, out);
      if (out.length > 0) yield out;
    }
    const out: ReplayMessage[] = [];
    decoder.end(line, out);
    if (out.length > 0) yield out;
  } catch (e) {
    throw e instanceof ReplayDataError ? e.inFile(path) : e;
  }
}

/** The time a message was recorded at, for merging files: the receive time where there is one. */
const mergeKey = (m: ReplayMessage): number => m.localUs ?? m.exchangeUs;

const MERGE_BATCH = 4096;

/**
 * Opens a recording of one or several files (e.g. a Tardis book file and its trades file). Several files
 * are merged by receive time, ties going to the file listed first.
 */
export function openReplaySource(format: ReplayFormat, paths: readonly string[], symbol: string): ReplaySource {
  const files = paths.map((path) => ({ path, decoder: createDecoder(format, symbol) }));
  const gens = files.map((f) => decodeFile(f.path, f.decoder));
  const info = files.map((f) => ({ path: f.path, stats: f.decoder.stats }));
  const close = async (): Promise<void> => {
    for (const g of gens) await g.return(undefined);
  };
  if (gens.length === 1) {
    const gen = gens[0]!;
    return {
      files: info,
      close,
      fileOf: () => paths[0]!,
      next: async () => {
        const r = await gen.next();
        return r.done ? undefined : r.value;
      },
    };
  }
  // k-way merge: each file keeps its current batch and a cursor into it.
  const heads = gens.map(() => ({ batch: [] as ReplayMessage[], at: 0, done: false }));
  const ensure = async (i: number): Promise<boolean> => {
    const h = heads[i]!;
    while (h.at >= h.batch.length && !h.done) {
      const r = await gens[i]!.next();
      if (r.done) h.done = true;
      else {
        h.batch = r.value;
        h.at = 0;
      }
    }
    return h.at < h.batch.length;
  };
  return {
    files: info,
    close,
    fileOf: (m) => paths[m.file ?? 0]!,
    next: async () => {
      const out: ReplayMessage[] = [];
      while (out.length < MERGE_BATCH) {
        let pick = -1;
        let key = Infinity;
        for (let i = 0; i < heads.length; i++) {
          if (!(await ensure(i))) continue;
          const h = heads[i]!;
          const k = mergeKey(h.batch[h.at]!);
          if (k < key) {
            key = k;
            pick = i;
          }
        }
        if (pick < 0) break;
        const h = heads[pick]!;
        const m = h.batch[h.at++]!;
        m.file = pick;
        out.push(m);
      }
      return out.length > 0 ? out : undefined;
    },
  };
}

import { InputError } from '../core/errors.ts';
import { writeFilesAtomically } from '../sim/run/atomic-write.ts';
import { calibrate } from '../sim/market/calibration/calibrate.ts';
import { marketYaml } from '../sim/market/calibration/market-yaml.ts';
import { REPLAY_FORMATS } from '../sim/market/replay/replay-formats.ts';
import type { ReplayFormat } from '../sim/market/replay/replay-formats.ts';

export interface CalibrateArgs {
  readonly recording: readonly string[];
  readonly format: string;
  readonly symbol: string;
  readonly out?: string | undefined;
  readonly tickSize?: string | undefined;
  readonly lotSize?: string | undefined;
}

function positive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(Number.isFinite(x) && x > 0)) throw new InputError(`${flag}: ${JSON.stringify(v)} is not a positive number`, 'USAGE');
  return x;
}

/** `mmsim calibrate`: fits the synthetic market to a recording and prints (or writes) its `market:` section. */
export async function runCalibrateCommand(args: CalibrateArgs): Promise<number> {
  if (!(REPLAY_FORMATS as readonly string[]).includes(args.format)) {
    throw new InputError(`--format: ${JSON.stringify(args.format)} is not one of ${REPLAY_FORMATS.join(', ')}`, 'USAGE');
  }
  if (args.out !== undefined && args.out.trim() === '') throw new InputError('--out: empty: name a file, e.g. --out market.yaml', 'USAGE');
  const fitted = await calibrate({
    format: args.format as ReplayFormat,
    paths: args.recording,
    symbol: args.symbol,
    tickSize: positive('--tick-size', args.tickSize),
    lotSize: positive('--lot-size', args.lotSize),
  });
  const text = marketYaml(fitted, args.recording.join(', '));
  if (args.out === undefined) process.stdout.write(text);
  else {
    await writeFilesAtomically([[args.out, text]]);
    process.stdout.write(`wrote ${args.out}\n`);
  }
  return 0;
}

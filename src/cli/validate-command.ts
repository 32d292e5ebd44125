import { validateReport } from '../core/report-validator.ts';
import { loadReport } from '../sim/run/report-file.ts';

export interface ValidateArgs {
  readonly report: string;
  readonly strict: boolean;
}

/** `mmsim validate`: prints one warning per line; exit 1 under --strict when there is any. */
export async function runValidateCommand(args: ValidateArgs): Promise<number> {
  const report = await loadReport(args.report);
  const warnings = validateReport(report);
  for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
  if (warnings.length === 0) process.stdout.write(`${args.report}: ok\n`);
  return warnings.length > 0 && args.strict ? 1 : 0;
}

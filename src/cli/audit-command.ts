import { auditSoak } from '../sim/soak/audit.ts';
import { auditLines } from '../sim/soak/soak-format.ts';

export interface AuditArgs {
  readonly dir: string;
  readonly allowGaps: boolean;
}

/** Exit 0 when the soak's P&L is consistent, 1 when it is not; unusable input throws (exit 2). */
export async function runAuditCommand(args: AuditArgs): Promise<number> {
  const outcome = await auditSoak(args.dir, { allowGaps: args.allowGaps });
  const lines = auditLines(args.dir, outcome);
  process.stdout.write(`${lines.join('\n')}\n`);
  return outcome.result.consistent ? 0 : 1;
}

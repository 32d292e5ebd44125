import { join } from 'node:path';
import { describeNames, ranges } from './audit-input.ts';
import { LAST_N, TOLERANCE_BPS } from './audit-table.ts';
import type { AuditOutcome } from './audit.ts';
import type { IterSummary } from './iter-summary.ts';
import type { SoakPlan } from './soak-runner.ts';

const f2 = (x: number): string => x.toFixed(2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One line per finished iteration (when stderr is not a terminal and there is no progress bar). */
export function iterationLine(s: IterSummary, total: number): string {
  const m = s.summary;
  return (
    `iteration ${s.iteration}/${total} (seed ${s.seed}): net ${f2(m.net_bps)} bps = gross ${f2(m.gross_bps)} - adverse p95 ${f2(m.adverse_bps_p95)}` +
    ` - slippage p95 ${f2(m.slippage_bps_p95)} - fees ${f2(m.fees_bps)}; fill rate ${pct(m.maker_fill_rate)}, latency p95 ${m.latency_p95_ms} ms,` +
    ` risk p95 ${m.risk_ratio_p95.toFixed(3)}, rejects ${m.rejects}`
  );
}

/** What a resume found on disk, for stderr. */
export function planLines(plan: SoakPlan, dir: string): string[] {
  const lines = plan.removedTemps.map((t) => `removed ${join(dir, t)}: the temporary file of an interrupted write`);
  for (const r of plan.redo) lines.push(`not kept, running iteration ${r.iteration} again: ${r.reason.split('\n')[0]}`);
  if (plan.done.length > 0) {
    lines.push(`resuming: iterations ${ranges(plan.done)} are done; ${plan.todo.length > 0 ? `running ${ranges(plan.todo)}` : 'nothing left to run'}`);
  }
  return lines;
}

/** The audit's verdict for the terminal. */
export function auditLines(dir: string, o: AuditOutcome): string[] {
  const r = o.result;
  const iters = r.rows.map((row) => row.iter);
  const lines = [`audited ${iters.length} iteration summaries of ${dir} (iterations ${ranges(iters)})`];
  if (o.scan.missing.length > 0) lines.push(`missing (--allow-gaps): iterations ${ranges(o.scan.missing)}`);
  if (r.grossImputed.length > 0) {
    lines.push(`gross_bps imputed as net + adverse_p95 + slippage_p95 + fees (older summaries without it): iterations ${ranges(r.grossImputed)} (${files(o, r.grossImputed)})`);
  }
  if (r.feesDefaulted.length > 0) lines.push(`fees_bps taken as 0.0 (absent): iterations ${ranges(r.feesDefaulted)} (${files(o, r.feesDefaulted)})`);
  if (o.scan.suspicious.length > 0) {
    lines.push(`ignored, not named ITER_SUMMARY_<N>.json: ${describeNames(o.scan.suspicious)}`);
  }
  if (o.scan.ignored.length > 0) lines.push(`ignored ${o.scan.ignored.length} other entries: ${describeNames(o.scan.ignored)}`);
  const st = r.lastN.stats;
  lines.push(
    `last ${r.lastN.iterations.length} (iterations ${ranges(r.lastN.iterations)}): net ${f2(st.net_bps.mean)} bps (sd ${f2(st.net_bps.stdev)}, ${f2(st.net_bps.min)} to ${f2(st.net_bps.max)}),` +
      ` gross ${f2(st.gross_bps.mean)}, adverse p95 ${f2(st.adverse_p95.mean)}, slippage p95 ${f2(st.slippage_p95.mean)}, fees ${f2(st.fees_bps.mean)};` +
      ` fill rate ${pct(st.maker_fill_rate.mean)} (${pct(st.maker_fill_rate.min)} to ${pct(st.maker_fill_rate.max)}),` +
      ` latency p95 ${f2(st.latency_p95_ms.mean)} ms (max ${f2(st.latency_p95_ms.max)}), risk ratio p95 ${st.risk_ratio_p95.mean.toFixed(3)} (max ${st.risk_ratio_p95.max.toFixed(3)})`,
  );
  if (r.consistent) {
    lines.push(
      `verdict: consistent: net = gross - adverse_p95 - slippage_p95 - fees within ${TOLERANCE_BPS} bps in every iteration` +
        ` (largest gap ${largestGap(r)} bps) and over the last ${r.lastN.iterations.length}`,
    );
  } else {
    lines.push(`verdict: INCONSISTENT: net = gross - adverse_p95 - slippage_p95 - fees is off by more than ${TOLERANCE_BPS} bps`);
    for (const f of r.failures) lines.push(`  iteration ${f.iter}: gap ${f.gap_bps >= 0 ? '+' : ''}${f.gap_bps.toFixed(4)} bps`);
    if (!r.lastN.ok) lines.push(`  last ${LAST_N} together: gap ${r.lastN.gap_bps >= 0 ? '+' : ''}${r.lastN.gap_bps.toFixed(4)} bps`);
  }
  lines.push(`wrote ${o.written.join(', ')}`);
  return lines;
}

function largestGap(r: AuditOutcome['result']): string {
  const gap = r.maxAbsGap ? Math.abs(r.maxAbsGap.gap_bps) : 0;
  return gap === 0 ? '0' : gap.toExponential(1);
}

/** The file names of some iterations, as read (ITER_SUMMARY_07.json stays so). */
function files(o: AuditOutcome, iters: readonly number[]): string {
  const names = new Map(o.scan.inputs.map((i) => [i.iter, i.name]));
  return describeNames(iters.map((i) => names.get(i)!));
}

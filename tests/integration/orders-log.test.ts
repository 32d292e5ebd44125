import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sharedRun as runFile } from '../support/shared-runs.ts';

const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));

// orders.csv against the report of the same run: the log must account for every order the exchange and
// the bot counted, with the exchange's own times even where acks were lost (ack-loss.yaml).
describe.each(['risk-limit.yaml', 'ack-loss.yaml'])('orders.csv of %s', (file) => {
  it('has one row per order sent or blocked, agreeing with the report and in time order', async () => {
    const { report, ordersCsv } = await runFile(file);
    const rows = parse(ordersCsv, { columns: true }) as Record<string, string>[];
    const s = report.summary as Record<string, unknown> & { rejects_by_reason: Record<string, number> };
    const ex = report.exchange as { orders_received: number; fills: number; resting_at_end: number; account: { filled_lots: number } };
    const riskBlocks = Object.entries(s.rejects_by_reason).filter(([k]) => k.startsWith('risk_')).reduce((a, [, n]) => a + n, 0);
    expect(rows).toHaveLength((s.orders_sent as number) + riskBlocks);
    expect(rows.filter((r) => r.order === '')).toHaveLength(riskBlocks);
    expect(rows.filter((r) => r.arrival_us !== '')).toHaveLength(ex.orders_received);
    expect(rows.reduce((a, r) => a + Number(r.fills), 0)).toBe(ex.fills);
    expect(rows.filter((r) => r.done === 'open')).toHaveLength(ex.resting_at_end);
    const ids = rows.filter((r) => r.order !== '').map((r) => r.order);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of rows) {
      const times = [r.sent_us, r.arrival_us, r.first_fill_us, r.last_fill_us, r.done_us].map(num).filter((t) => t !== undefined);
      expect(times, r.order).toEqual([...times].sort((a, b) => a - b));
      expect(r.done === 'filled', r.order).toBe(r.filled_qty === r.qty);
      if (r.outcome === 'rejected') expect(r.reason, r.order).not.toBe('');
    }
  });

  it('joins fills.csv by order: the fills of each order there add up to its filled_qty', async () => {
    const { ordersCsv, fillsCsv } = await runFile(file);
    const orders = parse(ordersCsv, { columns: true }) as Record<string, string>[];
    const fills = parse(fillsCsv, { columns: true }) as Record<string, string>[];
    const byOrder = new Map<string, number>();
    for (const f of fills) byOrder.set(f.order!, (byOrder.get(f.order!) ?? 0) + Math.round(Number(f.qty) * 1e9));
    const known = new Set(orders.map((o) => o.order));
    for (const id of byOrder.keys()) expect(known.has(id), id).toBe(true);
    const filled = orders.filter((o) => Number(o.filled_qty) > 0);
    expect(filled.length).toBeGreaterThan(10);
    // No fill is lost on the way to the bot in these scenarios (no disconnect), so both accounts agree.
    for (const o of filled) expect(byOrder.get(o.order!), o.order).toBe(Math.round(Number(o.filled_qty) * 1e9));
  });
});

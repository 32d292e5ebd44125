import type { z } from 'zod';
import { LIMITS } from './ranges.ts';

/**
 * Checks across fields that one field's range cannot make: the run's length and event count, the
 * synthetic book's initial ladder, the ladder's farthest quote and the order size against one lot. Each
 * names the field to change; all run on the validated scenario, before anything is read or run.
 */

/** The parts of a validated scenario these checks read (structural, so that schema.ts can call them). */
interface ScaleInput {
  readonly instrument: { readonly tick_size: number; readonly lot_size: number };
  readonly market:
    | {
        readonly source: 'synthetic';
        readonly initial_mid: number;
        readonly spread_ticks: number;
        readonly levels: number;
        readonly depth_lots: number;
        readonly market_orders: { readonly rate_per_s: number };
        readonly limit_orders: { readonly rate_per_s: number; readonly size_lots: number };
        readonly cancel_rate_per_s: number;
        readonly phases: readonly { readonly duration: number; readonly intensity: number }[];
      }
    | { readonly source: 'replay'; readonly duration?: number | undefined }
    | { readonly source: 'live' };
  readonly exchange: { readonly heartbeat: number };
  readonly strategy: {
    readonly kind?: 'ladder' | 'avellaneda_stoikov' | undefined;
    readonly levels?: number;
    readonly spread_bps?: number;
    readonly level_step_bps?: number;
    readonly size_usd?: number;
    readonly refresh?: number;
    readonly session: { readonly watchdog_interval: number; readonly recon_interval: number };
  };
  readonly run: { readonly max_events: number };
}

export const DEFAULT_MAX_EVENTS = 50_000_000;
const US_PER_S = 1_000_000;

type Path = (string | number)[];
const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (us: number): string => `${us / US_PER_S}s`;
/** `100ms`, `1us`, `2.5s`: a duration as a scenario writes it. */
function duration(us: number): string {
  for (const [unit, per] of [['h', 3_600 * US_PER_S], ['m', 60 * US_PER_S], ['s', US_PER_S], ['ms', 1_000]] as const) {
    if (us >= per && us % (per / 1_000) === 0) return `${us / per}${unit}`;
  }
  return `${us}us`;
}

export function checkScenarioScale(s: ScaleInput, ctx: z.RefinementCtx): void {
  // A field out of its range is the one error to show: these checks would only repeat it in other words.
  if (ctx.issues.length > 0) return;
  const m = s.market;
  // A live session runs on the wall clock: no event budget to check.
  const lengthUs = m.source === 'synthetic' ? m.phases.reduce((t, p) => t + p.duration, 0) : m.source === 'replay' ? m.duration : undefined;
  if (m.source === 'synthetic' && lengthUs! > LIMITS.runLengthUs) {
    const last = m.phases.length - 1;
    ctx.addIssue({ code: 'custom', path: ['market', 'phases', last, 'duration'], message: `the phases last ${seconds(lengthUs!)} in all, more than 30 days of virtual time` });
    return;
  }
  if (lengthUs !== undefined) checkEventBudget(s, lengthUs, ctx);
  checkLadder(s, ctx);
  if (m.source === 'synthetic') {
    checkMidPath(s, m, ctx);
    checkOrderSize(s, m.initial_mid, ctx);
  }
}

/**
 * A lower bound of the events a run schedules (one per tick of each periodic source, one per expected
 * trade; the real count is several times higher): when even that exceeds run.max_events, the run would
 * only fail at the limit after a long time, so it fails now, naming the sources.
 */
function checkEventBudget(s: ScaleInput, lengthUs: number, ctx: z.RefinementCtx): void {
  const sources: { path: Path; text: string; fix: string; events: number }[] = [];
  const every = (path: Path, intervalUs: number) => {
    const name = path.join('.');
    if (intervalUs > 0) sources.push({ path, text: `${name} ${duration(intervalUs)}`, fix: `lengthen ${name}`, events: lengthUs / intervalUs });
  };
  const m = s.market;
  if (m.source === 'synthetic') {
    // Market and limit orders at their mean rates; cancellations at least what keeps the depth stationary.
    const perS = m.market_orders.rate_per_s + m.limit_orders.rate_per_s;
    m.phases.forEach((p, i) => {
      const events = (perS * p.intensity * p.duration) / US_PER_S;
      const name = `market.phases[${i}].intensity`;
      if (events > 0) sources.push({ path: ['market', 'phases', i, 'intensity'], text: `order flow at ${name} ${p.intensity}`, fix: `lower ${name}`, events });
    });
  }
  every(['exchange', 'heartbeat'], s.exchange.heartbeat);
  if (s.strategy.refresh !== undefined) every(['strategy', 'refresh'], s.strategy.refresh);
  every(['strategy', 'session', 'watchdog_interval'], s.strategy.session.watchdog_interval);
  every(['strategy', 'session', 'recon_interval'], s.strategy.session.recon_interval);
  const total = sources.reduce((t, x) => t + x.events, 0);
  const max = s.run.max_events;
  if (total <= max) return;
  sources.sort((a, b) => b.events - a.events);
  const top = sources[0]!;
  const blamed = max === DEFAULT_MAX_EVENTS && top.events > max ? top.path : ['run', 'max_events'];
  const shown = sources.slice(0, 3).map((x) => `${x.text}: ${count(x.events)}`).join(', ');
  ctx.addIssue({
    code: 'custom',
    path: blamed,
    message:
      `the run needs at least ${count(total)} events in its ${seconds(lengthUs)} (${shown}), more than run.max_events (${count(max)}): ` +
      `${blamed === top.path ? `${top.fix}, or raise run.max_events` : 'raise run.max_events'}`,
  });
}

/** The farthest quote of the ladder must stay above zero. */
function checkLadder(s: ScaleInput, ctx: z.RefinementCtx): void {
  const st = s.strategy;
  if (st.levels === undefined || st.spread_bps === undefined || st.level_step_bps === undefined) return;
  const farthest = st.spread_bps / 2 + (st.levels - 1) * st.level_step_bps;
  if (farthest >= 10_000) {
    ctx.addIssue({
      code: 'custom',
      path: ['strategy', st.levels > 1 && st.level_step_bps > 0 ? 'level_step_bps' : 'spread_bps'],
      message: `the farthest bid is ${farthest} bps below the mid (spread_bps / 2 + (levels - 1) x level_step_bps): at or below a price of zero`,
    });
  }
}

type Synthetic = Extract<ScaleInput['market'], { source: 'synthetic' }>;

/**
 * The synthetic price moves only by the order flow, so its path has no closed-form bound; what can be
 * checked is that the initial book fits: the mid at most 1e12 ticks and at least ten times the ladder.
 */
function checkMidPath(s: ScaleInput, m: Synthetic, ctx: z.RefinementCtx): void {
  const midTicks = m.initial_mid / s.instrument.tick_size;
  const floor = m.levels + m.spread_ticks;
  if (midTicks > LIMITS.midTicksMax) {
    ctx.addIssue({ code: 'custom', path: ['market', 'initial_mid'], message: `is ${midTicks.toExponential(2)} ticks of instrument.tick_size, more than 1e12: raise tick_size` });
    return;
  }
  if (midTicks < 10 * floor) {
    ctx.addIssue({
      code: 'custom',
      path: ['market', 'initial_mid'],
      message: `is ${midTicks.toPrecision(3)} ticks of instrument.tick_size (${s.instrument.tick_size}); the book needs at least ${10 * floor} (10 x (levels + spread_ticks)): lower tick_size`,
    });
  }
}

/**
 * Orders are sized in whole lots, at least one. Below half a lot at the initial mid every order would be
 * rounded up by more than 2x, silently: the run would trade sizes the scenario never asked for.
 * (A replay's mid is known only once its recording is read, so only synthetic markets are checked.)
 */
function checkOrderSize(s: ScaleInput, initialMid: number, ctx: z.RefinementCtx): void {
  const lotUsd = s.instrument.lot_size * initialMid;
  // A user's module sizes its own orders (in lots: an off-grid size stops the run).
  if (s.strategy.size_usd !== undefined && s.strategy.size_usd < lotUsd / 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['strategy', 'size_usd'],
      message:
        `${s.strategy.size_usd} USD is less than half a lot (instrument.lot_size ${s.instrument.lot_size} x initial_mid ${initialMid} = ${lotUsd.toPrecision(4)} USD): ` +
        `every order would be rounded up to one lot; raise size_usd to at least ${(lotUsd / 2).toPrecision(3)} or lower lot_size`,
    });
  }
}

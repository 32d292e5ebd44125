import type { z } from 'zod';
import { LIMITS } from './ranges.ts';

/**
 * Checks across fields that one field's range cannot make: the run's length and event count, the
 * synthetic mid's plausible path, the ladder's farthest quote and the order size against one lot. Each
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
        readonly book_interval: number;
        readonly phases: readonly {
          readonly duration: number;
          readonly trade_rate_per_s: number;
          readonly volatility_bps_per_sqrt_s: number;
          readonly impact_bps: number;
          readonly buy_share: number;
        }[];
      }
    | { readonly source: 'replay'; readonly duration?: number | undefined };
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
/** Standard deviations of the mid's path the synthetic book must survive. */
const PATH_SDS = 6;
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
  const lengthUs = m.source === 'synthetic' ? m.phases.reduce((t, p) => t + p.duration, 0) : m.duration;
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
    every(['market', 'book_interval'], m.book_interval);
    m.phases.forEach((p, i) => {
      const events = (p.trade_rate_per_s * p.duration) / US_PER_S;
      const name = `market.phases[${i}].trade_rate_per_s`;
      if (events > 0) sources.push({ path: ['market', 'phases', i, 'trade_rate_per_s'], text: `${name} ${p.trade_rate_per_s}`, fix: `lower ${name}`, events });
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
 * The synthetic mid is a geometric random walk nudged by trades: over the whole run it must stay, within
 * 6 standard deviations and the trades' drift, above the book's ladder and below 1e12 ticks.
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
    return;
  }
  let variance = 0;
  let drift = 0;
  let worst = { i: 0, field: 'volatility_bps_per_sqrt_s', share: -1 };
  m.phases.forEach((p, i) => {
    const trades = (p.trade_rate_per_s * p.duration) / US_PER_S;
    const impact = p.impact_bps / 10_000;
    const vol = ((p.volatility_bps_per_sqrt_s / 10_000) ** 2 * p.duration) / US_PER_S;
    const nudges = impact ** 2 * trades;
    const pull = Math.abs(2 * p.buy_share - 1) * impact * trades;
    variance += vol + nudges;
    drift += pull;
    const share = Math.max(vol, nudges, pull);
    if (share > worst.share) worst = { i, field: vol >= nudges && vol >= pull ? 'volatility_bps_per_sqrt_s' : 'impact_bps', share };
  });
  const move = drift + PATH_SDS * Math.sqrt(variance);
  const low = midTicks * Math.exp(-move);
  const high = midTicks * Math.exp(move);
  if (low < floor || high > LIMITS.midTicksMax) {
    ctx.addIssue({
      code: 'custom',
      path: ['market', 'phases', worst.i, worst.field],
      message:
        `over the run the mid may move by a factor of e^${move.toPrecision(3)} (6 standard deviations plus the trades' drift): ` +
        `from ${midTicks.toPrecision(3)} ticks to ${low < floor ? `${low.toPrecision(3)}, below the book's ${floor} ticks` : `${high.toExponential(2)}, above 1e12`}; lower the volatility or impact`,
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

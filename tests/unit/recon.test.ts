import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/core/errors.ts';
import { DIVERGENCE_KINDS, countByKind, reconcile } from '../../src/core/recon.ts';
import type { BotOrderView, ReconInput, ReconPlan, RawOpenOrder, RawPosition } from '../../src/core/recon.ts';

const SYM = 'BTC';

type Status = BotOrderView['status'];

const venueOrder = (clientId: string, over: Partial<Record<keyof RawOpenOrder, unknown>> = {}): Record<string, unknown> => ({
  client_id: clientId,
  symbol: SYM,
  side: 'buy',
  price_ticks: 100,
  qty_lots: 5,
  leaves_lots: 5,
  ...over,
});

const botOrder = (clientId: string, status: Status, over: Partial<BotOrderView> = {}): BotOrderView => ({
  clientId,
  side: 'buy',
  priceTicks: 100,
  leavesLots: 5,
  status,
  sentAfterQuery: false,
  ...over,
});

const pos = (positionLots: number, symbol = SYM): RawPosition => ({ symbol, position_lots: positionLots });

/** The mapping form of a list answer: keyed by `field` (Object.fromEntries defines own keys, `__proto__` included). */
const keyedBy = <T extends object>(list: readonly T[], field: keyof T & string) => Object.fromEntries(list.map((e) => [String(e[field]), e]));

interface Case {
  readonly orders?: readonly BotOrderView[];
  readonly positionLots?: number;
  readonly openOrders?: readonly Record<string, unknown>[];
  readonly positions?: readonly RawPosition[];
}

/** Reconciles the list form and the mapping form of the same answers, checks they agree, returns the plan. */
function recon(c: Case): ReconPlan {
  const base = { symbol: SYM, orders: c.orders ?? [], positionLots: c.positionLots ?? 0 };
  const openOrders = c.openOrders ?? [];
  const positions = c.positions ?? [];
  const fromLists = reconcile({ ...base, openOrders, positions });
  const fromMappings = reconcile({ ...base, openOrders: keyedBy(openOrders, 'client_id'), positions: keyedBy(positions, 'symbol') });
  expect(fromMappings).toEqual(fromLists);
  return fromLists;
}

const kinds = (plan: ReconPlan) => plan.divergences.map((d) => (d.clientId === undefined ? d.kind : `${d.kind}:${d.clientId}`));

const EMPTY = { divergences: [], adopt: [], cancel: [], drop: [], setLeaves: [], positionLots: undefined };

describe('reconcile: orders', () => {
  it('agreeing views give an empty plan', () => {
    const plan = recon({
      orders: [botOrder('a', 'open'), botOrder('b', 'pending_cancel', { leavesLots: 2 })],
      openOrders: [venueOrder('a'), venueOrder('b', { leaves_lots: 2 })],
      positionLots: 4,
      positions: [pos(4)],
    });
    expect(plan).toEqual(EMPTY);
  });

  it('pending_new on the bot, resting on the exchange: unacked_order, adopt with the exchange leaves', () => {
    const plan = recon({ orders: [botOrder('a', 'pending_new')], openOrders: [venueOrder('a', { leaves_lots: 3 })] });
    expect(kinds(plan)).toEqual(['unacked_order:a']);
    expect(plan.adopt).toEqual([{ clientId: 'a', leavesLots: 3 }]);
    expect({ ...plan, divergences: [], adopt: [] }).toEqual(EMPTY);
  });

  it('a pending_new sent after the query is still adopted when the exchange has it', () => {
    const plan = recon({ orders: [botOrder('a', 'pending_new', { sentAfterQuery: true })], openOrders: [venueOrder('a')] });
    expect(kinds(plan)).toEqual(['unacked_order:a']);
    expect(plan.adopt).toEqual([{ clientId: 'a', leavesLots: 5 }]);
  });

  it('on the exchange, unknown to the bot: orphan_order, cancel it with its side, price and leaves', () => {
    const plan = recon({ openOrders: [venueOrder('z', { side: 'sell', price_ticks: 101, leaves_lots: 2 })] });
    expect(kinds(plan)).toEqual(['orphan_order:z']);
    expect(plan.cancel).toEqual([{ clientId: 'z', side: 'sell', priceTicks: 101, leavesLots: 2 }]);
    expect({ ...plan, divergences: [], cancel: [] }).toEqual(EMPTY);
  });

  it.each<Status>(['open', 'pending_cancel', 'pending_new'])('%s on the bot, not sent after the query, absent from the exchange: missing_order, drop', (status) => {
    const plan = recon({ orders: [botOrder('a', status)] });
    expect(kinds(plan)).toEqual(['missing_order:a']);
    expect(plan.drop).toEqual(['a']);
    expect(plan.divergences[0]?.detail).toContain(status);
    expect({ ...plan, divergences: [], drop: [] }).toEqual(EMPTY);
  });

  it.each<Status>(['open', 'pending_cancel', 'pending_new'])('%s sent after the query is never judged missing', (status) => {
    expect(recon({ orders: [botOrder('a', status, { sentAfterQuery: true })] })).toEqual(EMPTY);
  });

  it.each<Status>(['open', 'pending_cancel'])('%s on both, the exchange has fewer leaves: leaves_mismatch, take its leaves', (status) => {
    const plan = recon({ orders: [botOrder('a', status, { leavesLots: 5 })], openOrders: [venueOrder('a', { leaves_lots: 2 })] });
    expect(kinds(plan)).toEqual(['leaves_mismatch:a']);
    expect(plan.setLeaves).toEqual([{ clientId: 'a', leavesLots: 2 }]);
    expect({ ...plan, divergences: [], setLeaves: [] }).toEqual(EMPTY);
  });

  it('the exchange having more leaves than the bot is a stale answer (leaves only shrink): no divergence', () => {
    expect(recon({ orders: [botOrder('a', 'open', { leavesLots: 2 })], openOrders: [venueOrder('a', { leaves_lots: 4 })] })).toEqual(EMPTY);
  });

  it('an entry with 0 leaves is not resting: the bot order is missing, and an unknown one is no orphan', () => {
    const plan = recon({
      orders: [botOrder('a', 'open'), botOrder('p', 'pending_new')],
      openOrders: [venueOrder('a', { leaves_lots: 0 }), venueOrder('p', { leaves_lots: 0 }), venueOrder('z', { leaves_lots: 0 })],
    });
    expect(kinds(plan)).toEqual(['missing_order:a', 'missing_order:p']);
    expect(plan.drop).toEqual(['a', 'p']);
    expect(plan.cancel).toEqual([]);
  });

  it('an order of another symbol is ignored silently, even a malformed one, even under a bot client id', () => {
    const plan = recon({
      orders: [botOrder('a', 'open')],
      openOrders: [venueOrder('a'), venueOrder('e1', { symbol: 'ETH' }), venueOrder('e2', { symbol: 'ETH', side: 'hold', leaves_lots: -1 })],
    });
    expect(plan).toEqual(EMPTY);
    const sameId = recon({ orders: [botOrder('a', 'open')], openOrders: [venueOrder('a', { symbol: 'ETH' })] });
    expect(kinds(sameId)).toEqual(['missing_order:a']);
  });

  it('a null or undefined answer means no open orders and no position', () => {
    for (const empty of [null, undefined]) {
      const plan = reconcile({ symbol: SYM, orders: [botOrder('a', 'open')], positionLots: 2, openOrders: empty, positions: empty });
      expect(kinds(plan)).toEqual(['missing_order:a', 'position_mismatch']);
      expect(plan.positionLots).toBe(0);
    }
  });

  it('rejects a bot view that lists a client id twice', () => {
    expect(() => reconcile({ symbol: SYM, orders: [botOrder('a', 'open'), botOrder('a', 'pending_new')], positionLots: 0, openOrders: [], positions: [] })).toThrow(
      InvariantError,
    );
  });
});

describe('reconcile: position', () => {
  it('a symbol missing from the answer means 0', () => {
    expect(recon({ positionLots: 0, positions: [pos(7, 'ETH')] })).toEqual(EMPTY);
    const plan = recon({ positionLots: 3, positions: [pos(7, 'ETH')] });
    expect(kinds(plan)).toEqual(['position_mismatch']);
    expect(plan.positionLots).toBe(0);
  });

  it('a different position: position_mismatch and the exchange position; an equal one: undefined', () => {
    const plan = recon({ positionLots: 3, positions: [pos(-2), pos(3, 'ETH')] });
    expect(kinds(plan)).toEqual(['position_mismatch']);
    expect(plan.positionLots).toBe(-2);
    expect(plan.divergences[0]?.detail).toContain('-2');
    expect(recon({ positionLots: -2, positions: [pos(-2)] }).positionLots).toBeUndefined();
  });

  it('a malformed position entry leaves the position unjudged', () => {
    const plan = reconcile({ symbol: SYM, orders: [], positionLots: 3, openOrders: {}, positions: { BTC: { symbol: SYM, position_lots: 1.5 } } });
    expect(kinds(plan)).toEqual(['malformed_entry']);
    expect(plan.positionLots).toBeUndefined();
  });
});

describe('reconcile: malformed entries', () => {
  const bad: [string, unknown][] = [
    ['a number', 5],
    ['a string', 'a'],
    ['null', null],
    ['an array', [venueOrder('a')]],
    ['no symbol', venueOrder('a', { symbol: undefined })],
    ['a numeric symbol', venueOrder('a', { symbol: 1 })],
    ['a wrong side', venueOrder('a', { side: 'hold' })],
    ['a fractional price', venueOrder('a', { price_ticks: 100.5 })],
    ['a zero price', venueOrder('a', { price_ticks: 0 })],
    ['a string price', venueOrder('a', { price_ticks: '100' })],
    ['no qty', venueOrder('a', { qty_lots: undefined })],
    ['a zero qty', venueOrder('a', { qty_lots: 0 })],
    ['negative leaves', venueOrder('a', { leaves_lots: -1 })],
    ['leaves above qty', venueOrder('a', { leaves_lots: 6 })],
    ['NaN leaves', venueOrder('a', { leaves_lots: Number.NaN })],
    ['string leaves', venueOrder('a', { leaves_lots: '5' })],
  ];

  it.each(bad)('an order entry with %s is a malformed_entry, and the bot order it names is not judged', (_, entry) => {
    // Mapping form: the key names the order.
    const plan = reconcile({ symbol: SYM, orders: [botOrder('a', 'open')], positionLots: 0, openOrders: { a: entry }, positions: {} });
    expect(plan.divergences.map((d) => d.kind)).toEqual(['malformed_entry']);
    expect({ ...plan, divergences: [] }).toEqual(EMPTY);
  });

  it('an entry without a usable client_id is malformed; in a list it could be any order, so nothing is dropped', () => {
    for (const id of [undefined, 7, null, ['a']]) {
      const entry = venueOrder('x', { client_id: id });
      const plan = reconcile({ symbol: SYM, orders: [botOrder('a', 'open')], positionLots: 0, openOrders: [entry], positions: [] });
      expect(plan.divergences.map((d) => [d.kind, d.clientId])).toEqual([['malformed_entry', undefined]]);
      expect(plan.drop).toEqual([]);
    }
    // An empty client id names an order (none of the bot's): the others are still judged.
    const empty = reconcile({ symbol: SYM, orders: [botOrder('a', 'open')], positionLots: 0, openOrders: [venueOrder('')], positions: [] });
    expect(kinds(empty)).toEqual(['missing_order:a', 'malformed_entry:']);
    // In a mapping the key names the order: other bot orders are still judged.
    const keyed = reconcile({ symbol: SYM, orders: [botOrder('a', 'open'), botOrder('b', 'open')], positionLots: 0, openOrders: { a: { symbol: SYM } }, positions: {} });
    expect(kinds(keyed)).toEqual(['missing_order:b', 'malformed_entry']);
  });

  it('a scalar answer is one malformed entry and judges nothing', () => {
    const plan = reconcile({ symbol: SYM, orders: [botOrder('a', 'open')], positionLots: 3, openOrders: 42, positions: 'oops' });
    expect(plan.divergences.map((d) => d.kind)).toEqual(['malformed_entry', 'malformed_entry']);
    expect({ ...plan, divergences: [] }).toEqual(EMPTY);
  });

  it('a mapping entry listed under another key than its client_id or symbol is malformed', () => {
    const plan = reconcile({
      symbol: SYM,
      orders: [],
      positionLots: 1,
      openOrders: { a: venueOrder('b') },
      positions: { BTC: pos(2, 'ETH'), XRP: pos(3) },
    });
    expect(plan.divergences.map((d) => d.detail)).toEqual([
      'position listed under key "XRP" has symbol "BTC"',
      'position: symbol: expected "BTC", got "ETH"',
      'open order listed under key "a" has client_id "b"',
    ]);
    expect(plan.positionLots).toBeUndefined();
    expect(plan.cancel).toEqual([]);
  });

  it('positions: list entries without a symbol are malformed, mapping entries keyed by another symbol are not ours', () => {
    const list = reconcile({ symbol: SYM, orders: [], positionLots: 0, openOrders: [], positions: [{ position_lots: 4 }, 9] });
    expect(list.divergences.map((d) => d.kind)).toEqual(['malformed_entry', 'malformed_entry']);
    const mapping = reconcile({ symbol: SYM, orders: [], positionLots: 0, openOrders: {}, positions: { ETH: { position_lots: 4 }, SOL: 9 } });
    expect(mapping).toEqual(EMPTY);
  });
});

describe('reconcile: duplicates', () => {
  it('a list naming a client id twice: one duplicate_entry per extra item, the last one counts', () => {
    const plan = reconcile({
      symbol: SYM,
      orders: [botOrder('a', 'open')],
      positionLots: 0,
      openOrders: [venueOrder('a', { leaves_lots: 4 }), venueOrder('a', { leaves_lots: 3 }), venueOrder('a', { leaves_lots: 1 })],
      positions: [pos(0), pos(0)],
    });
    expect(kinds(plan)).toEqual(['leaves_mismatch:a', 'duplicate_entry', 'duplicate_entry:a', 'duplicate_entry:a']);
    expect(plan.setLeaves).toEqual([{ clientId: 'a', leavesLots: 1 }]);
    expect(countByKind(plan.divergences).duplicate_entry).toBe(3);
  });

  it('duplicates of another symbol are ignored', () => {
    const plan = reconcile({
      symbol: SYM,
      orders: [],
      positionLots: 0,
      openOrders: [venueOrder('e', { symbol: 'ETH' }), venueOrder('e', { symbol: 'ETH' })],
      positions: [pos(1, 'ETH'), pos(2, 'ETH')],
    });
    expect(plan).toEqual(EMPTY);
  });
});

describe('reconcile: order and safety', () => {
  it('divergences are sorted by kind then client id, whatever the order of the answer', () => {
    const orders = [botOrder('m2', 'open'), botOrder('u', 'pending_new'), botOrder('m1', 'pending_cancel'), botOrder('l', 'open')];
    const list = [venueOrder('o2'), venueOrder('u'), venueOrder('l', { leaves_lots: 1 }), venueOrder('o1'), venueOrder('o3', { side: 'x' })];
    const plan = recon({ orders, openOrders: list, positionLots: 1, positions: [] });
    expect(kinds(plan)).toEqual([
      'unacked_order:u',
      'orphan_order:o1',
      'orphan_order:o2',
      'missing_order:m1',
      'missing_order:m2',
      'leaves_mismatch:l',
      'position_mismatch',
      'malformed_entry:o3',
    ]);
    expect(plan.cancel.map((c) => c.clientId)).toEqual(['o1', 'o2']);
    expect(plan.drop).toEqual(['m1', 'm2']);
    expect(recon({ orders: [...orders].reverse(), openOrders: [...list].reverse(), positionLots: 1, positions: [] })).toEqual(plan);
  });

  it('client ids such as __proto__ and constructor are ordinary ids, and no prototype is touched', () => {
    const before = Reflect.ownKeys(Object.prototype).map(String).sort();
    const answer = '[{"client_id":"__proto__","symbol":"BTC","side":"sell","price_ticks":9,"qty_lots":1,"leaves_lots":1,"polluted":true}]';
    const plan = reconcile({
      symbol: SYM,
      orders: [botOrder('constructor', 'open'), botOrder('toString', 'open')],
      positionLots: 0,
      openOrders: JSON.parse(answer),
      positions: JSON.parse('{"__proto__": {"symbol": "__proto__", "position_lots": 5}}'),
    });
    expect(kinds(plan)).toEqual(['orphan_order:__proto__', 'missing_order:constructor', 'missing_order:toString']);
    const asMapping = reconcile({
      symbol: SYM,
      orders: [botOrder('constructor', 'open'), botOrder('toString', 'open')],
      positionLots: 0,
      openOrders: JSON.parse(`{"__proto__": ${JSON.stringify(JSON.parse(answer)[0])}}`),
      positions: JSON.parse('[{"symbol": "__proto__", "position_lots": 5}]'),
    });
    expect(asMapping).toEqual(plan);
    expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('countByKind', () => {
  it('has every kind, in a stable order, 0 when none', () => {
    expect(Object.keys(countByKind([]))).toEqual([...DIVERGENCE_KINDS]);
    expect(Object.values(countByKind([]))).toEqual(DIVERGENCE_KINDS.map(() => 0));
    const counts = countByKind([
      { kind: 'orphan_order', clientId: 'a', detail: '' },
      { kind: 'orphan_order', clientId: 'b', detail: '' },
      { kind: 'position_mismatch', detail: '' },
    ]);
    expect(counts).toEqual({
      unacked_order: 0,
      orphan_order: 2,
      missing_order: 0,
      leaves_mismatch: 0,
      position_mismatch: 1,
      malformed_entry: 0,
      duplicate_entry: 0,
    });
  });
});

// ---- property: the mapping and the list form agree, and applying the plan settles the bot's view ----

const IDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', '__proto__', 'constructor'];

const botArb = fc.uniqueArray(
  fc.record({
    clientId: fc.constantFrom(...IDS),
    side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
    priceTicks: fc.integer({ min: 1, max: 5 }),
    leavesLots: fc.integer({ min: 1, max: 5 }),
    status: fc.constantFrom<Status>('pending_new', 'open', 'pending_cancel'),
    sentAfterQuery: fc.boolean(),
  }),
  { selector: (o) => o.clientId, maxLength: IDS.length },
);

/** A venue entry: mostly valid for the bot's symbol, sometimes another symbol's, sometimes malformed (with its client id). */
const venueArb = fc.uniqueArray(
  fc
    .record({
      clientId: fc.constantFrom(...IDS),
      side: fc.constantFrom('buy', 'sell'),
      priceTicks: fc.integer({ min: 1, max: 5 }),
      qty: fc.integer({ min: 1, max: 5 }),
      leavesFrac: fc.integer({ min: 0, max: 5 }),
      variant: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'foreign', 'bad_side', 'negative_leaves'),
    })
    .map(({ clientId, side, priceTicks, qty, leavesFrac, variant }) =>
      venueOrder(clientId, {
        side: variant === 'bad_side' ? 'hold' : side,
        price_ticks: priceTicks,
        qty_lots: qty,
        leaves_lots: variant === 'negative_leaves' ? -1 : Math.min(leavesFrac, qty),
        symbol: variant === 'foreign' ? 'ETH' : SYM,
      }),
    ),
  { selector: (o) => o.client_id as string, maxLength: IDS.length },
);

const positionsArb = fc.record({
  mine: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }),
  other: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }),
});

function applyPlan(orders: readonly BotOrderView[], plan: ReconPlan): BotOrderView[] {
  const dropped = new Set(plan.drop);
  const adopted = new Map(plan.adopt.map((a) => [a.clientId, a.leavesLots]));
  const leaves = new Map(plan.setLeaves.map((s) => [s.clientId, s.leavesLots]));
  return orders
    .filter((o) => !dropped.has(o.clientId))
    .map((o) => {
      const adopt = adopted.get(o.clientId);
      if (adopt !== undefined) return { ...o, status: 'open' as const, leavesLots: adopt };
      const set = leaves.get(o.clientId);
      return set === undefined ? o : { ...o, leavesLots: set };
    });
}

describe('reconcile: property', () => {
  it('the mapping and list forms agree; after applying the plan only the answer-intrinsic divergences remain', () => {
    const statesArb = fc.record({ bot: botArb, venue: venueArb, positions: positionsArb, botPosition: fc.integer({ min: -3, max: 3 }) }).chain((s) =>
      fc.shuffledSubarray(s.venue, { minLength: s.venue.length, maxLength: s.venue.length }).map((shuffled) => ({ ...s, shuffled })),
    );
    fc.assert(
      fc.property(statesArb, ({ bot, venue, positions, botPosition, shuffled }) => {
        const posList: RawPosition[] = [];
        if (positions.other !== undefined) posList.push(pos(positions.other, 'ETH'));
        if (positions.mine !== undefined) posList.push(pos(positions.mine));
        const mapping: ReconInput = {
          symbol: SYM,
          orders: bot,
          positionLots: botPosition,
          openOrders: keyedBy(venue, 'client_id'),
          positions: keyedBy(posList, 'symbol'),
        };
        const plan = reconcile(mapping);
        // Same answers as lists, in another order, and the bot's orders in another order: the same plan.
        expect(reconcile({ ...mapping, orders: [...bot].reverse(), openOrders: shuffled, positions: [...posList].reverse() })).toEqual(plan);

        // Each client id gets at most one action; cancels are for ids the bot does not know.
        const botIds = new Set(bot.map((o) => o.clientId));
        const acted = [...plan.adopt.map((a) => a.clientId), ...plan.drop, ...plan.setLeaves.map((s) => s.clientId), ...plan.cancel.map((c) => c.clientId)];
        expect(new Set(acted).size).toBe(acted.length);
        for (const c of plan.cancel) expect(botIds.has(c.clientId)).toBe(false);
        for (const id of plan.drop) expect(bot.find((o) => o.clientId === id)?.sentAfterQuery).toBe(false);
        const counts = countByKind(plan.divergences);
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(plan.divergences.length);
        expect(counts.orphan_order).toBe(plan.cancel.length);
        expect(counts.missing_order).toBe(plan.drop.length);
        expect(counts.unacked_order).toBe(plan.adopt.length);
        expect(counts.leaves_mismatch).toBe(plan.setLeaves.length);
        expect(counts.position_mismatch).toBe(plan.positionLots === undefined ? 0 : 1);

        // An independent model of the answer: what rests on the venue for the bot's symbol, and which ids
        // malformed entries name. After the plan, the bot's view must agree with it.
        const ours = venue.filter((e) => e.symbol === SYM);
        const malformedIds = new Set(ours.filter((e) => e.side === 'hold' || (e.leaves_lots as number) < 0).map((e) => e.client_id as string));
        const resting = new Map(ours.filter((e) => !malformedIds.has(e.client_id as string) && (e.leaves_lots as number) > 0).map((e) => [e.client_id as string, e]));
        const after = applyPlan(bot, plan);
        for (const o of after) {
          const v = resting.get(o.clientId);
          if (!o.sentAfterQuery) expect(v !== undefined || malformedIds.has(o.clientId)).toBe(true);
          if (v !== undefined) {
            expect(o.status).not.toBe('pending_new');
            expect(o.leavesLots).toBeLessThanOrEqual(v.leaves_lots as number);
          }
        }
        for (const o of bot) if (malformedIds.has(o.clientId)) expect(after).toContainEqual(o);
        for (const id of resting.keys()) expect(after.some((o) => o.clientId === id) || plan.cancel.some((c) => c.clientId === id)).toBe(true);
        expect(plan.positionLots ?? botPosition).toBe(positions.mine ?? 0);

        // Apply the plan: the same answer now shows only what is in the answer itself (orphans still to
        // cancel, malformed entries); nothing is left to adopt, drop, correct or re-position.
        const settled = { ...mapping, orders: after, positionLots: plan.positionLots ?? botPosition };
        const again = reconcile(settled);
        expect(again.divergences).toEqual(plan.divergences.filter((d) => d.kind === 'orphan_order' || d.kind === 'malformed_entry'));
        expect(again).toMatchObject({ adopt: [], drop: [], setLeaves: [], positionLots: undefined, cancel: plan.cancel });

        // Model the cancels as sent before the next query (the bot tracks the orphans as pending_cancel): nothing is left but malformed entries.
        const tracked = plan.cancel.map((c) => botOrder(c.clientId, 'pending_cancel', { side: c.side, priceTicks: c.priceTicks, leavesLots: c.leavesLots }));
        const third = reconcile({ ...settled, orders: [...settled.orders, ...tracked] });
        expect(third.divergences.every((d) => d.kind === 'malformed_entry')).toBe(true);
        expect(third).toMatchObject({ adopt: [], drop: [], setLeaves: [], cancel: [], positionLots: undefined });
      }),
      { numRuns: 500 },
    );
  });
});

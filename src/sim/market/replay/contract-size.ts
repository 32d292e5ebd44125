import type { ReplayFormat } from './replay-formats.ts';

/**
 * Contract sizes of inverse contracts, as the venues document them, in quote currency per contract:
 *  - Binance COIN-M: BTCUSD contracts (BTCUSD_PERP and the quarterlies) are 100 USD, every other symbol 10 USD;
 *  - Bybit inverse (BTCUSD, ETHUSD, EOSUSD, ...): 1 USD.
 * Undefined where the venue has no single rule (Tardis covers many venues): the scenario must say.
 */
export function defaultContractSize(format: ReplayFormat, symbol: string): number | undefined {
  if (format === 'binance_coinm') return symbol.toUpperCase().startsWith('BTCUSD') ? 100 : 10;
  if (format === 'bybit_v2') return 1;
  return undefined;
}

export function defaultQuantityUnit(format: ReplayFormat): 'base' | 'contracts' {
  return format === 'binance_coinm' ? 'contracts' : 'base';
}

/**
 * The quote currency per recorded size unit, or undefined when sizes are in the base asset: what the
 * replay divides by each price (`quote` is a contract of 1).
 */
export function resolveContractSize(
  m: { readonly format: ReplayFormat; readonly symbol: string; readonly quantity_unit?: 'base' | 'quote' | 'contracts' | undefined; readonly contract_size?: number | undefined },
): number | undefined {
  const unit = m.quantity_unit ?? defaultQuantityUnit(m.format);
  if (unit === 'base') return undefined;
  if (unit === 'quote') return 1;
  return m.contract_size ?? defaultContractSize(m.format, m.symbol);
}

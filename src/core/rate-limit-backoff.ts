import type { Clock, Micros } from './clock.ts';

/**
 * The bot's rate-limit back-off: after a `rate_limited` answer nothing new is sent for a while, doubling
 * on each further one (up to 32x) until an order gets through. A base of 0 turns it off.
 */
export class RateLimitBackoff {
  /** Nothing new is sent before this time. */
  private quietUntil: Micros = 0;
  private backoffStep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly baseUs: Micros,
  ) {}

  /** A `rate_limited` answer arrived. */
  backOff(): void {
    const base = this.baseUs;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a shortcut only: with a base of 0 (never negative) the back-off below would end the instant it starts (now + 0).
    if (base <= 0) return;
    const now = this.clock.now();
    // Answers to requests sent before the back-off began extend it once, not once each.
    if (now < this.quietUntil) return;
    this.quietUntil = now + base * 2 ** Math.min(this.backoffStep, 5);
    this.backoffStep++;
  }

  /** An order got through: the next back-off starts from the base again. */
  reset(): void {
    this.backoffStep = 0;
  }

  quiet(): boolean {
    return this.clock.now() < this.quietUntil;
  }
}

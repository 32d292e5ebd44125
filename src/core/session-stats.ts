/** The bot's view of its connection and of recon, for the report. */
export class SessionStats {
  /** Times the bot declared the connection lost (no message from the venue for the timeout). */
  disconnects = 0;
  reconnects = 0;
  /** Times the book went stale (no market data for the maximum book age) and quoting stopped. */
  staleBooks = 0;
  reconRuns = 0;
  /** Recon rounds whose answers never came (lost to a fault) and were given up. */
  reconAbandoned = 0;
  /** Orders recon found on the venue unknown to the bot and canceled. */
  orphansCanceled = 0;
  /** Orders whose ack was lost, adopted by recon. */
  adopted = 0;
  /** Cancels recon found lost (the order still rested after the cancel should have arrived) and re-sent. */
  cancelsResent = 0;
  /** Net lots recon moved the bot's position by to match the venue (fills the bot never heard of). */
  positionAdjustLots = 0;
  readonly divergences = new Map<string, number>();

  countDivergence(kind: string, n: number): void {
    this.divergences.set(kind, (this.divergences.get(kind) ?? 0) + n);
  }
}

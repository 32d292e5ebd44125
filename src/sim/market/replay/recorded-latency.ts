import type { Micros } from '../../../core/clock.ts';
import type { LatencyModel } from '../../exchange/latency-model.ts';

/**
 * Feed latency taken from the recording: each book message reaches the bot after the delay the recorder
 * saw, less the recorder's clock offset. The replay sets it before each publication.
 */
export class RecordedFeedLatency implements LatencyModel {
  readonly isZero = false;
  current: Micros = 0;

  sample(): Micros {
    return this.current;
  }
}

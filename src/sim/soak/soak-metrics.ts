import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The metrics of a whole soak, for a live /metrics endpoint. Every iteration runs with its own fresh
 * registry (so iterations stay independent); a scrape sees the completed iterations and the running
 * one added up: counters and histograms are summed, so they only grow over the soak and `rate()` and
 * `histogram_quantile()` work across iterations; gauges show the running iteration's value (or the
 * last completed one's between iterations). Soak progress has its own gauges.
 */
export class SoakMetrics {
  private readonly progress = new Registry();
  private readonly target: Gauge;
  private readonly completed: Gauge;
  private readonly running: Gauge;
  private finished: MetricsJson = [];
  private current: Registry | undefined;

  constructor(iterations: number, alreadyDone: number) {
    const registers = [this.progress];
    this.target = new Gauge({ name: 'mmsim_soak_iterations', help: 'Iterations the soak runs in all', registers });
    this.completed = new Gauge({ name: 'mmsim_soak_iterations_done', help: 'Iterations with their summary written (including resumed ones)', registers });
    this.running = new Gauge({ name: 'mmsim_soak_iteration', help: 'The iteration running now (0 between iterations)', registers });
    this.target.set(iterations);
    this.completed.set(alreadyDone);
  }

  get contentType(): string {
    return this.progress.contentType;
  }

  /** A fresh registry for iteration i, served from now on. */
  startIteration(iteration: number): Registry {
    this.current = new Registry();
    this.running.set(iteration);
    return this.current;
  }

  /** Folds the running iteration into the soak's totals. */
  async endIteration(): Promise<void> {
    if (!this.current) return;
    this.finished = await this.combined();
    this.current = undefined;
    this.running.set(0);
    this.completed.inc();
  }

  /** The Prometheus text exposition of the soak so far. */
  async metrics(): Promise<string> {
    const bot: Registry = AggregatorRegistry.aggregate([await this.combined()]);
    return Registry.merge([this.progress, bot]).metrics();
  }

  private async combined(): Promise<MetricsJson> {
    const live = this.current ? ((await this.current.getMetricsAsJSON()) as MetricsJson) : [];
    // The running iteration comes first, so that "first" picks its gauges.
    const parts = [live, this.finished].map((metrics) =>
      // prom-client's typings say MetricType is a numeric enum; at run time the JSON holds 'gauge'.
      metrics.map((m) => ((m.type as unknown) === 'gauge' ? { ...m, aggregator: 'first' as const } : m)),
    );
    return (AggregatorRegistry.aggregate(parts).getMetricsAsJSON() as unknown as Promise<MetricsJson>);
  }
}

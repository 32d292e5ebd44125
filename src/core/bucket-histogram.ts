import type { Registry } from 'prom-client';

/** One labelled series of a BucketHistogram: plain numbers the hot path adds to. */
export class HistogramSeries {
  /** Non-cumulative counts per upper bound; a value above the last bound only counts in `count`. */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;
  seen = false;

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
    private readonly onFirst: (s: HistogramSeries) => void,
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    if (!Number.isFinite(v)) throw new TypeError(`Value is not a valid number: ${v}`);
    if (!this.seen) {
      this.seen = true;
      this.onFirst(this);
    }
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.buckets[i]! += 1;
        break;
      }
    }
    this.sum += v;
    this.count += 1;
  }
}

interface ValuePair {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  exemplar?: null | undefined;
}

/**
 * A Prometheus histogram whose observations cost a bucket search and three additions: no label hash,
 * no allocation (prom-client's Histogram hashes the labels and allocates on every observe). It is
 * registered in the caller's Registry as a metric of its own and renders at scrape time exactly what a
 * prom-client Histogram with the same observations renders: series in the order of their first
 * observation, `le` first, then +Inf, _sum and _count; the same JSON for getMetricsAsJSON (the soak's
 * AggregatorRegistry sums it).
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly order: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series for these labels (create each once and keep it: this is not a lookup). */
  series(labels: Readonly<Record<string, string>> = {}): HistogramSeries {
    return new HistogramSeries(this.bounds, labels, (s) => this.order.push(s));
  }

  reset(): void {
    for (const s of this.order) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
      s.seen = false;
    }
    this.order.length = 0;
  }

  /** What prom-client's Histogram.getForPromString() returns: the series' labels shared by its lines. */
  getForPromString(): { name: string; help: string; type: 'histogram'; values: ValuePair[]; aggregator: string } {
    const values: ValuePair[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.order) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: s.labels, value: acc, metricName: bucketName, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucketName, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** What prom-client's Histogram.get() returns: each line's labels and the series' labels in one object. */
  get(): ReturnType<BucketHistogram['getForPromString']> {
    const data = this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return data;
  }
}

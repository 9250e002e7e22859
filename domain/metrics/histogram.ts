/**
 * Durations pooled over many items (lead times of shipped commits, pull requests' cycle and review times) kept as a
 * histogram of minutes, so a large range adds up counts instead of sorting every value. Bucket 0 holds less than a
 * minute; bucket b ≥ 1 holds [1.1^(b-1), 1.1^b) minutes. Migration 0028's `lead_time_bucket` is the same rule in SQL,
 * and every rollup stores its buckets by it.
 */
export const MINUTES_BUCKET_GROWTH = 1.1;

export function minutesBucket(minutes: number): number {
  return minutes < 1 ? 0 : 1 + Math.floor(Math.log(minutes) / Math.log(MINUTES_BUCKET_GROWTH));
}

export interface HistogramBucket {
  bucket: number;
  count: number;
}

/** A histogram from counts by bucket. */
export function histogramOfCounts(counts: ReadonlyMap<number, number>): HistogramBucket[] {
  return [...counts].map(([bucket, count]) => ({ bucket, count }));
}

/** The k-th smallest (1-based) of the histogram's values, placed within its bucket as if spread evenly on a log scale. */
function rankedValue(sorted: readonly HistogramBucket[], rank: number): number {
  let before = 0;
  for (const { bucket, count } of sorted) {
    if (rank <= before + count) {
      const fraction = (rank - before - 0.5) / count;
      return bucket === 0 ? fraction : MINUTES_BUCKET_GROWTH ** (bucket - 1 + fraction);
    }
    before += count;
  }
  throw new Error(`rank ${rank} is past the histogram's ${before} values`);
}

/**
 * The p-th percentile (0 ≤ p ≤ 1) of a histogram's values, interpolated between the two nearest ranks as PostgreSQL's
 * `percentile_cont` does (p = 0.5 is the median: the middle value, or the mean of the two middle ones). Approximate: a
 * value is known only to its bucket, 10 % wide, so the answer is within 10 % of the exact percentile and usually much
 * closer. Null when the histogram holds no value.
 */
export function percentileOfHistogram(buckets: readonly HistogramBucket[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a percentile is between 0 and 1, not ${p}`);
  const sorted = buckets.filter((entry) => entry.count > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((sum, entry) => sum + entry.count, 0);
  if (total === 0) return null;
  const position = p * (total - 1); // 0-based, as percentile_cont
  const lower = Math.floor(position);
  const below = rankedValue(sorted, lower + 1);
  if (position === lower) return below;
  return below + (position - lower) * (rankedValue(sorted, lower + 2) - below);
}

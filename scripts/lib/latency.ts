/** The latency at quantile `q` (0.5 for the median) of the measured latencies, NaN when there are none. */
export function quantileOf(latencies: number[]): (q: number) => number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

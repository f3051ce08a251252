/**
 * Reads the operator's Prometheus metrics from its metrics endpoint, and sums the samples of one
 * metric in the text format.
 */
import { scrapeMetrics, type OperatorProcess } from './operator.ts';

/**
 * Returns the sum of the samples of metric `name` in Prometheus text whose label set contains
 * every one of `labels`, each written as `key="value"`; 0 when no sample matches.
 */
export function sumSamples(text: string, name: string, labels: readonly string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) {
      continue;
    }
    const labelText = match[2] ?? '';
    if (labels.every((label) => labelText.includes(label))) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Returns the sum of an operator metric's samples whose labels contain `labels`. */
export async function operatorMetric(
  operator: OperatorProcess,
  name: string,
  labels: readonly string[] = [],
): Promise<number> {
  return sumSamples(await scrapeMetrics(operator), name, labels);
}

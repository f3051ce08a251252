/**
 * Reads the operator's Prometheus metrics. Fault tests read every metric through these functions,
 * so a move of the metrics to another port or path changes only `operatorMetricsUrl`.
 */
import type { OperatorProcess } from './operator.ts';

/** Returns the URL of the operator's metrics. */
export function operatorMetricsUrl(operator: OperatorProcess): string {
  return `${operator.url}/metrics`;
}

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
  const response = await fetch(operatorMetricsUrl(operator));
  if (!response.ok) {
    throw new Error(`GET ${operatorMetricsUrl(operator)} returned ${response.status}`);
  }
  return sumSamples(await response.text(), name, labels);
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so servers
 * that fail together do not all come back at the same instant. 2 s, 4 s, 8 s… up to `capMs`.
 */
export function backoffDelayMs(attempt: number, capMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, 2000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

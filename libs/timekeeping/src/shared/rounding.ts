/**
 * How a recorded duration is rounded: once, when the entry is recorded, and kept with it (the
 * rule's text is stored beside the rounded minutes), so totals are sums of rounded entries and
 * a later change of rule never re-rounds old time.
 */
export type RoundingRule = { mode: 'none' } | { mode: 'up' | 'nearest' | 'down'; step: number };

export const ROUNDING_PATTERN = /^(none|(up|nearest|down):([1-9]|[1-5][0-9]|60))$/;

export function parseRoundingRule(text: string): RoundingRule {
  const match = ROUNDING_PATTERN.exec(text);
  if (!match) throw new Error(`Not a rounding rule: ${text} (none, or up|nearest|down:<1–60 minutes>)`);
  if (match[1] === 'none') return { mode: 'none' };
  return { mode: match[2] as 'up' | 'nearest' | 'down', step: Number(match[3]) };
}

export function formatRoundingRule(rule: RoundingRule): string {
  return rule.mode === 'none' ? 'none' : `${rule.mode}:${rule.step}`;
}

/**
 * Rounds a positive number of minutes by the rule. Rounding never turns time worked into
 * nothing: down and nearest keep at least one step.
 */
export function roundMinutes(minutes: number, rule: RoundingRule): number {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new Error(`Only positive whole minutes are rounded: ${minutes}`);
  if (rule.mode === 'none') return minutes;
  const steps = minutes / rule.step;
  const rounded = rule.mode === 'up' ? Math.ceil(steps) : rule.mode === 'down' ? Math.floor(steps) : Math.floor(steps + 0.5);
  return Math.max(1, rounded) * rule.step;
}

import { defineSettings } from '@ruche/core';
import { z } from 'zod';
import { formatRoundingRule, parseRoundingRule, ROUNDING_PATTERN } from './shared/rounding.js';

const knownTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** How recorded time is rounded, and the co-op's time zone (what "today" is, what day a timer started). */
export const TIMEKEEPING_SETTINGS = defineSettings(
  'timekeeping',
  {
    RUCHE_TIME_ROUNDING: z.string().regex(ROUNDING_PATTERN, 'must be none, or up, nearest or down and a step of 1 to 60 minutes (up:15)').default('up:15'),
    RUCHE_TIMEKEEPING_TIME_ZONE: z.string().refine(knownTimeZone, 'must be a time zone such as America/Toronto').default('America/Toronto'),
  },
  (values) => {
    const rounding = parseRoundingRule(values.RUCHE_TIME_ROUNDING);
    return {
      /** Applied once to each duration recorded; the rule's text is kept with the entry. */
      rounding,
      roundingText: formatRoundingRule(rounding),
      timeZone: values.RUCHE_TIMEKEEPING_TIME_ZONE,
    };
  },
);
export type TimekeepingSettings = ReturnType<typeof TIMEKEEPING_SETTINGS.of>;

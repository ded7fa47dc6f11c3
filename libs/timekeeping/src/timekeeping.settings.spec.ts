import { describe, expect, it } from 'vitest';
import { loadConfig } from '@ruche/core';
import { TIMEKEEPING_SETTINGS } from './timekeeping.settings.js';

const load = (env: Record<string, string>) => TIMEKEEPING_SETTINGS.of(loadConfig(env, '/srv/ruche', [TIMEKEEPING_SETTINGS]));

describe('timekeeping settings', () => {
  it('round up to the quarter hour in Montréal’s time by default', () => {
    expect(load({})).toEqual({ rounding: { mode: 'up', step: 15 }, roundingText: 'up:15', timeZone: 'America/Toronto' });
    expect(load({ RUCHE_TIME_ROUNDING: 'nearest:6', RUCHE_TIMEKEEPING_TIME_ZONE: 'America/Vancouver' })).toMatchObject({ roundingText: 'nearest:6', timeZone: 'America/Vancouver' });
  });

  it('refuse a rule or a zone that is not one, naming the variable', () => {
    expect(() => load({ RUCHE_TIME_ROUNDING: 'up:90' })).toThrow(/RUCHE_TIME_ROUNDING/);
    expect(() => load({ RUCHE_TIMEKEEPING_TIME_ZONE: 'Mars/Olympus' })).toThrow(/RUCHE_TIMEKEEPING_TIME_ZONE/);
  });
});

import { describe, expect, it } from 'vitest';
import { pollWhileBusy } from './lists';

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

describe('how often a list follows its resources', () => {
  it('polls every second while a fresh change is on its way, every ten once it has waited a minute', () => {
    expect(pollWhileBusy([{ phase: 'ready' }, { phase: 'pending', updatedAt: ago(2) }])).toBe(1000);
    expect(pollWhileBusy([{ phase: 'applying', updatedAt: ago(5) }, { phase: 'pending', updatedAt: ago(600) }])).toBe(1000);
    expect(pollWhileBusy([{ phase: 'pending', updatedAt: ago(120) }])).toBe(10_000);
    expect(pollWhileBusy([{ phase: 'deleting' }])).toBe(1000);
  });

  it('polls slowly for a failure that Ruche retries on its own, and stops once everything settled', () => {
    expect(pollWhileBusy([{ phase: 'failed', nextAttemptAt: ago(-30) }])).toBe(5000);
    expect(pollWhileBusy([{ phase: 'failed', nextAttemptAt: null }, { phase: 'ready' }])).toBe(false);
    expect(pollWhileBusy([])).toBe(false);
  });
});

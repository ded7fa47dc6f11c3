import { describe, expect, it } from 'vitest';
import { everyMinutes } from './operations.service.js';

describe('everyMinutes', () => {
  it('writes the crontab line that fires exactly every N minutes', () => {
    expect(everyMinutes(1)).toBe('*/1 * * * *');
    expect(everyMinutes(15)).toBe('*/15 * * * *');
    expect(everyMinutes(60)).toBe('0 * * * *');
    expect(everyMinutes(360)).toBe('0 */6 * * *');
    expect(everyMinutes(1440)).toBe('0 */24 * * *');
  });
});

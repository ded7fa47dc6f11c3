import { describe, expect, it } from 'vitest';
import type { DesiredStateReader, HostingSettings, ResourceState } from '@ruche/hosting';
import type { RenderedUnit } from '../driver.js';
import { KnotDriver } from './knot.driver.js';

const driver = new KnotDriver({} as DesiredStateReader, {} as HostingSettings);
const zone = (name: string): RenderedUnit => ({ resource: { id: name } as ResourceState, files: new Map(), data: { name, serial: 2026120301 } });
const activation = (names: string[]) => driver.activation({ changed: names.map(zone), added: [], sharedChanged: false, removed: [], force: false }).argv;

describe('Knot’s activation of changed zones', () => {
  it('reloads the changed zones by name, or all of them when their names would not fit on one command line', () => {
    expect(activation(['radio.example', 'cafe.example']).slice(-3)).toEqual(['listed', 'radio.example', 'cafe.example']);
    expect(activation(Array.from({ length: 1001 }, (_, i) => `z${i}.example`)).slice(-1)).toEqual(['all']);
    // 600 long names (a label of 63 characters, four deep): over 128 KiB together.
    const long = Array.from({ length: 600 }, (_, i) => `${String(i).padStart(63, 'a')}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.example`);
    expect(long.join(' ').length).toBeGreaterThan(128 * 1024);
    expect(activation(long).slice(-1)).toEqual(['all']);
  });
});

import type { RucheFeature } from '@ruche/core';
import { HostingModule } from './hosting.module.js';

export { HostingModule };

export const hostingFeature: RucheFeature = { name: 'hosting', module: HostingModule, entities: [], migrations: [] };

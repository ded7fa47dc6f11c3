import { Hosting1795611008591 } from './1795611008591-hosting.js';
import { DefaultPlan1795611008600 } from './1795611008600-default-plan.js';

export const hostingMigrations: Function[] = [Hosting1795611008591, DefaultPlan1795611008600];

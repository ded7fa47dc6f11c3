import { Timekeeping1796063192810 } from './1796063192810-timekeeping.js';
import { TimekeepingRules1796063192910 } from './1796063192910-timekeeping-rules.js';

export const timekeepingMigrations: Function[] = [Timekeeping1796063192810, TimekeepingRules1796063192910];

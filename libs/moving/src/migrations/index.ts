import { Moving1796069010921 } from './1796069010921-moving.js';

export const movingMigrations: Function[] = [Moving1796069010921];

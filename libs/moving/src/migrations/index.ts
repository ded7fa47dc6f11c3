import { Moving1796069010921 } from './1796069010921-moving.js';
import { MovesAndDrains1796070209061 } from './1796070209061-moves-and-drains.js';

export const movingMigrations: Function[] = [Moving1796069010921, MovesAndDrains1796070209061];

import { Moving1796069010921 } from './1796069010921-moving.js';
import { MovesAndDrains1796070769826 } from './1796070769826-moves-and-drains.js';
import { ImportFinal1796080000000 } from './1796080000000-import-final.js';

export const movingMigrations: Function[] = [Moving1796069010921, MovesAndDrains1796070769826, ImportFinal1796080000000];

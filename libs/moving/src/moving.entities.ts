import { Import } from './imports/import.entity.js';
import { ImportItem } from './imports/import-item.entity.js';
import { Drain, Move } from './moves/move.entity.js';

export const movingEntities: Function[] = [Import, ImportItem, Move, Drain];

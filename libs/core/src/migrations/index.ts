import { Init1795609828414 } from './1795609828414-init.js';
import { AuditAppendOnly1795609828500 } from './1795609828500-audit-append-only.js';

export const coreMigrations: Function[] = [Init1795609828414, AuditAppendOnly1795609828500];

import { Accounting1796055702181 } from './1796055702181-accounting.js';
import { LedgerRules1796055702281 } from './1796055702281-ledger-rules.js';

export const accountingMigrations: Function[] = [Accounting1796055702181, LedgerRules1796055702281];

import { Account } from './accounts/account.entity.js';
import { JournalEntry } from './journal/journal-entry.entity.js';
import { JournalLine } from './journal/journal-line.entity.js';
import { ClosedPeriod } from './periods/closed-period.entity.js';

export const accountingEntities: Function[] = [Account, JournalEntry, JournalLine, ClosedPeriod];

import { monthOf } from '../shared/dates.js';
import { Decimal } from '../shared/decimal.js';

/** An approved billable entry not yet on a line, with the contract's rate on its day. */
export interface BillableEntry {
  id: string;
  taskId: string | null;
  workDate: string;
  minutes: number;
  /** The contract's hourly rate in force on the entry's day (null: none recorded). */
  hourlyRate: string | null;
}

/** One invoice line to be: a task's hours of one month at one rate. */
export interface PlannedLine {
  taskId: string | null;
  month: string;
  hourlyRate: string;
  /** Minutes of the entries on the line. */
  minutes: number;
  /** What is billed: less than `minutes` when the contract's cap ends inside the line. */
  billedMinutes: number;
  firstDate: string;
  lastDate: string;
  entryIds: string[];
}

/** What a cap cut off an earlier line and no supplement billed yet. */
export interface CutLine {
  lineId: string;
  serviceDate: string;
  cutMinutes: number;
}

export interface BillingPlan {
  /** Supplements for earlier cut lines, once a raised cap leaves room: billed before new entries. */
  supplements: Array<{ lineId: string; billedMinutes: number }>;
  lines: PlannedLine[];
  /** Entries wholly past a capped contract's cap: approved, never billed. */
  overCap: string[];
  /** Entries without a contract rate on their day: left waiting. */
  unrated: string[];
}

/**
 * Groups a contract's newly approved billable entries into lines (per month, task and rate),
 * billing the oldest work first and nothing past the cap: `capRemainingMinutes` is what the cap
 * still allows (null when the contract has none). What a cap cut off earlier lines comes first,
 * as supplements, when a raised cap leaves room.
 */
export function planBillingLines(entries: readonly BillableEntry[], capRemainingMinutes: number | null, cutLines: readonly CutLine[] = []): BillingPlan {
  const ordered = [...entries].sort((a, b) => a.workDate.localeCompare(b.workDate) || a.id.localeCompare(b.id));
  const lines = new Map<string, PlannedLine>();
  const overCap: string[] = [];
  const unrated: string[] = [];
  let remaining = capRemainingMinutes;
  const supplements: BillingPlan['supplements'] = [];
  for (const cut of [...cutLines].sort((a, b) => a.serviceDate.localeCompare(b.serviceDate) || a.lineId.localeCompare(b.lineId))) {
    const billed = remaining === null ? cut.cutMinutes : Math.min(cut.cutMinutes, remaining);
    if (billed <= 0) break;
    supplements.push({ lineId: cut.lineId, billedMinutes: billed });
    if (remaining !== null) remaining -= billed;
  }
  for (const entry of ordered) {
    if (entry.hourlyRate === null) {
      unrated.push(entry.id);
      continue;
    }
    const billed = remaining === null ? entry.minutes : Math.max(0, Math.min(entry.minutes, remaining));
    if (billed === 0) {
      overCap.push(entry.id);
      continue;
    }
    if (remaining !== null) remaining -= billed;
    const month = monthOf(entry.workDate);
    const key = `${month}|${entry.taskId ?? ''}|${entry.hourlyRate}`;
    const line = lines.get(key) ?? { taskId: entry.taskId, month, hourlyRate: entry.hourlyRate, minutes: 0, billedMinutes: 0, firstDate: entry.workDate, lastDate: entry.workDate, entryIds: [] };
    line.minutes += entry.minutes;
    line.billedMinutes += billed;
    line.lastDate = entry.workDate;
    line.entryIds.push(entry.id);
    lines.set(key, line);
  }
  const sorted = [...lines.values()].sort((a, b) => a.month.localeCompare(b.month) || (a.taskId ?? '').localeCompare(b.taskId ?? '') || a.hourlyRate.localeCompare(b.hourlyRate));
  return { supplements, lines: sorted, overCap, unrated };
}

/** How close a capped contract is to its cap: warned from 80 %. */
export function capLevel(usedMinutes: number, capMinutes: number): { percent: number; level: 'ok' | 'near' | 'reached' } {
  const percent = capMinutes > 0 ? Math.floor((usedMinutes * 1000) / capMinutes) / 10 : 100;
  return { percent, level: usedMinutes >= capMinutes ? 'reached' : usedMinutes * 100 >= capMinutes * CAP_WARNING_PERCENT ? 'near' : 'ok' };
}

export const CAP_WARNING_PERCENT = 80;

/** A cap of hours (two places) in whole minutes; null without a cap. */
export function capMinutesOf(capHours: string | null): number | null {
  return capHours === null ? null : new Decimal(capHours).times(60).floor().toNumber();
}

import { z } from 'zod';
import { pageQuerySchema } from '@ruche/core';
import { csvFormat, isoDate } from '../shared/schemas.js';
import { hoursText } from '../shared/decimal.js';
import { CATEGORIES } from './time-entry.entity.js';
import type { EntryView } from './time-entries.service.js';

const description = z.string().trim().max(2000);

type Target = { contractId: string | null; taskId: string | null; category: (typeof CATEGORIES)[number]; committeeId: string | null; billable: boolean; volunteer: boolean };

/** What time (an entry, a timer) is recorded against, checked at the edge (the service checks it again against the rows). */
export function checkTarget(target: Target, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', message: `validation.${message}`, path: [path] });
  if ((target.category === 'committee_meeting') !== (target.committeeId !== null)) issue('committeeId', 'committee_for_meetings');
  if (target.contractId === null && target.category !== 'committee_meeting' && target.category !== 'reflection_meeting') issue('contractId', 'contract_required');
  if (target.taskId !== null && target.contractId === null) issue('taskId', 'task_without_contract');
  if (target.billable && target.volunteer) issue('billable', 'billable_and_volunteer');
}
const minutes = z.number().int().min(1).max(1440);

export const createEntrySchema = z
  .strictObject({
    workerId: z.uuid().optional().describe('coordinators only: record for another worker'),
    workDate: isoDate,
    minutes: minutes.describe('as worked; rounded by the configured rule (RUCHE_TIME_ROUNDING), once'),
    contractId: z.uuid().nullable().default(null),
    taskId: z.uuid().nullable().default(null),
    category: z.enum(CATEGORIES).default('work'),
    committeeId: z.uuid().nullable().default(null),
    description: description.default(''),
    billable: z.boolean().default(false),
    volunteer: z.boolean().default(false).describe('unpaid time: counted, never paid'),
  })
  .superRefine(checkTarget);

export const updateEntrySchema = z.strictObject({
  workDate: isoDate.optional(),
  minutes: z.number().int().min(-1440).max(1440).refine((m) => m !== 0).optional(),
  contractId: z.uuid().nullable().optional(),
  taskId: z.uuid().nullable().optional(),
  category: z.enum(CATEGORIES).optional(),
  committeeId: z.uuid().nullable().optional(),
  description: description.optional(),
  billable: z.boolean().optional(),
  volunteer: z.boolean().optional(),
});

export const adjustEntrySchema = z.strictObject({
  minutes: z.number().int().min(-1440).max(1440).refine((m) => m !== 0, { message: 'validation.minutes_positive' }).describe('signed: what to add to (or take off) the entry, exact (not rounded)'),
  description: z.string().trim().min(1).max(2000),
});

export const approveSchema = z.strictObject({ ids: z.array(z.uuid()).min(1).max(1000) });

export const listEntriesSchema = pageQuerySchema.extend({
  workerId: z.uuid().optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  contractId: z.uuid().optional(),
  status: z.enum(['open', 'approved']).optional(),
  format: csvFormat,
});

export const warningSchema = z.object({ code: z.enum(['contract_cap_near', 'contract_cap_reached']), contractId: z.string(), message: z.string(), usedHours: z.string(), capHours: z.string(), percent: z.number() });

export const entrySchema = z.object({
  id: z.string(),
  workerId: z.string(),
  workerName: z.string(),
  workDate: z.string(),
  recordedMinutes: z.number().describe('as typed or timed'),
  minutes: z.number().describe('after rounding: what counts'),
  hours: z.string(),
  rounding: z.string().describe('the rule applied when it was recorded (up:15, none…)'),
  contractId: z.string().nullable(),
  contractName: z.string().nullable(),
  taskId: z.string().nullable(),
  taskName: z.string().nullable(),
  category: z.enum(CATEGORIES),
  committeeId: z.string().nullable(),
  committeeCode: z.string().nullable(),
  description: z.string(),
  billable: z.boolean(),
  volunteer: z.boolean(),
  status: z.enum(['open', 'approved']),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  billing: z
    .object({ state: z.enum(['submitted', 'invoiced', 'over_cap']), lineId: z.string().nullable(), invoiceId: z.string().nullable(), invoiceNumber: z.string().nullable() })
    .nullable()
    .describe('approved billable time: handed to billing, on an invoice, or past the contract’s cap'),
  paidOn: z.string().nullable(),
  locked: z.boolean().describe('invoiced or paid: only an adjusting entry can correct it'),
  adjustsEntryId: z.string().nullable(),
  recordedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const entryWithWarningsSchema = entrySchema.extend({ warnings: z.array(warningSchema) });

export function toEntryDto(view: EntryView): z.infer<typeof entrySchema> {
  const { entry } = view;
  return {
    id: entry.id,
    workerId: entry.workerId,
    workerName: view.workerName,
    workDate: entry.workDate,
    recordedMinutes: entry.recordedMinutes,
    minutes: entry.minutes,
    hours: hoursText(entry.minutes),
    rounding: entry.rounding,
    contractId: entry.contractId,
    contractName: view.contractName,
    taskId: entry.taskId,
    taskName: view.taskName,
    category: entry.category,
    committeeId: entry.committeeId,
    committeeCode: view.committeeCode,
    description: entry.description,
    billable: entry.billable,
    volunteer: entry.volunteer,
    status: entry.status,
    approvedBy: entry.approvedBy,
    approvedAt: entry.approvedAt?.toISOString() ?? null,
    billing: view.billing,
    paidOn: view.paidOn,
    locked: view.locked,
    adjustsEntryId: entry.adjustsEntryId,
    recordedBy: entry.recordedBy,
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

export const ENTRY_CSV = ['id', 'worker_id', 'worker', 'work_date', 'category', 'committee', 'contract', 'task', 'description', 'recorded_minutes', 'minutes', 'hours', 'rounding', 'billable', 'volunteer', 'status', 'billing', 'invoice_number', 'paid_on', 'adjusts_entry_id'];
export const entryCsvRow = (view: EntryView) => {
  const dto = toEntryDto(view);
  return [dto.id, dto.workerId, dto.workerName, dto.workDate, dto.category, dto.committeeCode, dto.contractName, dto.taskName, dto.description, dto.recordedMinutes, dto.minutes, dto.hours, dto.rounding, dto.billable ? 'yes' : 'no', dto.volunteer ? 'yes' : 'no', dto.status, dto.billing?.state ?? '', dto.billing?.invoiceNumber ?? '', dto.paidOn ?? '', dto.adjustsEntryId ?? ''];
};

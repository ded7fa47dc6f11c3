import { defineSettings, positiveInt } from '@ruche/core';
import { z } from 'zod';

/** `{year}` and `{seq}` or `{seq:N}` (zero-padded to N digits), with safe characters around them. */
const numberFormat = z
  .string()
  .regex(/^([A-Za-z0-9/_.-]|\{year\}|\{seq(:[1-9])?\})+$/, 'must hold {seq} (or {seq:N}), optionally {year}, and letters, digits, - _ . /')
  .refine((format) => (format.match(/\{seq(:[1-9])?\}/g) ?? []).length === 1, 'must hold {seq} (or {seq:N}) exactly once');

const registration = (example: string) => z.string().regex(/^[0-9A-Za-z -]{1,30}$/, `must be a registration number such as ${example}`).optional();

/** The co-op as its invoices name it, how invoices are numbered, and when periods start. */
export const BILLING_SETTINGS = defineSettings(
  'billing',
  {
    RUCHE_COOP_NAME: z.string().min(1).max(200).default('Ruche co-op'),
    RUCHE_COOP_ADDRESS: z.string().max(500).default(''),
    RUCHE_GST_NUMBER: registration('123456789 RT0001'),
    RUCHE_QST_NUMBER: registration('1234567890 TQ0001'),
    RUCHE_INVOICE_NUMBER_FORMAT: numberFormat.default('{year}-{seq:5}'),
    RUCHE_CREDIT_NOTE_NUMBER_FORMAT: numberFormat.default('AV-{year}-{seq:5}'),
    RUCHE_BILLING_ANCHOR_DAY: positiveInt.max(28).default(1),
    RUCHE_INVOICE_DUE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  },
  (values) => ({
    coopName: values.RUCHE_COOP_NAME,
    coopAddressLines: values.RUCHE_COOP_ADDRESS.split(/\\n|\n/).map((line) => line.trim()).filter(Boolean),
    gstNumber: values.RUCHE_GST_NUMBER,
    qstNumber: values.RUCHE_QST_NUMBER,
    invoiceNumberFormat: values.RUCHE_INVOICE_NUMBER_FORMAT,
    creditNoteNumberFormat: values.RUCHE_CREDIT_NOTE_NUMBER_FORMAT,
    /** The day of the month billing periods start on. */
    billingAnchorDay: values.RUCHE_BILLING_ANCHOR_DAY,
    invoiceDueDays: values.RUCHE_INVOICE_DUE_DAYS,
  }),
);
export type BillingSettings = ReturnType<typeof BILLING_SETTINGS.of>;

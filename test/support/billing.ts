import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Caller } from './test-api.js';

export interface LineFields {
  description?: string;
  quantity?: string;
  unitPrice?: string;
  taxCode?: 'taxable' | 'zero_rated' | 'exempt';
  accountCode?: string;
}

/** A draft invoice made by hand, one line of 215.00 unless told otherwise. */
export async function makeDraft(staff: Caller, organizationId: string, fields: { issueDate?: string; lines?: LineFields[] } = {}) {
  const lines = (fields.lines ?? [{}]).map((line) => ({ description: 'Hosting and support', quantity: '1', unitPrice: '215.00', taxCode: 'taxable', ...line }));
  const response = await staff.post('/api/v1/invoices', { organizationId, issueDate: fields.issueDate, lines });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; status: string; total: string; number: string | null };
}

/** A posted invoice (draft then post). */
export async function makePostedInvoice(staff: Caller, organizationId: string, fields: Parameters<typeof makeDraft>[2] = {}) {
  const draft = await makeDraft(staff, organizationId, fields);
  const posted = await staff.post(`/api/v1/invoices/${draft.id}/post`, {});
  expect(posted.status, JSON.stringify(posted.body)).toBe(200);
  return posted.body as { id: string; number: string; total: string; balance: string; issueDate: string; status: string };
}

/** The text of a PDF as Debian's pdftotext reads it (layout kept, so a label and its amount share a line). */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ruche-pdf-'));
  try {
    const file = path.join(dir, 'document.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

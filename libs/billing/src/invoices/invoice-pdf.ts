import type { Locale } from '@ruche/core';
import { formatDecimal, formatMoney, formatRate, formatUnitPrice } from '../shared/format.js';

export interface PdfDocumentData {
  kind: 'invoice' | 'credit_note';
  status: string;
  number: string | null;
  issueDate: string;
  dueDate: string;
  locale: Locale;
  customerName: string;
  billingPeriod: string | null;
  creditsNumber: string | null;
  lines: Array<{ description: string; quantity: string; unitPrice: string; amountCents: number; taxCode: 'taxable' | 'zero_rated' | 'exempt' }>;
  subtotalCents: number;
  gstCents: number;
  qstCents: number;
  gstRate: string | null;
  qstRate: string | null;
  totalCents: number;
  paidCents: number;
  balanceCents: number;
  exemption: { reason: string; number: string } | null;
}

export interface PdfIssuer {
  name: string;
  addressLines: string[];
  gstNumber: string | undefined;
  qstNumber: string | undefined;
}

type Translate = (key: string, params?: Record<string, unknown>) => string;

/**
 * The invoice as a PDF in the customer's language: the co-op (name, address, GST and QST
 * numbers), the customer, one row per line, taxes and totals. Built with PDFKit's standard
 * fonts (WinAnsi covers French), so the text extracts as written.
 */
export async function renderInvoicePdf(data: PdfDocumentData, issuer: PdfIssuer, t: Translate): Promise<Buffer> {
  // Loaded with the first invoice: PDFKit and its fonts weigh on every process that never draws one.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'LETTER', margin: 54, info: { Title: `${t(`billing.pdf.${data.kind}`)} ${data.number ?? ''}`.trim(), Author: issuer.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (cents: number) => formatMoney(cents, data.locale);
  const left = 54;
  const right = 558;

  doc.font('Helvetica-Bold').fontSize(16).text(issuer.name, left, 54, { width: 300 });
  doc.font('Helvetica').fontSize(9);
  for (const line of issuer.addressLines) doc.text(line, { width: 300 });
  if (issuer.gstNumber) doc.text(`${t('billing.pdf.gst_number')} ${issuer.gstNumber}`, { width: 300 });
  if (issuer.qstNumber) doc.text(`${t('billing.pdf.qst_number')} ${issuer.qstNumber}`, { width: 300 });

  const title = data.status === 'draft' ? `${t(`billing.pdf.${data.kind}`)} (${t('billing.pdf.draft')})` : t(`billing.pdf.${data.kind}`);
  doc.font('Helvetica-Bold').fontSize(16).text(title, 330, 54, { width: right - 330, align: 'right' });
  doc.font('Helvetica').fontSize(10);
  const facts: Array<[string, string]> = [
    [t('billing.pdf.number'), data.number ?? '—'],
    [t('billing.pdf.issued'), data.issueDate],
    ...(data.kind === 'invoice' ? [[t('billing.pdf.due'), data.dueDate] as [string, string]] : []),
    ...(data.billingPeriod ? [[t('billing.pdf.period'), data.billingPeriod] as [string, string]] : []),
    ...(data.creditsNumber ? [[t('billing.pdf.credits'), data.creditsNumber] as [string, string]] : []),
  ];
  // French puts a space before a colon, English does not.
  const colon = data.locale === 'fr' ? ' : ' : ': ';
  for (const [label, value] of facts) doc.text(`${label}${colon}${value}`, 330, undefined, { width: right - 330, align: 'right' });

  let y = Math.max(doc.y, 150) + 20;
  doc.font('Helvetica-Bold').fontSize(10).text(t('billing.pdf.billed_to'), left, y);
  doc.font('Helvetica').text(data.customerName, left, doc.y, { width: 300 });
  if (data.exemption) doc.text(t('billing.pdf.exempt', data.exemption), left, doc.y, { width: 400 });

  // Lines: description, quantity, unit price, amount.
  const columns = { description: left, quantity: 330, unitPrice: 390, amount: 470 };
  y = doc.y + 20;
  doc.font('Helvetica-Bold').fontSize(9);
  doc.text(t('billing.pdf.description'), columns.description, y, { width: 270 });
  doc.text(t('billing.pdf.quantity'), columns.quantity, y, { width: 55, align: 'right' });
  doc.text(t('billing.pdf.unit_price'), columns.unitPrice, y, { width: 75, align: 'right' });
  doc.text(t('billing.pdf.amount'), columns.amount, y, { width: right - columns.amount, align: 'right' });
  y = doc.y + 4;
  doc.moveTo(left, y).lineTo(right, y).stroke();
  doc.font('Helvetica').fontSize(9);
  for (const line of data.lines) {
    y += 6;
    if (y > 680) {
      doc.addPage();
      y = 54;
    }
    const description = `${line.description}${t(`billing.pdf.tax_codes.${line.taxCode}`)}`;
    doc.text(description, columns.description, y, { width: 270 });
    const next = doc.y;
    doc.text(formatDecimal(line.quantity, data.locale), columns.quantity, y, { width: 55, align: 'right' });
    doc.text(formatUnitPrice(line.unitPrice, data.locale), columns.unitPrice, y, { width: 75, align: 'right' });
    doc.text(money(line.amountCents), columns.amount, y, { width: right - columns.amount, align: 'right' });
    y = Math.max(next, doc.y);
  }
  y += 6;
  doc.moveTo(left, y).lineTo(right, y).stroke();

  const totals: Array<[string, string, boolean]> = [
    [t('billing.pdf.subtotal'), money(data.subtotalCents), false],
    ...(data.exemption
      ? []
      : ([
          [t('billing.pdf.gst', { rate: formatRate(data.gstRate ?? '0', data.locale) }), money(data.gstCents), false],
          [t('billing.pdf.qst', { rate: formatRate(data.qstRate ?? '0', data.locale) }), money(data.qstCents), false],
        ] as Array<[string, string, boolean]>)),
    [t('billing.pdf.total'), money(data.totalCents), true],
    ...(data.kind === 'invoice' && data.paidCents > 0 ? ([[t('billing.pdf.paid'), money(data.paidCents), false]] as Array<[string, string, boolean]>) : []),
    ...(data.kind === 'invoice' ? ([[t('billing.pdf.balance'), money(data.balanceCents), true]] as Array<[string, string, boolean]>) : []),
  ];
  y += 8;
  for (const [label, value, bold] of totals) {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
    doc.text(label, 330, y, { width: 130, align: 'right' });
    doc.text(value, columns.amount, y, { width: right - columns.amount, align: 'right' });
    y = doc.y + 4;
  }
  doc.font('Helvetica').fontSize(8).text(t('billing.pdf.thanks'), left, y + 20, { width: right - left });
  doc.end();
  return done;
}

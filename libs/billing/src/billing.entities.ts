import { TaxRate } from './taxes/tax-rate.entity.js';
import { BillingProfile } from './customers/billing-profile.entity.js';
import { BillingItem, BillingItemPrice } from './items/billing-item.entity.js';
import { Invoice } from './invoices/invoice.entity.js';
import { InvoiceLine } from './invoices/invoice-line.entity.js';
import { InvoiceNumberSeries } from './invoices/number-series.entity.js';
import { BillableLine } from './external/billable-line.entity.js';
import { BillingRun } from './runs/billing-run.entity.js';
import { Payment, PaymentAllocation } from './payments/payment.entity.js';
import { BankStatementLine } from './payments/bank-statement-line.entity.js';

export const billingEntities: Function[] = [
  TaxRate,
  BillingProfile,
  BillingItem,
  BillingItemPrice,
  Invoice,
  InvoiceLine,
  InvoiceNumberSeries,
  BillableLine,
  BillingRun,
  Payment,
  PaymentAllocation,
  BankStatementLine,
];

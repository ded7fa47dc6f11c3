import type { AccountType } from './account.entity.js';

/** The chart seeded for a Québec non-profit workers' co-op (ids fixed so migrations can refer to them). */
export const SEEDED_CHART: ReadonlyArray<{ code: string; type: AccountType; fr: string; en: string }> = [
  { code: '1010', type: 'asset', fr: 'Encaisse – compte courant', en: 'Bank – chequing account' },
  { code: '1020', type: 'asset', fr: 'Caisse', en: 'Petty cash' },
  { code: '1100', type: 'asset', fr: 'Comptes clients', en: 'Accounts receivable' },
  { code: '1150', type: 'asset', fr: 'TPS à recouvrer (CTI)', en: 'GST recoverable (ITC)' },
  { code: '1160', type: 'asset', fr: 'TVQ à recouvrer (RTI)', en: 'QST recoverable (ITR)' },
  { code: '1200', type: 'asset', fr: 'Frais payés d’avance', en: 'Prepaid expenses' },
  { code: '1500', type: 'asset', fr: 'Matériel informatique', en: 'Computer equipment' },
  { code: '1510', type: 'asset', fr: 'Amortissement cumulé – matériel informatique', en: 'Accumulated depreciation – computer equipment' },
  { code: '2100', type: 'liability', fr: 'Comptes fournisseurs', en: 'Accounts payable' },
  { code: '2200', type: 'liability', fr: 'Salaires à payer', en: 'Wages payable' },
  { code: '2210', type: 'liability', fr: 'Retenues à la source à payer', en: 'Payroll deductions payable' },
  { code: '2310', type: 'liability', fr: 'TPS à payer', en: 'GST payable' },
  { code: '2320', type: 'liability', fr: 'TVQ à payer', en: 'QST payable' },
  { code: '2400', type: 'liability', fr: 'Crédits clients', en: 'Customer credits' },
  { code: '2500', type: 'liability', fr: 'Produits reportés', en: 'Deferred revenue' },
  { code: '3100', type: 'equity', fr: 'Parts sociales des membres', en: 'Members’ shares' },
  { code: '3200', type: 'equity', fr: 'Réserve', en: 'Reserve' },
  { code: '3300', type: 'equity', fr: 'Excédents non répartis', en: 'Undistributed surplus' },
  { code: '4100', type: 'revenue', fr: 'Revenus d’hébergement', en: 'Hosting revenue' },
  { code: '4150', type: 'revenue', fr: 'Revenus de colocation', en: 'Colocation revenue' },
  { code: '4200', type: 'revenue', fr: 'Revenus de services (sites, administration de systèmes, consultation)', en: 'Services revenue (sites, system administration, consulting)' },
  { code: '4300', type: 'revenue', fr: 'Revenus de formation', en: 'Training revenue' },
  { code: '4400', type: 'revenue', fr: 'Subventions', en: 'Grants' },
  { code: '4900', type: 'revenue', fr: 'Autres revenus', en: 'Other revenue' },
  { code: '5100', type: 'expense', fr: 'Salaires et charges sociales', en: 'Wages and benefits' },
  { code: '5200', type: 'expense', fr: 'Serveurs, bande passante et noms de domaine', en: 'Servers, bandwidth and domain names' },
  { code: '5300', type: 'expense', fr: 'Loyer', en: 'Rent' },
  { code: '5400', type: 'expense', fr: 'Frais bancaires', en: 'Bank charges' },
  { code: '5500', type: 'expense', fr: 'Honoraires professionnels', en: 'Professional fees' },
  { code: '5600', type: 'expense', fr: 'Cotisations et abonnements', en: 'Dues and subscriptions' },
  { code: '5700', type: 'expense', fr: 'Amortissement', en: 'Depreciation' },
  { code: '5900', type: 'expense', fr: 'Frais divers', en: 'Miscellaneous expenses' },
];

/** The accounts other libs post to, by role. */
export const ACCOUNTS = {
  bank: '1010',
  receivables: '1100',
  gstPayable: '2310',
  qstPayable: '2320',
  customerCredits: '2400',
  hostingRevenue: '4100',
  servicesRevenue: '4200',
  trainingRevenue: '4300',
  otherRevenue: '4900',
} as const;

/** A fixed UUIDv7-shaped id per seeded account. */
export function seededAccountId(code: string): string {
  return `01a1d000-0000-7000-8000-${code.padStart(12, '0')}`;
}

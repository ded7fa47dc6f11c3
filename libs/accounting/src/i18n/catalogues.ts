/** Accounting messages (`errors.<code>`, `validation.<code>`, report labels), in both languages. */
export const accountingEn = {
  errors: {
    period_closed: 'The period {{month}} is closed: nothing can be posted into it. Choose a date in an open period, or ask to post into the next open period.',
    period_already_closed: 'The period {{month}} is already closed.',
    account_code_taken: 'An account with the code {{code}} already exists.',
    account_unknown: 'There is no active account with the code {{code}}.',
    account_in_use_system: 'Ruche itself posts to account {{code}} (invoices, payments or sales taxes): it cannot be retired.',
    account_in_use_items: 'Catalogue items bill to account {{code}} ({{items}}): it cannot be retired while they do.',
    account_in_use_unposted: 'Lines not posted yet (draft invoices, or time waiting to be billed) post to account {{code}}: post or change them first.',
    entry_unbalanced: 'Debits ({{debits}}) and credits ({{credits}}) must be equal.',
    entry_already_reversed: 'This entry has already been reversed.',
  },
  validation: {
    account_code_invalid: 'An account code is 4 to 6 digits.',
    line_amount: 'Give a debit or a credit (a positive amount), not both.',
    month_invalid: 'Give a month as YYYY-MM.',
    month_span_invalid: 'Give a first month before the last, at most ten years apart.',
  },
  accounting: {
    types: { asset: 'Assets', liability: 'Liabilities', equity: 'Equity', revenue: 'Revenue', expense: 'Expenses' },
    reversal: 'Reversal of entry {{number}}: {{description}}',
  },
};

export const accountingFr: typeof accountingEn = {
  errors: {
    period_closed: 'La période {{month}} est fermée : rien ne peut y être comptabilisé. Choisissez une date dans une période ouverte, ou demandez de comptabiliser dans la prochaine période ouverte.',
    period_already_closed: 'La période {{month}} est déjà fermée.',
    account_code_taken: 'Un compte portant le numéro {{code}} existe déjà.',
    account_unknown: 'Aucun compte actif ne porte le numéro {{code}}.',
    account_in_use_system: 'Ruche inscrit elle-même des écritures au compte {{code}} (factures, paiements ou taxes de vente) : il ne peut pas être retiré.',
    account_in_use_items: 'Des articles du catalogue facturent au compte {{code}} ({{items}}) : il ne peut pas être retiré tant qu’ils le font.',
    account_in_use_unposted: 'Des lignes pas encore comptabilisées (factures en brouillon, ou temps en attente de facturation) vont au compte {{code}} : comptabilisez-les ou changez-les d’abord.',
    entry_unbalanced: 'Les débits ({{debits}}) et les crédits ({{credits}}) doivent être égaux.',
    entry_already_reversed: 'Cette écriture a déjà été contrepassée.',
  },
  validation: {
    account_code_invalid: 'Un numéro de compte compte de 4 à 6 chiffres.',
    line_amount: 'Indiquez un débit ou un crédit (montant positif), pas les deux.',
    month_invalid: 'Indiquez un mois sous la forme AAAA-MM.',
    month_span_invalid: 'Indiquez un premier mois avant le dernier, à dix ans d’écart au plus.',
  },
  accounting: {
    types: { asset: 'Actifs', liability: 'Passifs', equity: 'Avoir', revenue: 'Produits', expense: 'Charges' },
    reversal: 'Contrepassation de l’écriture {{number}} : {{description}}',
  },
};

import { Module, type OnModuleInit } from '@nestjs/common';
import { I18nService } from '@ruche/core';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountUses } from './accounts/account-uses.js';
import { AccountsService } from './accounts/accounts.service.js';
import { ConsistencyService } from './consistency/consistency.service.js';
import { accountingEn, accountingFr } from './i18n/catalogues.js';
import { JournalController } from './journal/journal.controller.js';
import { JournalService } from './journal/journal.service.js';
import { LedgerService } from './journal/ledger.service.js';
import { PeriodsController } from './periods/periods.controller.js';
import { PeriodsService } from './periods/periods.service.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportsService } from './reports/reports.service.js';

/** The co-op's books: chart of accounts, append-only journal, closed periods, reports and exports. */
@Module({
  controllers: [AccountsController, JournalController, PeriodsController, ReportsController],
  providers: [AccountsService, AccountUses, LedgerService, JournalService, PeriodsService, ReportsService, ConsistencyService],
  exports: [LedgerService, ConsistencyService, AccountUses],
})
export class AccountingModule implements OnModuleInit {
  constructor(private readonly i18n: I18nService) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: accountingEn, fr: accountingFr });
  }
}

import { Module, type OnModuleInit } from '@nestjs/common';
import { I18nService } from '@ruche/core';
import { BillingModule } from '@ruche/billing';
import { TimeBillingService } from './billing/time-billing.service.js';
import { CommitteesController } from './committees/committees.controller.js';
import { CommitteesService } from './committees/committees.service.js';
import { ContractsController } from './contracts/contracts.controller.js';
import { ContractsService } from './contracts/contracts.service.js';
import { EligibilityExceptionsController } from './eligibility/eligibility-exceptions.controller.js';
import { EligibilityExceptionsService } from './eligibility/eligibility-exceptions.service.js';
import { TimeEntriesController } from './entries/time-entries.controller.js';
import { TimeEntriesService } from './entries/time-entries.service.js';
import { timekeepingEn, timekeepingFr } from './i18n/catalogues.js';
import { PayRunsController } from './pay/pay-runs.controller.js';
import { PayRunsService } from './pay/pay-runs.service.js';
import { RatesController } from './rates/rates.controller.js';
import { RatesService } from './rates/rates.service.js';
import { TimekeepingReportsController } from './reports/reports.controller.js';
import { ReportsService } from './reports/reports.service.js';
import { TimersController } from './timers/timers.controller.js';
import { TimersService } from './timers/timers.service.js';
import { WorkersController } from './workers/workers.controller.js';
import { WorkersService } from './workers/workers.service.js';

/** Workers' hours on contracts, billable time onto invoices (through billing), pay, and work-committee eligibility. */
@Module({
  imports: [BillingModule],
  controllers: [
    WorkersController,
    CommitteesController,
    ContractsController,
    RatesController,
    TimeEntriesController,
    TimersController,
    PayRunsController,
    EligibilityExceptionsController,
    TimekeepingReportsController,
  ],
  providers: [WorkersService, CommitteesService, RatesService, TimeBillingService, ContractsService, TimeEntriesService, TimersService, PayRunsService, EligibilityExceptionsService, ReportsService],
})
export class TimekeepingModule implements OnModuleInit {
  constructor(private readonly i18n: I18nService) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: timekeepingEn, fr: timekeepingFr });
  }
}

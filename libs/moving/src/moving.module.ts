import { Module, type OnModuleInit } from '@nestjs/common';
import { I18nService } from '@ruche/core';
import { HostingModule } from '@ruche/hosting';
import { ProvisioningModule } from '@ruche/provisioning';
import { movingEn, movingFr } from './i18n/catalogues.js';
import { ImportsController } from './imports/imports.controller.js';
import { ImportsService } from './imports/imports.service.js';
import { ServerTransfer } from './transfer/server-transfer.js';
import { DrainsController, MovesController } from './moves/moves.controller.js';
import { MovesService } from './moves/moves.service.js';

/** Bringing clients in from another panel (AlternC), and moving them between servers. */
@Module({
  imports: [HostingModule, ProvisioningModule],
  controllers: [ImportsController, MovesController, DrainsController],
  providers: [ImportsService, MovesService, ServerTransfer],
})
export class MovingModule implements OnModuleInit {
  constructor(private readonly i18n: I18nService) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: movingEn, fr: movingFr });
  }
}

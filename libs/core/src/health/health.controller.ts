import { Controller, Get, Header } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { Doc, Public } from '../http/decorators.js';
import { databaseIsMigrated } from '../database/migrate.js';
import { Metrics } from '../observability/metrics.js';

@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  @Get('health')
  @Public()
  @Doc({ summary: 'Liveness: the process answers', tags: ['system'], response: z.object({ status: z.literal('ok') }) })
  health() {
    return { status: 'ok' as const };
  }

  @Get('ready')
  @Public()
  @Doc({ summary: 'Readiness: the database answers and is fully migrated', tags: ['system'], response: z.object({ status: z.literal('ready') }) })
  async ready() {
    let migrated: boolean;
    try {
      migrated = await databaseIsMigrated(this.dataSource);
    } catch {
      throw new DomainError('service_unavailable', 503, { reason: 'database unreachable' });
    }
    if (!migrated) throw new DomainError('service_unavailable', 503, { reason: 'migrations pending' });
    return { status: 'ready' as const };
  }

  @Get('metrics')
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Doc({ summary: 'Prometheus metrics', tags: ['system'] })
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}

import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import { ConnectionPool } from '../transports/connection-pool.service.js';
import { jobSchema, listJobsSchema, listServerEventsSchema, resyncSchema, retrySchema, serverEventSchema } from './operations.schemas.js';
import { OperationsService } from './operations.service.js';

/** The provisioning queue, for sysadmins: what is queued, running, failed or done, and why. */
@Controller(apiPath('jobs'))
export class JobsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Reconcile jobs: queued (status=queued), running, succeeded or failed, with durations and errors', tags: ['provisioning'], response: pageSchema(jobSchema) })
  list(@ValidQuery(listJobsSchema) query: z.infer<typeof listJobsSchema>) {
    return this.operations.list(query);
  }

  @Post('retry')
  @HttpCode(202)
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Apply a failed resource again now', tags: ['provisioning'] })
  async retry(@ValidBody(retrySchema) body: z.infer<typeof retrySchema>): Promise<void> {
    await this.operations.retry(body.resourceType, body.resourceId);
  }

  @Post('resync')
  @HttpCode(202)
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Re-render every server and repair drift', tags: ['provisioning'], response: resyncSchema, status: 202 })
  async resyncAll() {
    return { queued: await this.operations.resyncFromApi() };
  }
}

@Controller(apiPath('servers'))
export class ServerOperationsController {
  constructor(
    private readonly operations: OperationsService,
    private readonly connections: ConnectionPool,
  ) {}

  @Get('ssh-public-key')
  @Authorize('provisioning:admin')
  @Doc({ summary: "Ruche's SSH public key, for a server's authorized_keys", tags: ['servers'], response: z.object({ publicKey: z.string() }) })
  publicKey() {
    return { publicKey: this.connections.identity.publicKey };
  }

  @Post(':id/resync')
  @HttpCode(202)
  @Authorize('provisioning:admin')
  @Doc({ summary: "Re-render a server's services and repair drift", tags: ['servers'], response: resyncSchema, status: 202 })
  async resync(@IdParam() id: string) {
    return { queued: await this.operations.resyncFromApi(id) };
  }
}

/** What went wrong with servers that no resource explains (unreachable, a refused release, a failed command). */
@Controller(apiPath('server-events'))
export class ServerEventsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Server events, newest first: unreachable, release_refused (with the checker\'s words), command_failed, cleanup_skipped (a release went live, but old releases\' shared subfolders could not be removed)', tags: ['provisioning'], response: pageSchema(serverEventSchema) })
  list(@ValidQuery(listServerEventsSchema) query: z.infer<typeof listServerEventsSchema>) {
    return this.operations.serverEvents(query);
  }
}

import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, Public, ValidBody, ValidQuery } from '../http/decorators.js';
import { pageSchema } from '../http/pagination.js';
import { sessionSchema } from '../auth/auth.schemas.js';
import { SessionCookies } from '../auth/session-cookies.js';
import { InvitationsService } from './invitations.service.js';
import {
  acceptInvitationSchema,
  acceptedInvitationSchema,
  invitationPreviewSchema,
  invitationTokenSchema,
  listStaffInvitationsSchema,
  staffInvitationSchema,
} from './invitation.schemas.js';

/**
 * Answering an invitation, with the token from the mailed link (always in a body, never in a
 * URL that logs would keep), and the staff's support view.
 */
@Controller(apiPath('invitations'))
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly cookies: SessionCookies,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @Public()
  @Doc({ summary: 'What a link invites to, and whether to sign in or choose a password', tags: ['invitations'], response: invitationPreviewSchema })
  preview(@ValidBody(invitationTokenSchema) body: z.infer<typeof invitationTokenSchema>) {
    return this.invitations.preview(body.token);
  }

  @Post('accept-new')
  @HttpCode(200)
  @Public()
  @Doc({ summary: 'Accept with a new password (an address without an account); signs in', tags: ['invitations'], response: sessionSchema })
  async acceptWithPassword(
    @ValidBody(acceptInvitationSchema) body: z.infer<typeof acceptInvitationSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const grant = await this.invitations.acceptWithPassword(body.token, body.password, {
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    return this.cookies.start(grant, reply);
  }

  @Post('accept')
  @HttpCode(200)
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Accept as the signed-in person (the invited address must be yours)', tags: ['invitations'], response: acceptedInvitationSchema })
  accept(@ValidBody(invitationTokenSchema) body: z.infer<typeof invitationTokenSchema>) {
    return this.invitations.acceptAsSignedIn(body.token);
  }

  @Post('decline')
  @HttpCode(204)
  @Public()
  @Doc({ summary: 'Decline an invitation', tags: ['invitations'] })
  async decline(@ValidBody(invitationTokenSchema) body: z.infer<typeof invitationTokenSchema>): Promise<void> {
    await this.invitations.decline(body.token);
  }

  @Get()
  @Authorize('users:admin')
  @Doc({ summary: 'Every invitation, with the link of pending ones (staff support)', tags: ['invitations'], response: pageSchema(staffInvitationSchema) })
  staffList(@ValidQuery(listStaffInvitationsSchema) query: z.infer<typeof listStaffInvitationsSchema>) {
    return this.invitations.staffList(query);
  }
}

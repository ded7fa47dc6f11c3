import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { z } from 'zod';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, IdParam, Idempotent, ValidBody, ValidQuery } from '../http/decorators.js';
import { pageQuerySchema, pageSchema, type PageQuery } from '../http/pagination.js';
import { OrganizationsService, toOrganizationDto } from './organizations.service.js';
import { InvitationsService } from '../users/invitations.service.js';
import { invitationSchema } from '../users/invitation.schemas.js';
import {
  inviteMemberSchema,
  createOrganizationSchema,
  memberSchema,
  organizationSchema,
  updateMemberSchema,
  updateOrganizationSchema,
} from './organization.schemas.js';

@Controller(apiPath('organizations'))
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly invitations: InvitationsService,
  ) {}

  @Post()
  @Authorize('organizations:admin')
  @Idempotent()
  @Doc({ summary: 'Create a client organisation (staff)', tags: ['organizations'], response: organizationSchema, status: 201 })
  async create(@ValidBody(createOrganizationSchema) body: z.infer<typeof createOrganizationSchema>) {
    return toOrganizationDto(await this.organizations.create(body));
  }

  @Get()
  @Authorize()
  @Doc({ summary: 'Organisations you can see', tags: ['organizations'], response: pageSchema(organizationSchema) })
  list(@ValidQuery(pageQuerySchema) query: PageQuery) {
    return this.organizations.list(query);
  }

  @Get(':id')
  @Authorize()
  @Doc({ summary: 'One organisation', tags: ['organizations'], response: organizationSchema })
  async get(@IdParam() id: string) {
    return toOrganizationDto(await this.organizations.get(id));
  }

  @Patch(':id')
  @Authorize('organizations:admin')
  @Doc({ summary: 'Rename an organisation or change its language', tags: ['organizations'], response: organizationSchema })
  async update(@IdParam() id: string, @ValidBody(updateOrganizationSchema) body: z.infer<typeof updateOrganizationSchema>) {
    return toOrganizationDto(await this.organizations.update(id, body));
  }

  @Get(':id/members')
  @Authorize()
  @Doc({ summary: 'Members of an organisation', tags: ['organizations'], response: z.object({ data: z.array(memberSchema) }) })
  async members(@IdParam() id: string) {
    return { data: await this.organizations.listMembers(id) };
  }

  @Post(':id/members')
  @Authorize('organizations:admin')
  @Idempotent()
  @Doc({
    summary: 'Invite a person: the link goes to their address only; they join when they accept (same answer whether or not they have an account)',
    tags: ['organizations'],
    response: invitationSchema,
    status: 201,
  })
  invite(@IdParam() id: string, @ValidBody(inviteMemberSchema) body: z.infer<typeof inviteMemberSchema>) {
    return this.organizations.invite(id, body);
  }

  @Get(':id/invitations')
  @Authorize('organizations:admin')
  @Doc({ summary: 'Invitations to an organisation, newest first', tags: ['organizations'], response: pageSchema(invitationSchema) })
  invitationsOf(@IdParam() id: string, @ValidQuery(pageQuerySchema) query: PageQuery) {
    return this.invitations.listForOrganization(id, query);
  }

  @Delete(':id/invitations/:invitationId')
  @HttpCode(204)
  @Authorize('organizations:admin')
  @Doc({ summary: 'Revoke a pending invitation: its link stops working', tags: ['organizations'] })
  async revokeInvitation(@IdParam() id: string, @IdParam('invitationId') invitationId: string): Promise<void> {
    await this.invitations.revoke(id, invitationId);
  }

  @Patch(':id/members/:userId')
  @Authorize('organizations:admin')
  @Doc({ summary: "Change a member's role", tags: ['organizations'], response: memberSchema })
  updateMember(@IdParam() id: string, @IdParam('userId') userId: string, @ValidBody(updateMemberSchema) body: z.infer<typeof updateMemberSchema>) {
    return this.organizations.updateMember(id, userId, body.role);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @Authorize('organizations:admin')
  @Doc({ summary: 'Remove a member', tags: ['organizations'] })
  async removeMember(@IdParam() id: string, @IdParam('userId') userId: string): Promise<void> {
    await this.organizations.removeMember(id, userId);
  }
}

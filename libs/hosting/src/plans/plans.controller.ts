import { Controller, Get, Patch, Post, Put, HttpCode } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { z } from 'zod';
import { UsageService } from '../usage/usage.service.js';
import { addPriceSchema, createPlanSchema, hostingProfileSchema, planSchema, quotaOverridesSchema, subscribeSchema, updatePlanSchema, usageSchema } from './plan.schemas.js';
import { PlansService } from './plans.service.js';

@Controller(apiPath('plans'))
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @Authorize()
  @Doc({ summary: 'Hosting plans, their quotas and current prices', tags: ['plans'], response: z.object({ data: z.array(planSchema) }) })
  async list() {
    return { data: await Promise.all((await this.plans.list()).map((plan) => this.plans.toDto(plan))) };
  }

  @Get(':id')
  @Authorize()
  @Doc({ summary: 'One plan, with its price history', tags: ['plans'], response: planSchema })
  async get(@IdParam() id: string) {
    return this.plans.toDto(await this.plans.get(id));
  }

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Create a plan (staff)', tags: ['plans'], response: planSchema, status: 201 })
  async create(@ValidBody(createPlanSchema) body: z.infer<typeof createPlanSchema>) {
    return this.plans.toDto(await this.plans.create(body));
  }

  @Patch(':id')
  @Authorize('billing:write')
  @Doc({ summary: "Change a plan's names, quotas, availability, or make it the default", tags: ['plans'], response: planSchema })
  async update(@IdParam() id: string, @ValidBody(updatePlanSchema) body: z.infer<typeof updatePlanSchema>) {
    return this.plans.toDto(await this.plans.update(id, body));
  }

  @Post(':id/prices')
  @Authorize('billing:write')
  @Doc({ summary: 'Set a new monthly price from a date on', tags: ['plans'], response: planSchema, status: 201 })
  async addPrice(@IdParam() id: string, @ValidBody(addPriceSchema) body: z.infer<typeof addPriceSchema>) {
    return this.plans.toDto(await this.plans.addPrice(id, body));
  }
}

/** An organisation's hosting: plan, quotas, overrides, placement and use. */
@Controller(apiPath('organizations'))
export class OrganizationHostingController {
  constructor(
    private readonly plans: PlansService,
    private readonly usage: UsageService,
  ) {}

  @Get(':id/hosting')
  @Authorize('hosting:read')
  @Doc({ summary: "An organisation's plan, quota overrides, name prefix and placement", tags: ['organizations'], response: hostingProfileSchema })
  profile(@IdParam() id: string) {
    return this.plans.profile(id);
  }

  @Get(':id/usage')
  @Authorize('hosting:read')
  @Doc({ summary: 'Current use of each meter against its limit', tags: ['organizations'], response: usageSchema })
  current(@IdParam() id: string) {
    return this.usage.current(id);
  }

  @Put(':id/subscription')
  @HttpCode(204)
  @Authorize('organizations:admin')
  @Doc({ summary: 'Move an organisation to another plan (staff)', tags: ['organizations'] })
  async subscribe(@IdParam() id: string, @ValidBody(subscribeSchema) body: z.infer<typeof subscribeSchema>): Promise<void> {
    await this.plans.subscribe(id, body.planId, body.startsOn);
  }

  @Put(':id/quota-overrides')
  @HttpCode(204)
  @Authorize('organizations:admin')
  @Doc({ summary: "Override some of an organisation's limits (staff; null removes one)", tags: ['organizations'] })
  async overrides(@IdParam() id: string, @ValidBody(quotaOverridesSchema) body: z.infer<typeof quotaOverridesSchema>): Promise<void> {
    await this.plans.setQuotaOverrides(id, body);
  }
}

import { Controller, Get, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { centsToDecimal } from '@ruche/accounting';
import { z } from 'zod';
import { decimal2, isoDate, positiveDecimal2 } from '../shared/schemas.js';
import { Decimal } from '../shared/decimal.js';
import { CONTRACT_KINDS } from './contract.entity.js';
import { ContractsService, type ContractView } from './contracts.service.js';

const name = z.string().trim().min(1).max(200);
const percent = decimal2.refine((value) => Number(value) <= 100, { message: 'validation.time_decimal_invalid' });

const contractSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CONTRACT_KINDS),
  organizationId: z.string().nullable().describe('the client; null for an internal project'),
  hourlyRate: z.string().nullable().describe('the rate in force today (hourly and capped contracts)'),
  fixedPrice: z.string().nullable(),
  capHours: z.string().nullable(),
  budgetHours: z.string().nullable(),
  broughtById: z.string().nullable().describe('the member freelancer who brought it'),
  coopSharePercent: z.string().describe('the co-op’s share of a contract a freelancer brought'),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  cap: z
    .object({ hours: z.string(), usedHours: z.string(), billedHours: z.string(), percent: z.number(), level: z.enum(['ok', 'near', 'reached']) })
    .nullable()
    .describe('capped contracts: billable hours recorded against the cap, warned from 80 %; nothing past it is billed'),
  tasks: z.array(z.object({ id: z.string(), name: z.string(), closed: z.boolean() })),
  createdAt: z.string(),
});

export const toContractDto = ({ contract, tasks, hourlyRate, cap }: ContractView): z.infer<typeof contractSchema> => ({
  id: contract.id,
  name: contract.name,
  kind: contract.kind,
  organizationId: contract.organizationId,
  hourlyRate,
  fixedPrice: contract.fixedPriceCents === null ? null : centsToDecimal(contract.fixedPriceCents),
  capHours: contract.capHours,
  budgetHours: contract.budgetHours,
  broughtById: contract.broughtById,
  coopSharePercent: contract.coopSharePercent,
  startsOn: contract.startsOn,
  endsOn: contract.endsOn,
  status: contract.status,
  cap,
  tasks: tasks.map((task) => ({ id: task.id, name: task.name, closed: task.closedAt !== null })),
  createdAt: contract.createdAt.toISOString(),
});

const createSchema = z
  .strictObject({
    name,
    kind: z.enum(CONTRACT_KINDS),
    organizationId: z.uuid().optional(),
    hourlyRate: positiveDecimal2.optional(),
    fixedPrice: positiveDecimal2.optional(),
    capHours: positiveDecimal2.optional(),
    budgetHours: positiveDecimal2.optional(),
    broughtById: z.uuid().optional(),
    coopSharePercent: percent.optional(),
    startsOn: isoDate,
    endsOn: isoDate.optional(),
    tasks: z.array(name).max(100).optional(),
  })
  .refine(
    (c) =>
      (c.kind === 'internal') === (c.organizationId === undefined) &&
      (c.kind === 'fixed_price') === (c.fixedPrice !== undefined) &&
      (c.kind === 'capped') === (c.capHours !== undefined),
    { message: 'validation.contract_terms', path: ['kind'] },
  )
  .refine((c) => (c.kind === 'hourly' || c.kind === 'capped') === (c.hourlyRate !== undefined), { message: 'validation.contract_terms', path: ['hourlyRate'] })
  .refine((c) => c.endsOn === undefined || c.endsOn >= c.startsOn, { message: 'validation.span_invalid', path: ['endsOn'] });

const updateSchema = z.strictObject({
  name: name.optional(),
  capHours: positiveDecimal2.optional(),
  budgetHours: positiveDecimal2.nullable().optional(),
  broughtById: z.uuid().nullable().optional(),
  coopSharePercent: percent.optional(),
  endsOn: isoDate.nullable().optional(),
  status: z.enum(['open', 'closed']).optional(),
});

const listQuery = pageQuerySchema.extend({ organizationId: z.uuid().optional(), status: z.enum(['open', 'closed']).optional(), kind: z.enum(CONTRACT_KINDS).optional() });

@Controller(apiPath('contracts'))
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Contracts (client work: fixed price, hourly, capped) and internal projects, with their tasks and, when capped, how much of the cap is used', tags: ['timekeeping'], response: pageSchema(contractSchema) })
  async list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>) {
    const page = await this.contracts.list(query);
    return { data: page.data.map(toContractDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:admin')
  @Idempotent()
  @Doc({ summary: 'Open a contract or an internal project (coordinators); an hourly or capped contract starts with its rate', tags: ['timekeeping'], response: contractSchema, status: 201 })
  async create(@ValidBody(createSchema) body: z.infer<typeof createSchema>) {
    const { fixedPrice, ...rest } = body;
    return toContractDto(await this.contracts.create({ ...rest, fixedPriceCents: fixedPrice === undefined ? undefined : new Decimal(fixedPrice).times(100).toNumber() }));
  }

  @Get(':id')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'One contract with its tasks, current rate and cap', tags: ['timekeeping'], response: contractSchema })
  async get(@IdParam() id: string) {
    return toContractDto(await this.contracts.get(id));
  }

  @Patch(':id')
  @Authorize('timekeeping:admin')
  @Doc({ summary: 'Change a contract (coordinators): name, cap (never below what was billed; a raised cap bills approved hours that were past it), budget, the co-op’s share, end, status', tags: ['timekeeping'], response: contractSchema })
  async update(@IdParam() id: string, @ValidBody(updateSchema) body: z.infer<typeof updateSchema>) {
    return toContractDto(await this.contracts.update(id, body));
  }

  @Post(':id/tasks')
  @Authorize('timekeeping:write')
  @Idempotent()
  @Doc({ summary: 'Add a task to a contract (any worker): billable hours are grouped per task on invoices', tags: ['timekeeping'], response: contractSchema, status: 201 })
  async addTask(@IdParam() id: string, @ValidBody(z.strictObject({ name })) body: { name: string }) {
    return toContractDto(await this.contracts.addTask(id, body.name));
  }

  @Patch(':id/tasks/:taskId')
  @Authorize('timekeeping:admin')
  @Doc({ summary: 'Rename or close a task (coordinators)', tags: ['timekeeping'], response: contractSchema })
  async updateTask(@IdParam() id: string, @IdParam('taskId') taskId: string, @ValidBody(z.strictObject({ name: name.optional(), closed: z.boolean().optional() })) body: { name?: string; closed?: boolean }) {
    return toContractDto(await this.contracts.updateTask(id, taskId, body));
  }
}

import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { createDrainSchema, createMoveSchema, drainSchema, moveSchema, type CreateDrain, type CreateMove } from './move.schemas.js';
import { MovesService } from './moves.service.js';

@Controller(apiPath('moves'))
export class MovesController {
  constructor(private readonly moves: MovesService) {}

  @Post()
  @Authorize('provisioning:admin')
  @Idempotent()
  @Doc({ summary: 'Move an organisation’s resources of one service (web, dns, mail) to another server: data first, then desired state, then the old copy archived', tags: ['moves'], response: moveSchema, status: 201 })
  create(@ValidBody(createMoveSchema) body: CreateMove) {
    return this.moves.requestMove(body);
  }

  @Get(':id')
  @Authorize('provisioning:admin')
  @Doc({ summary: 'A move: its step and status', tags: ['moves'], response: moveSchema })
  get(@IdParam() id: string) {
    return this.moves.get(id);
  }
}

@Controller(apiPath('drains'))
export class DrainsController {
  constructor(private readonly moves: MovesService) {}

  @Post()
  @Authorize('provisioning:admin')
  @Idempotent()
  @Doc({ summary: 'Drain a server: mark it draining and move everything it holds onto other servers', tags: ['moves'], response: drainSchema, status: 201 })
  create(@ValidBody(createDrainSchema) body: CreateDrain) {
    return this.moves.requestDrain(body);
  }

  @Get(':id')
  @Authorize('provisioning:admin')
  @Doc({ summary: 'A drain: its moves and what it could not move', tags: ['moves'], response: drainSchema })
  get(@IdParam() id: string) {
    return this.moves.getDrain(id);
  }
}

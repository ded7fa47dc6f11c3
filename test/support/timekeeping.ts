import { expect } from 'vitest';
import type { Caller } from './test-api.js';

/** The seeded committees by code (work, production, communication, hiring, funding, sysadmin, community). */
export async function committeesByCode(caller: Caller): Promise<Record<string, string>> {
  const response = await caller.get('/api/v1/committees?limit=200');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return Object.fromEntries(response.body.data.map((c: { code: string; id: string }) => [c.code, c.id]));
}

/** A contract opened by a coordinator: hourly at 60.00 for `organizationId` since 2020 unless told otherwise. */
export async function makeContract(coordinator: Caller, fields: Record<string, unknown> = {}) {
  const response = await coordinator.post('/api/v1/contracts', {
    name: `Contract ${Math.random().toString(36).slice(2, 8)}`,
    kind: 'hourly',
    hourlyRate: '60.00',
    startsOn: '2020-01-01',
    ...fields,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string; tasks: Array<{ id: string; name: string }>; cap: null | { usedHours: string; level: string } };
}

/** Time recorded through the API (work on `contractId` unless told otherwise); answers the entry. */
export async function recordTime(caller: Caller, fields: Record<string, unknown>) {
  const response = await caller.post('/api/v1/time-entries', { category: 'work', ...fields });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; minutes: number; recordedMinutes: number; rounding: string; status: string; warnings: Array<{ code: string; message: string }> };
}

export async function approve(coordinator: Caller, ids: string[]) {
  const response = await coordinator.post('/api/v1/time-entries/approve', { ids });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { approved: Array<{ id: string; billing: null | { state: string; lineId: string | null } }>; alreadyApproved: string[]; warnings: Array<{ code: string; message: string; percent: number }> };
}

/** A worker's account opened by staff (no sign-in needed: a coordinator records their time for them). */
export async function makeWorkerAccount(admin: Caller, displayName: string, staffRoles: string[] = ['worker']) {
  const response = await admin.post('/api/v1/users', { email: `${displayName.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}-${Math.random().toString(36).slice(2, 8)}@koumbit.example`, displayName, staffRoles });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.id as string, displayName };
}

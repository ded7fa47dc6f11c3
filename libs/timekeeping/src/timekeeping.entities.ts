import { Worker } from './workers/worker.entity.js';
import { Committee } from './committees/committee.entity.js';
import { Contract, ContractTask } from './contracts/contract.entity.js';
import { HourlyRate } from './rates/hourly-rate.entity.js';
import { TimeEntry } from './entries/time-entry.entity.js';
import { Timer } from './timers/timer.entity.js';
import { TimeBillingLine } from './billing/time-billing-line.entity.js';
import { PayRun } from './pay/pay-run.entity.js';
import { EligibilityExceptionRow } from './eligibility/eligibility-exception.entity.js';

export const timekeepingEntities: Function[] = [Worker, Committee, Contract, ContractTask, HourlyRate, TimeEntry, Timer, TimeBillingLine, PayRun, EligibilityExceptionRow];

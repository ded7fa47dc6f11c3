// The worker area: one chunk, loaded when a worker opens their timesheet or the co-op's reports.
export { TimesheetPage } from './timesheet';
export { MyHoursPage, EligibilityPage, FinancesPage } from './reports';
export { ApprovalPage } from './approval';

import type { MigrationInterface, QueryRunner } from 'typeorm';

const COMMITTEES: Array<[id: string, code: string, fr: string, en: string]> = [
  ['01970000-0000-7000-8000-00000000c001', 'work', 'Comité de travail', 'Work committee'],
  ['01970000-0000-7000-8000-00000000c002', 'production', 'Comité de production', 'Production committee'],
  ['01970000-0000-7000-8000-00000000c003', 'communication', 'Comité des communications', 'Communication committee'],
  ['01970000-0000-7000-8000-00000000c004', 'hiring', 'Comité d’embauche', 'Hiring committee'],
  ['01970000-0000-7000-8000-00000000c005', 'funding', 'Comité financement et R-D', 'Funding and R&D committee'],
  ['01970000-0000-7000-8000-00000000c006', 'sysadmin', 'Comité sysadmin', 'Sysadmin committee'],
  ['01970000-0000-7000-8000-00000000c007', 'community', 'Comité vie communautaire', 'Community life committee'],
];

/**
 * What PostgreSQL enforces whatever the SQL: an approved entry's content never changes; an
 * invoiced or paid entry is never changed, un-approved or deleted; what was handed to billing
 * never changes, and once invoiced is never taken back; rates, pay runs and exceptions are
 * append-only. Then the permanent committees and the co-op's rate of 2006.
 */
export class TimekeepingRules1796063192910 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION timekeeping_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['hourly_rates', 'pay_runs', 'eligibility_exceptions']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION timekeeping_refuse_change()`);
    }
    for (const table of ['hourly_rates', 'pay_runs', 'eligibility_exceptions', 'time_entries', 'time_billing_lines']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION timekeeping_refuse_change()`);
    }

    // An entry: open, it is its worker's; approved, only its approval, billing and pay move;
    // invoiced (its line is) or paid, nothing but a line move that keeps it invoiced.
    await queryRunner.query(`
      CREATE FUNCTION time_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        invoiced boolean;
        paid boolean;
      BEGIN
        invoiced := OLD.billing_line_id IS NOT NULL AND EXISTS (SELECT 1 FROM time_billing_lines l WHERE l.id = OLD.billing_line_id AND l.invoiced_at IS NOT NULL);
        paid := OLD.pay_run_id IS NOT NULL;
        IF TG_OP = 'DELETE' THEN
          IF invoiced OR paid THEN
            RAISE EXCEPTION 'time entry % is %: it cannot be deleted; record an adjusting entry', OLD.id, CASE WHEN paid THEN 'paid' ELSE 'invoiced' END USING ERRCODE = 'restrict_violation';
          END IF;
          IF OLD.status = 'approved' THEN
            RAISE EXCEPTION 'time entry % is approved: it cannot be deleted', OLD.id USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.status = 'approved' AND (NEW.worker_id, NEW.work_date, NEW.recorded_minutes, NEW.minutes, NEW.rounding, NEW.contract_id, NEW.task_id, NEW.category, NEW.committee_id, NEW.description, NEW.billable, NEW.volunteer, NEW.adjusts_entry_id, NEW.recorded_by, NEW.created_at)
             IS DISTINCT FROM (OLD.worker_id, OLD.work_date, OLD.recorded_minutes, OLD.minutes, OLD.rounding, OLD.contract_id, OLD.task_id, OLD.category, OLD.committee_id, OLD.description, OLD.billable, OLD.volunteer, OLD.adjusts_entry_id, OLD.recorded_by, OLD.created_at) THEN
          RAISE EXCEPTION 'time entry % is %: its content cannot change; record an adjusting entry', OLD.id, CASE WHEN paid THEN 'paid' WHEN invoiced THEN 'invoiced' ELSE 'approved' END USING ERRCODE = 'restrict_violation';
        END IF;
        IF (invoiced OR paid) AND (NEW.status, NEW.approved_by, NEW.approved_at) IS DISTINCT FROM (OLD.status, OLD.approved_by, OLD.approved_at) THEN
          RAISE EXCEPTION 'time entry % is %: its approval cannot change', OLD.id, CASE WHEN paid THEN 'paid' ELSE 'invoiced' END USING ERRCODE = 'restrict_violation';
        END IF;
        IF paid AND NEW.pay_run_id IS DISTINCT FROM OLD.pay_run_id THEN
          RAISE EXCEPTION 'time entry % is paid by pay run %', OLD.id, OLD.pay_run_id USING ERRCODE = 'restrict_violation';
        END IF;
        IF invoiced AND (NEW.billing_line_id, NEW.billing_state) IS DISTINCT FROM (OLD.billing_line_id, OLD.billing_state) THEN
          RAISE EXCEPTION 'time entry % is invoiced: its billing cannot change', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER time_entries_guard BEFORE UPDATE OR DELETE ON time_entries FOR EACH ROW EXECUTE FUNCTION time_entries_guard()`);

    // A line handed to billing: what it bills never changes; once invoiced it stays invoiced
    // (another invoice may take it, if billing deletes a draft and bills it again).
    await queryRunner.query(`
      CREATE FUNCTION time_billing_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.invoiced_at IS NOT NULL THEN
            RAISE EXCEPTION 'time billing line % is invoiced (%): it cannot be withdrawn', OLD.id, OLD.invoice_number USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN OLD;
        END IF;
        IF (NEW.id, NEW.contract_id, NEW.task_id, NEW.organization_id, NEW.month, NEW.minutes, NEW.billed_minutes, NEW.hourly_rate, NEW.service_date, NEW.supplements_line_id, NEW.created_at)
             IS DISTINCT FROM (OLD.id, OLD.contract_id, OLD.task_id, OLD.organization_id, OLD.month, OLD.minutes, OLD.billed_minutes, OLD.hourly_rate, OLD.service_date, OLD.supplements_line_id, OLD.created_at) THEN
          RAISE EXCEPTION 'time billing line %: what was handed to billing cannot change', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.invoiced_at IS NOT NULL AND NEW.invoiced_at IS NULL THEN
          RAISE EXCEPTION 'time billing line % is invoiced (%): it stays invoiced', OLD.id, OLD.invoice_number USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER time_billing_lines_guard BEFORE UPDATE OR DELETE ON time_billing_lines FOR EACH ROW EXECUTE FUNCTION time_billing_lines_guard()`);

    await queryRunner.query(
      `INSERT INTO committees (id, code, name_fr, name_en, kind) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]), LATERAL (SELECT 'permanent') k`,
      [COMMITTEES.map((c) => c[0]), COMMITTEES.map((c) => c[1]), COMMITTEES.map((c) => c[2]), COMMITTEES.map((c) => c[3])],
    );
    // The single rate that pays every worker, set for 2006–2007; a later rate is a new row.
    await queryRunner.query(`INSERT INTO hourly_rates (id, contract_id, effective_from, hourly_rate) VALUES ('01970000-0000-7000-8000-0000000a2006', NULL, '2006-07-01', 21.50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['hourly_rates', 'pay_runs', 'eligibility_exceptions', 'time_entries', 'time_billing_lines']) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table}`);
    }
    for (const table of ['hourly_rates', 'pay_runs', 'eligibility_exceptions']) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`);
    }
    await queryRunner.query(`DROP TRIGGER IF EXISTS time_entries_guard ON time_entries`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS time_billing_lines_guard ON time_billing_lines`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS time_entries_guard()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS time_billing_lines_guard()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS timekeeping_refuse_change()`);
    await queryRunner.query(`DELETE FROM committees WHERE kind = 'permanent'`);
  }
}

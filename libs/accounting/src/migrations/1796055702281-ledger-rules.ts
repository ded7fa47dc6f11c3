import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEEDED_CHART, seededAccountId } from '../accounts/chart.js';

/**
 * What the books must never lose, enforced by PostgreSQL whatever the SQL: the journal is
 * append-only, every entry balances at commit, closed months refuse entries, closing is for good.
 * Then the chart of accounts of a Québec non-profit co-op, in French and English.
 */
export class LedgerRules1796055702281 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ruche_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['journal_entries', 'journal_lines', 'closed_periods']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ruche_refuse_change()`);
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ruche_refuse_change()`);
    }

    // Checked at commit, once the entry's lines are all in: debits equal credits, two lines at least.
    // Once per entry: lines can only join an entry in the transaction that creates it (below), so
    // the entry's check at that commit sees every line it will ever have.
    await queryRunner.query(`
      CREATE FUNCTION journal_entry_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        debits bigint;
        credits bigint;
        lines integer;
      BEGIN
        SELECT coalesce(sum(debit_cents), 0), coalesce(sum(credit_cents), 0), count(*) INTO debits, credits, lines
          FROM journal_lines WHERE entry_id = NEW.id;
        IF debits <> credits OR lines < 2 THEN
          RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines', NEW.id, debits, credits, lines
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER journal_entries_balance AFTER INSERT ON journal_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_check_balance()`);

    // Lines join their entry in the transaction that created it, never later.
    await queryRunner.query(`
      CREATE FUNCTION journal_lines_same_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.entry_id AND xmin::text = pg_current_xact_id()::xid::text) THEN
          RAISE EXCEPTION 'journal entry % is already posted: lines cannot be added to it', NEW.entry_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER journal_lines_same_transaction BEFORE INSERT ON journal_lines FOR EACH ROW EXECUTE FUNCTION journal_lines_same_transaction()`);

    // A closed month takes no entry. The shared lock pairs with the exclusive one closing takes.
    await queryRunner.query(`
      CREATE FUNCTION journal_entries_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry_month date := date_trunc('month', NEW.entry_date)::date;
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtext('ruche:period:' || entry_month::text));
        IF EXISTS (SELECT 1 FROM closed_periods WHERE month = entry_month) THEN
          RAISE EXCEPTION 'period % is closed', to_char(entry_month, 'YYYY-MM') USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER journal_entries_open_period BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_entries_open_period()`);

    for (const account of SEEDED_CHART) {
      await queryRunner.query(`INSERT INTO accounts (id, code, name_fr, name_en, type) VALUES ($1, $2, $3, $4, $5)`, [
        seededAccountId(account.code),
        account.code,
        account.fr,
        account.en,
        account.type,
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER journal_entries_open_period ON journal_entries`);
    await queryRunner.query(`DROP FUNCTION journal_entries_open_period()`);
    await queryRunner.query(`DROP TRIGGER journal_lines_same_transaction ON journal_lines`);
    await queryRunner.query(`DROP FUNCTION journal_lines_same_transaction()`);
    await queryRunner.query(`DROP TRIGGER journal_entries_balance ON journal_entries`);
    await queryRunner.query(`DROP FUNCTION journal_entry_check_balance()`);
    for (const table of ['journal_entries', 'journal_lines', 'closed_periods']) {
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION ruche_refuse_change()`);
    await queryRunner.query(`DELETE FROM accounts WHERE id::text LIKE '01a1d000-%'`);
  }
}

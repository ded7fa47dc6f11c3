import type { MigrationInterface, QueryRunner } from 'typeorm';

const TAX_RATES: Array<[tax: 'gst' | 'qst', from: string, rate: string, baseIncludesGst: boolean]> = [
  ['gst', '2006-07-01', '0.06', false],
  ['gst', '2008-01-01', '0.05', false],
  ['qst', '2006-07-01', '0.075', true],
  ['qst', '2011-01-01', '0.085', true],
  ['qst', '2012-01-01', '0.095', true],
  ['qst', '2013-01-01', '0.09975', false],
];

const ITEMS: Array<{ code: string; fr: string; en: string; kind: 'one_off' | 'metered' | 'hourly'; meter?: string; account: string; price: string }> = [
  { code: 'setup', fr: 'Frais de mise en service', en: 'Set-up fee', kind: 'one_off', account: '4100', price: '50.00' },
  { code: 'domain-registration', fr: 'Enregistrement de nom de domaine (1 an)', en: 'Domain name registration (1 year)', kind: 'one_off', account: '4100', price: '25.00' },
  { code: 'hourly-service', fr: 'Service à l’heure', en: 'Hourly service', kind: 'hourly', account: '4200', price: '60.00' },
  { code: 'training', fr: 'Formation (heure)', en: 'Training (hour)', kind: 'hourly', account: '4300', price: '60.00' },
  { code: 'extra-domains', fr: 'Domaines supplémentaires', en: 'Extra domains', kind: 'metered', meter: 'domains', account: '4100', price: '2.00' },
  { code: 'extra-sites', fr: 'Sites supplémentaires', en: 'Extra sites', kind: 'metered', meter: 'sites', account: '4100', price: '2.00' },
  { code: 'extra-mailboxes', fr: 'Boîtes courriel supplémentaires', en: 'Extra mailboxes', kind: 'metered', meter: 'mailboxes', account: '4100', price: '1.00' },
  { code: 'extra-mail-storage', fr: 'Stockage courriel supplémentaire (Mo)', en: 'Extra mail storage (MB)', kind: 'metered', meter: 'mail_storage_mb', account: '4100', price: '0.0010' },
  { code: 'extra-databases', fr: 'Bases de données supplémentaires', en: 'Extra databases', kind: 'metered', meter: 'databases', account: '4100', price: '2.00' },
  { code: 'extra-database-storage', fr: 'Stockage de bases de données supplémentaire (Mo)', en: 'Extra database storage (MB)', kind: 'metered', meter: 'database_storage_mb', account: '4100', price: '0.0010' },
  { code: 'extra-web-storage', fr: 'Stockage web supplémentaire (Mo)', en: 'Extra web storage (MB)', kind: 'metered', meter: 'web_storage_mb', account: '4100', price: '0.0010' },
];

/**
 * What PostgreSQL enforces whatever the SQL: a posted document (and its lines) never changes
 * but for its status moving on, and is never deleted; numbers have no gap; payments and
 * allocations are append-only and never allocate more than a payment holds or an invoice owes;
 * a billed line from elsewhere stays billed. Then the GST/QST table and the catalogue.
 */
export class BillingRules1796056233305 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION billing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['payments', 'payment_allocations']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION billing_refuse_change()`);
    }
    for (const table of ['invoices', 'invoice_lines', 'payments', 'payment_allocations', 'billable_lines']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_change()`);
    }

    // A posted document: only its status moves on (posted → paid or void), with the columns that go with it.
    await queryRunner.query(`
      CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        free text[] := ARRAY['status', 'updated_at'];
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is %: it cannot be deleted', OLD.number, OLD.status USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.status = 'draft' THEN
          RETURN NEW;
        END IF;
        IF OLD.status = 'posted' AND NEW.status = 'paid' THEN
          free := free || ARRAY['paid_at'];
        ELSIF OLD.status = 'posted' AND NEW.status = 'void' THEN
          free := free || ARRAY['voided_at', 'void_entry_id'];
        ELSIF NEW.status <> OLD.status THEN
          RAISE EXCEPTION 'invoice % cannot go from % to %', OLD.number, OLD.status, NEW.status USING ERRCODE = 'restrict_violation';
        END IF;
        IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free) THEN
          RAISE EXCEPTION 'invoice % is posted: it cannot be changed (correct it with a credit note)', OLD.number USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER invoices_guard BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_guard()`);

    // Lines change with a draft only (a draft's delete cascades to them: its row is gone by then).
    await queryRunner.query(`
      CREATE FUNCTION invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        parent text;
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          SELECT status INTO parent FROM invoices WHERE id = OLD.invoice_id;
          IF FOUND AND parent <> 'draft' THEN
            RAISE EXCEPTION 'the lines of a % invoice cannot be changed', parent USING ERRCODE = 'restrict_violation';
          END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          SELECT status INTO parent FROM invoices WHERE id = NEW.invoice_id;
          IF parent IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'lines can be added to drafts only' USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN NEW;
        END IF;
        RETURN OLD;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER invoice_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_guard()`);

    // Gapless: every number but the first of its series has its predecessor (with the unique index, the series is 1..n).
    await queryRunner.query(`
      CREATE FUNCTION invoices_gapless() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sequence > 1 AND NOT EXISTS (SELECT 1 FROM invoices WHERE series = NEW.series AND sequence = NEW.sequence - 1) THEN
          RAISE EXCEPTION 'number % of series % leaves a gap', NEW.sequence, NEW.series USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER invoices_gapless_insert AFTER INSERT ON invoices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.sequence IS NOT NULL) EXECUTE FUNCTION invoices_gapless()`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER invoices_gapless_update AFTER UPDATE OF sequence ON invoices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.sequence IS NOT NULL) EXECUTE FUNCTION invoices_gapless()`);

    // Never more allocated than a payment holds, nor more paid and credited than an invoice's total.
    await queryRunner.query(`
      CREATE FUNCTION invoice_not_overpaid(invoice uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        total bigint;
        settled bigint;
      BEGIN
        SELECT i.total_cents,
               coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a WHERE a.invoice_id = i.id), 0)
               + coalesce((SELECT sum(c.total_cents) FROM invoices c WHERE c.credits_invoice_id = i.id AND c.status IN ('posted', 'paid')), 0)
          INTO total, settled FROM invoices i WHERE i.id = invoice AND i.kind = 'invoice' AND i.status IN ('posted', 'paid');
        IF NOT FOUND THEN
          RAISE EXCEPTION 'invoice % is not a posted invoice: nothing can be allocated or credited to it', invoice USING ERRCODE = 'check_violation';
        END IF;
        IF settled > total THEN
          RAISE EXCEPTION 'invoice % would be settled beyond its total (% > %)', invoice, settled, total USING ERRCODE = 'check_violation';
        END IF;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION payment_allocations_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT sum(amount_cents) FROM payment_allocations WHERE payment_id = NEW.payment_id) > (SELECT amount_cents FROM payments WHERE id = NEW.payment_id) THEN
          RAISE EXCEPTION 'payment % is allocated beyond its amount', NEW.payment_id USING ERRCODE = 'check_violation';
        END IF;
        IF (SELECT organization_id FROM payments WHERE id = NEW.payment_id) IS DISTINCT FROM (SELECT organization_id FROM invoices WHERE id = NEW.invoice_id) THEN
          RAISE EXCEPTION 'payment % and invoice % belong to different customers', NEW.payment_id, NEW.invoice_id USING ERRCODE = 'check_violation';
        END IF;
        PERFORM invoice_not_overpaid(NEW.invoice_id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER payment_allocations_check AFTER INSERT ON payment_allocations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payment_allocations_check()`);
    await queryRunner.query(`
      CREATE FUNCTION credit_notes_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM invoice_not_overpaid(NEW.credits_invoice_id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER credit_notes_check AFTER UPDATE OF status ON invoices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'credit_note' AND NEW.status = 'posted') EXECUTE FUNCTION credit_notes_check()`);

    // A line from elsewhere that reached a posted invoice stays billed, and stays.
    await queryRunner.query(`
      CREATE FUNCTION billable_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.invoice_line_id IS NOT NULL AND EXISTS (
             SELECT 1 FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE l.id = OLD.invoice_line_id AND i.status <> 'draft') THEN
          RAISE EXCEPTION 'billable line %:% is on a posted invoice', OLD.source_kind, OLD.source_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER billable_lines_guard BEFORE UPDATE OR DELETE ON billable_lines FOR EACH ROW EXECUTE FUNCTION billable_lines_guard()`);

    for (const [index, [tax, from, rate, base]] of TAX_RATES.entries()) {
      await queryRunner.query(`INSERT INTO tax_rates (id, tax, effective_from, rate, base_includes_gst) VALUES ($1, $2, $3, $4, $5)`, [
        `01a1b000-0000-7000-8000-${String(index + 1).padStart(12, '0')}`,
        tax,
        from,
        rate,
        base,
      ]);
    }
    for (const [index, item] of ITEMS.entries()) {
      const id = `01a1b000-0000-7000-8001-${String(index + 1).padStart(12, '0')}`;
      await queryRunner.query(`INSERT INTO billing_items (id, code, name_fr, name_en, kind, meter, tax_code, account_code) VALUES ($1, $2, $3, $4, $5, $6, 'taxable', $7)`, [
        id,
        item.code,
        item.fr,
        item.en,
        item.kind,
        item.meter ?? null,
        item.account,
      ]);
      await queryRunner.query(`INSERT INTO billing_item_prices (id, item_id, effective_from, unit_price) VALUES ($1, $2, '2006-07-01', $3)`, [
        `01a1b000-0000-7000-8002-${String(index + 1).padStart(12, '0')}`,
        id,
        item.price,
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM billing_item_prices WHERE id::text LIKE '01a1b000-%'`);
    await queryRunner.query(`DELETE FROM billing_items WHERE id::text LIKE '01a1b000-%'`);
    await queryRunner.query(`DELETE FROM tax_rates WHERE id::text LIKE '01a1b000-%'`);
    await queryRunner.query(`DROP TRIGGER billable_lines_guard ON billable_lines`);
    await queryRunner.query(`DROP FUNCTION billable_lines_guard()`);
    await queryRunner.query(`DROP TRIGGER credit_notes_check ON invoices`);
    await queryRunner.query(`DROP FUNCTION credit_notes_check()`);
    await queryRunner.query(`DROP TRIGGER payment_allocations_check ON payment_allocations`);
    await queryRunner.query(`DROP FUNCTION payment_allocations_check()`);
    await queryRunner.query(`DROP FUNCTION invoice_not_overpaid(uuid)`);
    await queryRunner.query(`DROP TRIGGER invoices_gapless_update ON invoices`);
    await queryRunner.query(`DROP TRIGGER invoices_gapless_insert ON invoices`);
    await queryRunner.query(`DROP FUNCTION invoices_gapless()`);
    await queryRunner.query(`DROP TRIGGER invoice_lines_guard ON invoice_lines`);
    await queryRunner.query(`DROP FUNCTION invoice_lines_guard()`);
    await queryRunner.query(`DROP TRIGGER invoices_guard ON invoices`);
    await queryRunner.query(`DROP FUNCTION invoices_guard()`);
    for (const table of ['invoices', 'invoice_lines', 'payments', 'payment_allocations', 'billable_lines']) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    }
    for (const table of ['payments', 'payment_allocations']) {
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION billing_refuse_change()`);
  }
}

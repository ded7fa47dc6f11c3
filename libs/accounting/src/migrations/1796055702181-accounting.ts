import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounting1796055702181 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "accounts" ("id" uuid NOT NULL, "code" text NOT NULL, "name_fr" text NOT NULL, "name_en" text NOT NULL, "type" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "accounts_names_check" CHECK (length("name_fr") BETWEEN 1 AND 120 AND length("name_en") BETWEEN 1 AND 120), CONSTRAINT "accounts_code_check" CHECK ("code" ~ '^[0-9]{4,6}$'), CONSTRAINT "accounts_type_check" CHECK ("type" IN ('asset', 'liability', 'equity', 'revenue', 'expense')), CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "accounts_code_key" ON "accounts"  ("code") `);
    await queryRunner.query(`CREATE TABLE "closed_periods" ("month" date NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_by" uuid, CONSTRAINT "closed_periods_month_check" CHECK (extract(day FROM "month") = 1), CONSTRAINT "PK_099630137011a6d8a273eb58b87" PRIMARY KEY ("month"))`);
    await queryRunner.query(`CREATE TABLE "journal_entries" ("id" uuid NOT NULL, "number" BIGSERIAL NOT NULL, "entry_date" date NOT NULL, "description" text NOT NULL, "source_type" text NOT NULL, "source_id" text NOT NULL, "reverses_id" uuid, "content_hash" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "journal_entries_source_check" CHECK ("source_type" ~ '^[a-z_]{1,40}$' AND length("source_id") BETWEEN 1 AND 200), CONSTRAINT "journal_entries_description_check" CHECK (length("description") BETWEEN 1 AND 500), CONSTRAINT "PK_a70368e64230434457c8d007ab3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "journal_entries_reverses_key" ON "journal_entries"  ("reverses_id") WHERE "reverses_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "journal_entries_date_idx" ON "journal_entries"  ("entry_date") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "journal_entries_source_key" ON "journal_entries"  ("source_type", "source_id") WHERE "source_type" <> 'manual'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "journal_entries_number_key" ON "journal_entries"  ("number") `);
    await queryRunner.query(`CREATE TABLE "journal_lines" ("entry_id" uuid NOT NULL, "position" integer NOT NULL, "account_id" uuid NOT NULL, "debit_cents" bigint NOT NULL, "credit_cents" bigint NOT NULL, "party_id" uuid, "memo" text, CONSTRAINT "journal_lines_amount_check" CHECK (("debit_cents" > 0 AND "credit_cents" = 0) OR ("debit_cents" = 0 AND "credit_cents" > 0)), CONSTRAINT "PK_4702cb9e6d272a7bbd20b27cf82" PRIMARY KEY ("entry_id", "position"))`);
    await queryRunner.query(`CREATE INDEX "journal_lines_party_idx" ON "journal_lines"  ("party_id") WHERE "party_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "journal_lines_account_idx" ON "journal_lines"  ("account_id") `);
    await queryRunner.query(`ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_reverses_fk" FOREIGN KEY ("reverses_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_entry_fk" FOREIGN KEY ("entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_account_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "journal_lines" DROP CONSTRAINT "journal_lines_account_fk"`);
    await queryRunner.query(`ALTER TABLE "journal_lines" DROP CONSTRAINT "journal_lines_entry_fk"`);
    await queryRunner.query(`ALTER TABLE "journal_entries" DROP CONSTRAINT "journal_entries_reverses_fk"`);
    await queryRunner.query(`DROP INDEX "public"."journal_lines_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."journal_lines_party_idx"`);
    await queryRunner.query(`DROP TABLE "journal_lines"`);
    await queryRunner.query(`DROP INDEX "public"."journal_entries_number_key"`);
    await queryRunner.query(`DROP INDEX "public"."journal_entries_source_key"`);
    await queryRunner.query(`DROP INDEX "public"."journal_entries_date_idx"`);
    await queryRunner.query(`DROP INDEX "public"."journal_entries_reverses_key"`);
    await queryRunner.query(`DROP TABLE "journal_entries"`);
    await queryRunner.query(`DROP TABLE "closed_periods"`);
    await queryRunner.query(`DROP INDEX "public"."accounts_code_key"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
  }
}

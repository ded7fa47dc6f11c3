import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The co-op's default plan, with room for a real small organisation: 10 domains and sites,
 * 50 mailboxes of 1 GiB, 10 databases. Staff change it, or add plans, through the API.
 */
export class DefaultPlan1795611008600 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO plans (id, code, name_fr, name_en, is_default, active, domains, sites, mailboxes, mail_storage_mb, databases, database_storage_mb, web_storage_mb)
       VALUES ('01a1c000-0000-7000-8000-000000000001', 'communautaire', 'Hébergement communautaire', 'Community hosting', true, true, 10, 10, 50, 51200, 10, 10240, 20480)`,
    );
    await queryRunner.query(
      `INSERT INTO plan_prices (id, plan_id, effective_from, monthly_price_cents)
       VALUES ('01a1c000-0000-7000-8000-000000000002', '01a1c000-0000-7000-8000-000000000001', '2006-07-01', 2500)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM plans WHERE id = '01a1c000-0000-7000-8000-000000000001'`);
  }
}

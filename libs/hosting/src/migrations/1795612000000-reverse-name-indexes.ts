import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Every name below example.org" is `reverse(name) LIKE 'gro.elpmaxe.%'`: a prefix search
 * these indexes answer without scanning every domain (text_pattern_ops works under any collation).
 */
export class ReverseNameIndexes1795612000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "domains_reverse_name_idx" ON "domains" (reverse("name") text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX "site_hostnames_reverse_idx" ON "site_hostnames" (reverse("hostname") text_pattern_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "site_hostnames_reverse_idx"`);
    await queryRunner.query(`DROP INDEX "domains_reverse_name_idx"`);
  }
}

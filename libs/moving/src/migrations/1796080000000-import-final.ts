import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The import's last pass (`--final`): whether a run is one, and when it locked the AlternC accounts. */
export class ImportFinal1796080000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "moving_imports" ADD "final" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "moving_imports" ADD "locked_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "moving_imports" DROP COLUMN "locked_at"`);
    await queryRunner.query(`ALTER TABLE "moving_imports" DROP COLUMN "final"`);
  }
}

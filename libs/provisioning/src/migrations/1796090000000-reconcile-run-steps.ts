import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where a run's time went, step by step (load, render, stage, activate…), for sysadmins. */
export class ReconcileRunSteps1796090000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reconcile_runs" ADD "steps" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reconcile_runs" DROP COLUMN "steps"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stored first answers are sealed with the instance key: they may hold secrets shown once. */
export class SealIdempotentAnswers1795614000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // Keys live a day; dropping the clear answers is safer than keeping them.
    await queryRunner.query(`DELETE FROM "idempotency_keys"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_body"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_sealed" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_sealed"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_body" jsonb`);
  }
}

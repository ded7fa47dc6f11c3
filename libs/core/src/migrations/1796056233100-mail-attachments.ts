import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Mail can carry attachments, named by what renders them at delivery (an invoice PDF). */
export class MailAttachments1796056233100 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbound_mail" ADD "attachments" jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbound_mail" DROP COLUMN "attachments"`);
  }
}

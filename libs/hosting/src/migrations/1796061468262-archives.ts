import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Archives of deleted mailboxes and databases, and the restore link on the resources made again from one. */
export class Archives1796061468262 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "archives" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "server_id" uuid NOT NULL, "service" text NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "resource_id" uuid NOT NULL, "path" text NOT NULL, "size_bytes" bigint NOT NULL DEFAULT '0', "details_sealed" text NOT NULL, "status" text NOT NULL DEFAULT 'ready', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "restored_as" uuid, CONSTRAINT "archives_size_check" CHECK ("size_bytes" >= 0), CONSTRAINT "archives_status_check" CHECK ("status" IN ('ready', 'restoring', 'restored', 'purged')), CONSTRAINT "archives_kind_check" CHECK ("kind" IN ('mailbox', 'database')), CONSTRAINT "PK_c3ec7997b37170870ed028fe0e3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "archives_expires_idx" ON "archives"  ("status", "expires_at") `);
    await queryRunner.query(`CREATE INDEX "archives_organization_idx" ON "archives"  ("organization_id", "id") `);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "restore_archive_id" uuid`);
    await queryRunner.query(`ALTER TABLE "databases" ADD "restore_archive_id" uuid`);
    await queryRunner.query(`ALTER TABLE "archives" ADD CONSTRAINT "archives_organization_fk" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "archives" ADD CONSTRAINT "archives_server_fk" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "archives" DROP CONSTRAINT "archives_server_fk"`);
    await queryRunner.query(`ALTER TABLE "archives" DROP CONSTRAINT "archives_organization_fk"`);
    await queryRunner.query(`ALTER TABLE "databases" DROP COLUMN "restore_archive_id"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "restore_archive_id"`);
    await queryRunner.query(`DROP INDEX "public"."archives_organization_idx"`);
    await queryRunner.query(`DROP INDEX "public"."archives_expires_idx"`);
    await queryRunner.query(`DROP TABLE "archives"`);
  }
}

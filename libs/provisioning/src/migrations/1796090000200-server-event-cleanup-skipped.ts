import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A server event for a clean-up of old releases' shared subfolders that could not be done. */
export class ServerEventCleanupSkipped1796090000200 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "server_events" DROP CONSTRAINT "server_events_kind_check"`);
    await queryRunner.query(`ALTER TABLE "server_events" ADD CONSTRAINT "server_events_kind_check" CHECK ("kind" IN ('unreachable', 'release_refused', 'command_failed', 'cleanup_skipped'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "server_events" WHERE "kind" = 'cleanup_skipped'`);
    await queryRunner.query(`ALTER TABLE "server_events" DROP CONSTRAINT "server_events_kind_check"`);
    await queryRunner.query(`ALTER TABLE "server_events" ADD CONSTRAINT "server_events_kind_check" CHECK ("kind" IN ('unreachable', 'release_refused', 'command_failed'))`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ServerEvents1796057040502 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "server_events" ("id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "server_id" uuid NOT NULL, "service" text NOT NULL, "kind" text NOT NULL, "message" text NOT NULL, "run_id" uuid, CONSTRAINT "server_events_kind_check" CHECK ("kind" IN ('unreachable', 'release_refused', 'command_failed')), CONSTRAINT "PK_6584ac6021ec232942b3ec5a0e7" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "server_events_kind_idx" ON "server_events"  ("kind", "id") `);
    await queryRunner.query(`CREATE INDEX "server_events_server_idx" ON "server_events"  ("server_id", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."server_events_server_idx"`);
    await queryRunner.query(`DROP INDEX "public"."server_events_kind_idx"`);
    await queryRunner.query(`DROP TABLE "server_events"`);
  }
}

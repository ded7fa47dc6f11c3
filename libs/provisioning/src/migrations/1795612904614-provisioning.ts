import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Provisioning1795612904614 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "reconcile_runs" ("id" uuid NOT NULL, "server_id" uuid NOT NULL, "service" text NOT NULL, "job_id" text, "trigger" text NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "duration_ms" integer, "files_changed" integer NOT NULL DEFAULT '0', "resources_applied" integer NOT NULL DEFAULT '0', "resources_failed" integer NOT NULL DEFAULT '0', "drift" boolean NOT NULL DEFAULT false, "reloads" integer NOT NULL DEFAULT '0', "error" text, CONSTRAINT "reconcile_runs_status_check" CHECK ("status" IN ('running', 'succeeded', 'failed', 'skipped')), CONSTRAINT "PK_e502702f94ebb668ee784676169" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "reconcile_runs_status_idx" ON "reconcile_runs"  ("status", "id") `);
    await queryRunner.query(`CREATE INDEX "reconcile_runs_server_idx" ON "reconcile_runs"  ("server_id", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."reconcile_runs_server_idx"`);
    await queryRunner.query(`DROP INDEX "public"."reconcile_runs_status_idx"`);
    await queryRunner.query(`DROP TABLE "reconcile_runs"`);
  }
}

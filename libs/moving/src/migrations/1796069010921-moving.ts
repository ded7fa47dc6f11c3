import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Imports from other panels (AlternC): each run, and what became of each item per source server. */
export class Moving1796069010921 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "moving_imports" ("id" uuid NOT NULL, "source_server_id" uuid NOT NULL, "database_url_sealed" text NOT NULL, "peer_host" text NOT NULL, "peer_port" integer NOT NULL, "accounts" text array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'queued', "step" text NOT NULL DEFAULT 'resources', "items_total" integer NOT NULL DEFAULT '0', "items_done" integer NOT NULL DEFAULT '0', "items_failed" integer NOT NULL DEFAULT '0', "last_error" text, "requested_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "moving_imports_counts_check" CHECK ("items_total" >= 0 AND "items_done" >= 0 AND "items_failed" >= 0), CONSTRAINT "moving_imports_step_check" CHECK ("step" IN ('resources', 'waiting', 'copying', 'finished')), CONSTRAINT "moving_imports_status_check" CHECK ("status" IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "PK_62fe6f7603044a0f2d88c510b43" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "moving_imports_created_idx" ON "moving_imports"  ("created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "moving_import_items" ("id" uuid NOT NULL, "source_server_id" uuid NOT NULL, "key" text NOT NULL, "kind" text NOT NULL, "account" text NOT NULL, "import_id" uuid NOT NULL, "status" text NOT NULL, "target_id" uuid, "reason" text, "carried_by" uuid, "note" text, "copied_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "moving_import_items_status_check" CHECK ("status" IN ('done', 'failed', 'skipped')), CONSTRAINT "PK_bac0365f6e07891feea0893ea1f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "moving_import_items_import_idx" ON "moving_import_items"  ("import_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "moving_import_items_source_key" ON "moving_import_items"  ("source_server_id", "key") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."moving_import_items_source_key"`);
    await queryRunner.query(`DROP INDEX "public"."moving_import_items_import_idx"`);
    await queryRunner.query(`DROP TABLE "moving_import_items"`);
    await queryRunner.query(`DROP INDEX "public"."moving_imports_created_idx"`);
    await queryRunner.query(`DROP TABLE "moving_imports"`);
  }
}

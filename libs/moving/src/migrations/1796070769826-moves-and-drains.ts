import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Moves of an organisation’s resources between servers, and drains (a move per organisation and service). */
export class MovesAndDrains1796070769826 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "moving_moves" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "service" text NOT NULL, "to_server_id" uuid NOT NULL, "from_server_ids" uuid array NOT NULL DEFAULT '{}', "peer_host" text, "peer_port" integer NOT NULL DEFAULT '22', "drain_id" uuid, "status" text NOT NULL DEFAULT 'queued', "step" text NOT NULL DEFAULT 'copying', "resources" integer NOT NULL DEFAULT '0', "switched_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "requested_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "moving_moves_step_check" CHECK ("step" IN ('copying', 'switching', 'waiting', 'final_copy', 'archiving', 'finished')), CONSTRAINT "moving_moves_status_check" CHECK ("status" IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "PK_1b0dbcfb2570634c4cfa89bb13e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "moving_moves_drain_idx" ON "moving_moves"  ("drain_id") `);
    await queryRunner.query(`CREATE TABLE "moving_drains" ("id" uuid NOT NULL, "server_id" uuid NOT NULL, "not_moved" jsonb NOT NULL DEFAULT '[]', "requested_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6c8a55c9e469404b9a0749bca23" PRIMARY KEY ("id"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "moving_drains"`);
    await queryRunner.query(`DROP INDEX "public"."moving_moves_drain_idx"`);
    await queryRunner.query(`DROP TABLE "moving_moves"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class QueueWorkers1795612933158 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "queue_workers" ("id" text NOT NULL, "queue_worker_ids" text array NOT NULL DEFAULT '{}', "pid" integer NOT NULL, "hostname" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_63dca9895eea00e65b11cbe2999" PRIMARY KEY ("id"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "queue_workers"`);
  }
}

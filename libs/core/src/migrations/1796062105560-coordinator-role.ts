import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The coordinator staff role (timekeeping: approves time). TypeORM does not see a changed CHECK expression, so written by hand. */
export class CoordinatorRole1796062105560 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_staff_roles_check"`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "users_staff_roles_check" CHECK ("staff_roles" <@ ARRAY['sysadmin', 'accountant', 'worker', 'coordinator']::text[])`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_staff_roles_check"`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "users_staff_roles_check" CHECK ("staff_roles" <@ ARRAY['sysadmin', 'accountant', 'worker']::text[])`);
  }
}

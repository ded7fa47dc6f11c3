import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations become offers to an address (an account is made only by the holder of the
 * mailbox); password resets by e-mail; one throttling table for wrong passwords and reset
 * requests. Existing invitations were "choose your password" links of accounts already
 * attached: they carry over as account invitations, answered if they were used.
 */
export class InvitationsAndResets1796054877958 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_user_fk"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_user_idx"`);
    await queryRunner.query(`CREATE TABLE "password_resets" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "ip" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4816377aa98211c1de34469e742" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "password_resets_user_idx" ON "password_resets"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "password_resets_token_hash_key" ON "password_resets"  ("token_hash") `);
    await queryRunner.query(`CREATE TABLE "auth_throttle_events" ("id" BIGSERIAL NOT NULL, "kind" text NOT NULL, "email" text NOT NULL, "ip" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "auth_throttle_events_kind_check" CHECK ("kind" IN ('password_failure', 'reset_request')), CONSTRAINT "PK_213b7854f4451141ab4a2106ec4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "auth_throttle_events_ip_at_idx" ON "auth_throttle_events"  ("kind", "ip", "at") `);
    await queryRunner.query(`CREATE INDEX "auth_throttle_events_email_at_idx" ON "auth_throttle_events"  ("kind", "email", "at") `);
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "email" text`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "role" text`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "token_sealed" text`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "status" text NOT NULL DEFAULT 'pending'`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "answered_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `UPDATE "invitations" i SET "email" = u."email", "organization_id" = NULL,
              "status" = CASE WHEN i."used_at" IS NULL THEN 'pending' ELSE 'accepted' END, "answered_at" = i."used_at"
         FROM "users" u WHERE u."id" = i."user_id"`,
    );
    await queryRunner.query(`ALTER TABLE "invitations" ALTER COLUMN "email" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "used_at"`);
    await queryRunner.query(`ALTER TABLE "invitations" ALTER COLUMN "user_id" DROP NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "invitations_pending_key" ON "invitations"  ("organization_id", "email") WHERE "status" = 'pending' AND "organization_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "invitations_organization_idx" ON "invitations"  ("organization_id") `);
    await queryRunner.query(`CREATE INDEX "invitations_email_idx" ON "invitations"  ("email") `);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_answered_check" CHECK (("status" = 'pending') = ("answered_at" IS NULL))`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_role_check" CHECK (("organization_id" IS NULL AND "role" IS NULL) OR ("organization_id" IS NOT NULL AND "role" IN ('owner', 'member')))`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_status_check" CHECK ("status" IN ('pending', 'accepted', 'declined', 'revoked'))`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_email_lowercase_check" CHECK ("email" = lower("email"))`);
    await queryRunner.query(`ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_organization_fk" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_user_fk"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_organization_fk"`);
    await queryRunner.query(`ALTER TABLE "password_resets" DROP CONSTRAINT "password_resets_user_fk"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_email_lowercase_check"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_status_check"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_role_check"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_answered_check"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_email_idx"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_organization_idx"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_pending_key"`);
    await queryRunner.query(`ALTER TABLE "invitations" ALTER COLUMN "user_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "answered_at"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "status"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "token_sealed"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "role"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "email"`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "used_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`DELETE FROM "invitations" WHERE "user_id" IS NULL`);
    await queryRunner.query(`DROP INDEX "public"."auth_throttle_events_email_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."auth_throttle_events_ip_at_idx"`);
    await queryRunner.query(`DROP TABLE "auth_throttle_events"`);
    await queryRunner.query(`DROP INDEX "public"."password_resets_token_hash_key"`);
    await queryRunner.query(`DROP INDEX "public"."password_resets_user_idx"`);
    await queryRunner.query(`DROP TABLE "password_resets"`);
    await queryRunner.query(`CREATE TABLE "login_failures" ("id" BIGSERIAL NOT NULL, "email" text NOT NULL, "ip" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8211e8ec810fd7f976b98ce97a0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "login_failures_ip_at_idx" ON "login_failures"  ("ip", "at") `);
    await queryRunner.query(`CREATE INDEX "login_failures_email_at_idx" ON "login_failures"  ("email", "at") `);
    await queryRunner.query(`CREATE INDEX "invitations_user_idx" ON "invitations" USING btree ("user_id") `);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "invitations_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }
}

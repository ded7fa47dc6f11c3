import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each domain's DKIM key pair (the private key sealed); a mailbox's forwards. */
export class MailDkim1796062449643 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "dkim_keys" ("id" uuid NOT NULL, "domain_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "selector" text NOT NULL, "private_key_sealed" text NOT NULL, "public_key" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "dkim_keys_selector_check" CHECK ("selector" ~ '^[a-z0-9][a-z0-9-]{0,62}$'), CONSTRAINT "PK_0afa3f58102952d90c014876d23" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "dkim_keys_domain_key" ON "dkim_keys"  ("domain_id") `);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "forwards" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_forwards_check" CHECK (cardinality("forwards") <= 50)`);
    await queryRunner.query(`ALTER TABLE "dkim_keys" ADD CONSTRAINT "dkim_keys_domain_fk" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "dkim_keys" ADD CONSTRAINT "dkim_keys_organization_fk" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dkim_keys" DROP CONSTRAINT "dkim_keys_organization_fk"`);
    await queryRunner.query(`ALTER TABLE "dkim_keys" DROP CONSTRAINT "dkim_keys_domain_fk"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP CONSTRAINT "mailboxes_forwards_check"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "forwards"`);
    await queryRunner.query(`DROP INDEX "public"."dkim_keys_domain_key"`);
    await queryRunner.query(`DROP TABLE "dkim_keys"`);
  }
}

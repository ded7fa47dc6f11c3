import { SecretBox } from '@ruche/core';
import type { TestApi } from './test-api.js';

export interface SentMail {
  subject: string;
  text: string;
  createdAt: Date;
}

/** The mail Ruche queued for `recipient`, newest first, bodies opened with the instance key (what the person would read). */
export async function mailsTo(api: TestApi, recipient: string): Promise<SentMail[]> {
  const rows: Array<{ subject: string; body_encrypted: string; created_at: Date }> = await api.db.query(
    `SELECT subject, body_encrypted, created_at FROM outbound_mail WHERE recipient = $1 ORDER BY created_at DESC, id DESC`,
    [recipient.toLowerCase()],
  );
  const box = api.app.get(SecretBox);
  return rows.map((row) => ({ subject: row.subject, text: box.open(row.body_encrypted), createdAt: row.created_at }));
}

/** The token of the newest link to `page` (`/invitation`, `/reset-password`) mailed to `recipient`. */
export async function mailedToken(api: TestApi, recipient: string, page: string): Promise<string> {
  for (const mail of await mailsTo(api, recipient)) {
    const match = new RegExp(`${page.replace(/[/]/g, '\\/')}#([A-Za-z0-9_-]{20,})`).exec(mail.text);
    if (match) return match[1]!;
  }
  throw new Error(`no mail to ${recipient} holds a ${page} link`);
}

import { Init1795609828414 } from './1795609828414-init.js';
import { AuditAppendOnly1795609828500 } from './1795609828500-audit-append-only.js';
import { QueueWorkers1795612933158 } from './1795612933158-queue-workers.js';
import { SealIdempotentAnswers1795614000000 } from './1795614000000-seal-idempotent-answers.js';
import { InvitationsAndResets1796054877958 } from './1796054877958-invitations-and-resets.js';
import { MailAttachments1796056233100 } from './1796056233100-mail-attachments.js';
import { CoordinatorRole1796062105560 } from './1796062105560-coordinator-role.js';

export const coreMigrations: Function[] = [Init1795609828414, AuditAppendOnly1795609828500, QueueWorkers1795612933158, SealIdempotentAnswers1795614000000, InvitationsAndResets1796054877958, MailAttachments1796056233100, CoordinatorRole1796062105560];

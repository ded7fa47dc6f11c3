import { User } from './users/user.entity.js';
import { Invitation } from './users/invitation.entity.js';
import { Organization } from './organizations/organization.entity.js';
import { Membership } from './organizations/membership.entity.js';
import { Session } from './auth/session.entity.js';
import { ApiToken } from './auth/api-token.entity.js';
import { ThrottleEvent } from './auth/throttle-event.entity.js';
import { PasswordReset } from './auth/password-reset.entity.js';
import { AuditEvent } from './audit/audit-event.entity.js';
import { IdempotencyKey } from './http/idempotency-key.entity.js';
import { OutboundMail } from './mail/outbound-mail.entity.js';
import { QueueWorkerHeartbeat } from './queue/queue-worker-heartbeat.entity.js';

export const coreEntities: Function[] = [
  User,
  Invitation,
  Organization,
  Membership,
  Session,
  ApiToken,
  ThrottleEvent,
  PasswordReset,
  AuditEvent,
  IdempotencyKey,
  OutboundMail,
  QueueWorkerHeartbeat,
];

/** Core messages, Canadian English. Every key here exists in fr-CA.ts too (a unit test checks). */
export const enCA = {
  errors: {
    invalid_request: 'The request could not be read ({{reason}}).',
    validation_failed: 'Some fields are invalid; see details.',
    unauthenticated: 'Sign in or send a valid API token.',
    invalid_credentials: 'Wrong e-mail address or password.',
    two_factor_required: 'Enter the code from your authenticator app (or a recovery code).',
    invalid_two_factor_code: 'That two-factor code is not valid.',
    two_factor_enrollment_required: 'Staff accounts must turn on two-factor authentication before doing anything else.',
    two_factor_already_enabled: 'Two-factor authentication is already on for this account.',
    two_factor_not_started: 'Start two-factor enrolment first.',
    two_factor_not_enabled: 'Two-factor authentication is not on for this account.',
    forbidden: 'You are not allowed to do this.',
    missing_scope: 'This credential lacks the "{{scope}}" permission.',
    session_required: 'This action needs a signed-in session, not an API token.',
    token_required: 'Only an API token can revoke itself this way; sign out of a session instead.',
    csrf_token_invalid: 'Missing or wrong X-CSRF-Token header.',
    not_found: 'No such resource.',
    too_many_requests: 'Too many attempts. Try again in {{seconds}} seconds.',
    payload_too_large: 'The request body is larger than {{limit}} bytes.',
    unsupported_media_type: 'Send the request body as application/json.',
    internal_error: 'Something went wrong on our side. Quote the request id if you contact us.',
    service_unavailable: 'The service is not ready: {{reason}}.',
    idempotency_key_reused: 'This Idempotency-Key was already used with a different request.',
    email_taken: 'An account with this e-mail address already exists.',
    invitation_invalid: 'This invitation is unknown, used or expired.',
    password_incorrect: 'The current password is wrong.',
    membership_exists: 'This person is already a member of the organisation.',
    last_owner: 'An organisation keeps at least one owner.',
    scope_not_allowed: 'You cannot grant the "{{scope}}" permission.',
    organization_required: 'Client tokens must be limited to one of your organisations.',
    sign_in_to_accept: 'This address already has an account: sign in, then accept the invitation.',
    password_reset_invalid: 'This password reset link is unknown, used or expired. Ask for a new one.',
    origin_not_allowed: 'This request comes from a page of another site ({{origin}}) and was refused.',
  },
  validation: {
    weak_password: 'Use at least 12 characters.',
    invalid_cursor: 'This cursor is not valid for this list.',
    invalid_id: 'Not a valid id.',
    in_past: 'Must be in the future.',
    unknown_field: 'Unknown field.',
    invalid_character: 'Contains a character that is not allowed here (a control character or NUL).',
  },
  mail: {
    invitation: {
      account: {
        subject: 'Your Ruche account at {{coop}}',
        body: 'Hello,\n\nAn account was opened for you on Ruche, the co-op\'s hosting panel. Choose your password here:\n{{link}}\n\nThis link works once and expires on {{expires}}.\n',
      },
      organization: {
        subject: 'Invitation to join {{organization}} on Ruche',
        body: 'Hello,\n\nYou are invited to join {{organization}} on Ruche, the co-op\'s hosting panel. To accept or decline, open this link:\n{{link}}\n\nIf you already have an account, sign in first. The link works once and expires on {{expires}}. If you did not expect this message, ignore it: nothing happens unless you accept.\n',
      },
    },
    password_reset: {
      subject: 'Choose a new Ruche password',
      body: 'Hello,\n\nSomeone (from the address {{ip}}) asked to reset the password of your Ruche account. To choose a new one, open this link within {{minutes}} minutes:\n{{link}}\n\nThe link works once. A new password signs out every session and, unless you choose otherwise, revokes the account\'s API tokens. If you did not ask, ignore this message: your password stays as it is.\n',
    },
  },
};

export type Catalogue = typeof enCA;

/**
 * Exit codes scripts can trust (documented in the README and in `ruche --help`).
 * Anything the API or an operation refused is 1; what the caller typed wrong never reached it.
 */
export const EXIT = {
  ok: 0,
  /** The API refused (4xx other than below, 5xx), or an operation failed (a job, a resource). */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** Not signed in, or the token is unknown, revoked or expired. */
  unauthenticated: 3,
  /** Signed in, but the token lacks a permission this needs. */
  forbidden: 4,
  /** The API could not be reached. */
  unreachable: 5,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the command line reports as one line (already in the user's language) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** A stable, untranslated word for scripts (`ruche: <code>: <message>`). */
    readonly code: string,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage, 'usage');
  }
}

/** What the API answered: `{ error: { code, message, details?, requestId } }`, the message in the caller's language. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: ReadonlyArray<{ field?: string; code?: string; message?: string }> = [],
    readonly requestId: string | null = null,
  ) {
    super(message, status === 401 ? EXIT.unauthenticated : status === 403 ? EXIT.forbidden : EXIT.failed, code);
  }
}

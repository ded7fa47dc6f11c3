import type { Context } from '../cli.js';
import { CliError, EXIT } from '../errors.js';
import type { MessageKey } from '../i18n/messages.en.js';

/**
 * Operations whose API is not there yet (`import alternc --final`): the command exists with its arguments (checked),
 * and say so with exit 6, so scripts and sysadmins learn the shape now. Wiring one means
 * replacing its `notAvailableYet` call with the API call (see `servers resync --watch` for
 * following the work, and `createProgress` for a bar with counts and rates).
 */
const OPERATIONS = {
  'import-alternc': 'op.importAlternc',
} as const satisfies Record<string, MessageKey>;

export async function notAvailableYet(context: Context, operation: keyof typeof OPERATIONS): Promise<never> {
  const { url } = await context.target();
  throw new CliError(context.t('error.notAvailable', { operation: context.t(OPERATIONS[operation]), url }), EXIT.unavailable, 'not_available');
}

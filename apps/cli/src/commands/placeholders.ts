import type { Command } from 'commander';
import type { App, Context } from '../cli.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { MessageKey } from '../i18n/messages.en.js';
import { SERVICES, type Service } from './common.js';

/**
 * Operations whose API is not there yet (and `import alternc --final`): the commands exist with their arguments (checked),
 * and say so with exit 6, so scripts and sysadmins learn the shape now. Wiring one means
 * replacing its `notAvailableYet` call with the API call (see `servers resync --watch` for
 * following the work, and `createProgress` for a bar with counts and rates).
 */
const OPERATIONS = {
  'import-alternc': 'op.importAlternc',
  move: 'op.move',
  drain: 'op.drain',
} as const satisfies Record<string, MessageKey>;

export async function notAvailableYet(context: Context, operation: keyof typeof OPERATIONS): Promise<never> {
  const { url } = await context.target();
  throw new CliError(context.t('error.notAvailable', { operation: context.t(OPERATIONS[operation]), url }), EXIT.unavailable, 'not_available');
}

export function registerPlaceholders(program: Command, app: App): void {
  const { t } = app;
  program
    .command('move')
    .description(t('cmd.move'))
    .argument('<organization>', t('arg.organization'))
    .argument('<service>', t('arg.service', { services: SERVICES.join(', ') }))
    .requiredOption('--to <server>', t('opt.move.to'))
    .option('--dry-run', t('opt.dryRun'))
    .action(
      app.action(async (context, _organization: string, service: string) => {
        if (!(SERVICES as readonly string[]).includes(service)) throw new UsageError(t('usage.invalidChoice', { name: '<service>', value: service, choices: SERVICES.join(', ') }));
        void (service as Service);
        await notAvailableYet(context, 'move');
      }),
    );
}

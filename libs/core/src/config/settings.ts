import type { z, ZodObject, ZodRawShape } from 'zod';
import type { Config } from './config.js';

/** What a feature's settings may be computed from besides their own variables. */
export interface SettingsContext {
  core: Omit<Config, 'features'>;
  /** Relative paths in variables are relative to this folder. */
  cwd: string;
}

/**
 * The settings a feature declares for itself (SSH for provisioning, name servers for hosting):
 * environment variables, their schema and what the feature gets from them. Checked at start
 * with core's own, a bad value stopping start-up with a message naming the variable.
 */
export interface FeatureSettings<Settings = unknown, Shape extends ZodRawShape = ZodRawShape> {
  /** The feature's name: where its settings live in `Config.features`. */
  readonly name: string;
  /** What providers inject to get them. */
  readonly token: symbol;
  readonly shape: Shape;
  /** From the checked variables (and core's config: the data folder, say) to the feature's settings. */
  map(values: z.output<ZodObject<Shape>>, context: SettingsContext): Settings;
  /** This feature's settings in a loaded configuration (for cron schedules and tools). */
  of(config: Config): Settings;
}

export function defineSettings<Shape extends ZodRawShape, Settings>(
  name: string,
  shape: Shape,
  map: (values: z.output<ZodObject<Shape>>, context: SettingsContext) => Settings,
): FeatureSettings<Settings, Shape> {
  return {
    name,
    token: Symbol(`ruche.settings.${name}`),
    shape,
    map,
    of(config: Config): Settings {
      if (!(name in config.features)) throw new Error(`The ${name} settings were not loaded (pass them to loadConfig)`);
      return config.features[name] as Settings;
    },
  };
}

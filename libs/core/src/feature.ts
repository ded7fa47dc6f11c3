import type { Type } from '@nestjs/common';
import type { FeatureSettings } from './config/settings.js';

/** What a feature lib hands to the apps that assemble it: its module, entities and migrations. */
export interface RucheFeature {
  name: string;
  module: Type;
  entities: Function[];
  migrations: Function[];
  /** The environment variables the feature declares, checked at start with core's. */
  settings?: FeatureSettings;
}

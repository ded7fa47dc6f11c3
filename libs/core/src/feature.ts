import type { Type } from '@nestjs/common';

/** What a feature lib hands to the apps that assemble it: its module, entities and migrations. */
export interface RucheFeature {
  name: string;
  module: Type;
  entities: Function[];
  migrations: Function[];
}

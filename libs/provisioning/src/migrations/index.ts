import { Provisioning1795612904614 } from './1795612904614-provisioning.js';

export const provisioningMigrations: Function[] = [Provisioning1795612904614];

import { Hosting1795611008591 } from './1795611008591-hosting.js';
import { DefaultPlan1795611008600 } from './1795611008600-default-plan.js';
import { ReverseNameIndexes1795612000000 } from './1795612000000-reverse-name-indexes.js';
import { Archives1796061468262 } from './1796061468262-archives.js';
import { MailDkim1796062449643 } from './1796062449643-mail-dkim.js';
import { ResourceFillfactor1796090000100 } from './1796090000100-resource-fillfactor.js';

export const hostingMigrations: Function[] = [Hosting1795611008591, DefaultPlan1795611008600, ReverseNameIndexes1795612000000, Archives1796061468262, MailDkim1796062449643, ResourceFillfactor1796090000100];

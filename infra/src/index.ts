export { EmbeddedPostgres, embeddedPostgresUrl, removeRelocatedCluster, type EmbeddedPostgresOptions } from './embedded-postgres.js';

export { defaultDockerAddress, dockerClient } from './docker-client.js';
export { ensureFleetReady, type EnsureFleetReadyOptions, type FleetReady } from './fleet-ready.js';
export { createTestNetwork, removeTestNetwork, type TestNetwork } from './test-network.js';
export {
  startServer,
  type ExecOptions,
  type ExecResult,
  type PublishedPorts,
  type ServerService,
  type StartServerOptions,
  type TestServer,
} from './test-server.js';
export { removeAllTestContainers, removeOrphanedTestContainers, testLabel, type RemovedTestResources } from './test-resources.js';
export { httpGet, httpsGet, mariadbHandshake, postgresAnswers, readBanner, type HttpAnswer } from './loopback-probes.js';
export { queryDns, type DnsQueryOptions, type DnsRecord, type DnsRecordType, type DnsResponse } from './dns-query.js';
export { fleetScriptsDir, privateDockerSocket, repositoryRoot } from './paths.js';

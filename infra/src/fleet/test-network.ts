import { randomBytes } from 'node:crypto';
import { dockerClient } from './docker-client.js';
import { ignoreStatus, testResourceLabels } from './test-resources.js';

export interface TestNetwork {
  id: string;
  name: string;
  remove(): Promise<void>;
}

const networkName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * A user-defined bridge network, so test servers started on it reach each other by container
 * name or address. Only containers talk over it: the machine reaches servers through their
 * ports published on 127.0.0.1, never through the network's own (172.x) addresses.
 */
export async function createTestNetwork(name = `ruche-test-${randomBytes(4).toString('hex')}`): Promise<TestNetwork> {
  if (!networkName.test(name)) throw new Error(`Invalid network name ${JSON.stringify(name)}`);
  const docker = dockerClient();
  const network = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: testResourceLabels(),
  });
  return { id: network.id, name, remove: () => removeTestNetwork(name) };
}

/** Removes a test network (its containers must be removed first); a missing one is fine. */
export async function removeTestNetwork(name: string): Promise<void> {
  await dockerClient().getNetwork(name).remove().catch(ignoreStatus(404));
}

import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { dockerClient } from './docker-client.js';

/** Every container and network the fleet creates carries this label, so cleanup finds them. */
export const testLabel = 'ruche.test';
const ownerPidLabel = 'ruche.test.owner-pid';
const ownerBootLabel = 'ruche.test.owner-boot';

const bootId = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
})();

/** Labels for a resource owned by this process (a vitest worker, for a test file). */
export function testResourceLabels(): Record<string, string> {
  return { [testLabel]: '1', [ownerPidLabel]: String(process.pid), [ownerBootLabel]: bootId };
}

function ownerIsGone(labels: Record<string, string> | undefined): boolean {
  const pid = Number(labels?.[ownerPidLabel]);
  if (labels?.[ownerBootLabel] !== bootId || !Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface RemovedTestResources {
  containers: string[];
  networks: string[];
}

/**
 * Removes every labelled test container and network, whoever created them: for a CI teardown or
 * by hand after a crashed run. Not from inside a test file while other files may be running:
 * use removeOrphanedTestContainers() there.
 */
export function removeAllTestContainers(docker: Docker = dockerClient()): Promise<RemovedTestResources> {
  return removeTestResources(docker, () => true);
}

/** Removes the labelled containers and networks whose creating process has exited (crashed runs). */
export function removeOrphanedTestContainers(docker: Docker = dockerClient()): Promise<RemovedTestResources> {
  return removeTestResources(docker, ownerIsGone);
}

async function removeTestResources(
  docker: Docker,
  shouldRemove: (labels: Record<string, string> | undefined) => boolean,
): Promise<RemovedTestResources> {
  const filters = JSON.stringify({ label: [`${testLabel}=1`] });
  const removed: RemovedTestResources = { containers: [], networks: [] };
  for (const info of await docker.listContainers({ all: true, filters })) {
    if (!shouldRemove(info.Labels)) continue;
    await docker
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .catch(ignoreStatus(404, 409));
    removed.containers.push(info.Names[0]?.replace(/^\//, '') ?? info.Id);
  }
  for (const info of await docker.listNetworks({ filters })) {
    if (!shouldRemove(info.Labels)) continue;
    await docker.getNetwork(info.Id).remove().catch(ignoreStatus(404));
    removed.networks.push(info.Name);
  }
  return removed;
}

/** For Docker API calls whose failure with these statuses means "already done". */
export function ignoreStatus(...statuses: number[]): (error: unknown) => void {
  return (error) => {
    if (!statuses.includes((error as { statusCode?: number }).statusCode ?? 0)) throw error;
  };
}

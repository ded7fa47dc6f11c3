import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file sits in infra/src/fleet/ (infra/dist/fleet/ once built). */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** ensure-docker.sh, build-image.sh, stop-docker.sh and the image recipe. */
export const fleetScriptsDir = path.join(repositoryRoot, 'infra', 'fleet');

/** Where ensure-docker.sh starts the project's private Docker engine. */
export const privateDockerSocket = path.join(repositoryRoot, 'var', 'docker', 'docker.sock');

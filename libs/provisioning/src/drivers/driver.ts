import type { Config } from '@ruche/core';
import type { Phase, ResourceType, Server, Service } from '@ruche/hosting';
import type { ServerConnection } from '../transports/connection.js';

/** One resource as the reconciler sees it: enough to render it and to record the outcome. */
export interface DesiredResource {
  type: ResourceType;
  id: string;
  organizationId: string;
  generation: number;
  observedGeneration: number;
  phase: Phase;
  /** Failed attempts so far, for the backoff. */
  attempts: number;
  /** A short human name for logs and events (a domain, a site's first host name). */
  label: string;
}

/** A resource's files in a release, by path relative to the release root. */
export interface RenderedUnit {
  resource: DesiredResource;
  files: Map<string, string>;
  /** What the driver needs again at activation (a site's document root, a zone's name). */
  data?: unknown;
}

/** The whole desired configuration of one service on one server. */
export interface Rendered {
  units: RenderedUnit[];
  /**
   * Files that belong to no single resource (the zone list), for the units that end up in
   * the release: a resource refused by the checker may be left out of them.
   */
  shared: (included: readonly RenderedUnit[]) => Map<string, string>;
  /** Resources that could not even be rendered (a value the driver refuses), with why. */
  refused: Array<{ resource: DesiredResource; message: string }>;
}

export interface ActivationChange {
  /** Units whose files changed in this release. */
  changed: RenderedUnit[];
  /** Shared files changed (e.g. the zone list): a full reload is needed. */
  sharedChanged: boolean;
  /** Units removed from the tree (deleted resources). */
  removed: DesiredResource[];
}

export const MANAGED_HEADER = 'Managed by Ruche: edits made here are replaced at the next reconcile.';

/**
 * One per service. The reconciler owns the flow (diff, stage, validate, swap, record); a
 * driver knows its service: what to load, how to render, how to check and how to reload.
 * Adding a service means adding a driver, not touching the reconciler.
 */
export interface ServiceDriver {
  readonly service: Service;
  /** The kinds of resource this driver applies. */
  readonly resourceTypes: ResourceType[];
  /** The live tree on the server: a symlink to the current release. */
  readonly liveLink: string;
  /** Where releases are kept, next to it. */
  readonly releasesDir: string;

  /**
   * Every resource of this service placed on the server, deleting ones included, and a pure
   * function rendering the configuration of those that are not being deleted.
   */
  load(server: Server, config: Config): Promise<{ resources: DesiredResource[]; render: () => Rendered }>;

  /** Idempotent set-up the first reconcile needs (folders, the daemon's include line). */
  prepare(connection: ServerConnection): Promise<void>;

  /** Work to do before validation (certificates a config refers to must exist). */
  beforeValidate?(connection: ServerConnection, units: RenderedUnit[]): Promise<void>;

  /**
   * Runs the service's own checker against a staged release. Answers the failures it can
   * pin on resources (id → checker message), and `general` for one it cannot.
   */
  validate(connection: ServerConnection, release: string, rendered: { units: RenderedUnit[] }): Promise<{ byResource: Map<string, string>; general: string | null }>;

  /** After the swap: one reload of the daemon, and whatever the new config needs on disk. */
  activate(connection: ServerConnection, change: ActivationChange): Promise<void>;
}

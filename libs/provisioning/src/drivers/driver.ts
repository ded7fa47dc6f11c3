import type { Config } from '@ruche/core';
import type { Phase, ResourceType, Server, Service } from '@ruche/hosting';
import type { CommandResult, ServerConnection } from '../transports/connection.js';

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

/** The desired-state columns every driver selects (`STATE_COLUMNS`), as they come from SQL. */
export interface StateRow {
  id: string;
  organization_id: string;
  generation: number;
  observed_generation: number;
  attempts: number;
  phase: Phase;
}

/** Select list for a resource table aliased `r`, matching StateRow. */
export const STATE_COLUMNS = 'r.id, r.organization_id, r.generation, r.observed_generation, r.attempts, r.phase';

export function desiredResource(type: ResourceType, row: StateRow, label: string): DesiredResource {
  return {
    type,
    id: row.id,
    organizationId: row.organization_id,
    generation: row.generation,
    observedGeneration: row.observed_generation,
    phase: row.phase,
    attempts: row.attempts,
    label,
  };
}

/**
 * Tests (only) can alter what a driver renders through this token, to make the service's own
 * checker refuse one resource and check that the others still go live.
 */
export const RENDER_TEST_HOOK = Symbol('ruche.render-test-hook');
export type RenderTestHook = (resource: DesiredResource, text: string) => string;

/**
 * The render of a driver whose resources each have one file: every row not being deleted is
 * rendered (through the test hook, if any); a row whose values the driver refuses (an error
 * `refuses` recognises) is set aside with the message and where its file is, so that its last
 * good file stays; any other error is a bug and throws.
 */
export function renderEach<Row extends StateRow, Data>(
  rows: readonly Row[],
  resources: readonly DesiredResource[],
  options: {
    /** Where the row's file goes, and what activation needs of it: plain, never refused. */
    place: (row: Row) => { path: string; data: Data };
    /** The file's text; throws what `refuses` recognises for a value it will not write. */
    text: (row: Row, data: Data) => string;
    refuses: (error: unknown) => error is Error;
    shared?: Rendered['shared'];
    testHook?: RenderTestHook | undefined;
  },
): Rendered {
  const rendered: Rendered = { units: [], shared: options.shared ?? (() => new Map()), refused: [] };
  rows.forEach((row, index) => {
    if (row.phase === 'deleting') return;
    const resource = resources[index]!;
    const { path, data } = options.place(row);
    try {
      const text = options.text(row, data);
      rendered.units.push({ resource, files: new Map([[path, options.testHook ? options.testHook(resource, text) : text]]), data });
    } catch (error) {
      if (!options.refuses(error)) throw error;
      rendered.refused.push({ resource, message: error.message, unit: { resource, files: new Map([[path, '']]), data } });
    }
  });
  return rendered;
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
   * the release: `included` go live as rendered; `kept` were refused by the checker and keep
   * their last good files on the server (so not what was rendered for them now).
   */
  shared: (included: readonly RenderedUnit[], kept: readonly RenderedUnit[]) => Map<string, string>;
  /**
   * Resources that could not even be rendered (a value the driver refuses), with why, and
   * where their files are (their content unknown): the last good files there stay.
   */
  refused: Array<{ resource: DesiredResource; message: string; unit?: RenderedUnit }>;
}

export interface ActivationChange {
  /** Units whose files changed in this release (new ones included). */
  changed: RenderedUnit[];
  /** Among them, the units that had no file on the server before. */
  added: RenderedUnit[];
  /** Shared files changed (e.g. the zone list): a full reload is needed. */
  sharedChanged: boolean;
  /** Units removed from the tree (deleted resources). */
  removed: DesiredResource[];
  /** Reload everything and wait until it is served, whatever changed (a retry after a failed reload). */
  force: boolean;
}

/**
 * A command (argv) and what it reads on standard input: lists that grow with the server (a
 * thousand document roots) go there, never on a command line (an SSH request holds 256 kB).
 */
export interface Activation {
  argv: string[];
  input?: string;
}

export const MANAGED_HEADER = 'Managed by Ruche: edits made here are replaced at the next reconcile.';

/** How a driver checks a staged release with the service's own checker. */
export interface ReleaseCheck {
  /** Files the check needs, written into the release with it (removed again by `argv`). */
  files: Map<string, string>;
  /** The command, run on the server once the release is staged. */
  argv: string[];
}

/** A checker's message without the staged release's path: `…/ruche.releases/2026…/zones/x.zone` → `zones/x.zone`. */
export function withoutReleasePath(message: string, releasesDir: string): string {
  return message.replaceAll(new RegExp(`${releasesDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^/\\s']+/`, 'g'), '');
}

export interface CheckVerdict {
  /** Failures pinned on resources: resource id → the checker's message. */
  byResource: Map<string, string>;
  /** A failure no resource can be blamed for. */
  general: string | null;
}

/**
 * One per service. The reconciler owns the flow (diff, stage, check, swap, record) and the
 * round trips; a driver knows its service: what to load, how to render, which command checks a
 * release and how to read its verdict, which command activates one. Adding a service means
 * adding a driver, not touching the reconciler.
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

  /** Idempotent set-up (folders, the daemon's include file): once per connection, and at every resync. */
  prepare(connection: ServerConnection): Promise<void>;

  /** Work before the check, only when some changed unit needs it (certificates a config refers to). */
  beforeCheck?(connection: ServerConnection, changed: RenderedUnit[]): Promise<void>;

  /** The check of a staged release (null: nothing to check). */
  check(release: string, units: RenderedUnit[]): ReleaseCheck | null;

  /** Reads the checker's output. */
  verdict(result: CommandResult, units: RenderedUnit[]): CheckVerdict;

  /** The command that makes the daemon use the new live tree, once (run right after the swap). */
  activation(change: ActivationChange): Activation;

  /**
   * Observes what the service's resources use on the server (bytes on disk) and records it
   * for the usage meters, in one round trip. Returns how many resources were measured.
   */
  measure?(server: Server, connection: ServerConnection): Promise<number>;
}

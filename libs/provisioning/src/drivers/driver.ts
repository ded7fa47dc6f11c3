import type { Config } from '@ruche/core';
import type { ResourceState, ResourceType, Server, Service } from '@ruche/hosting';
import type { CommandResult, ServerConnection } from '../transports/connection.js';

/**
 * Tests (only) can alter what a driver renders through this token, to make the service's own
 * checker refuse one resource and check that the others still go live.
 */
export const RENDER_TEST_HOOK = Symbol('ruche.render-test-hook');
export type RenderTestHook = (resource: ResourceState, text: string) => string;

/**
 * The render of a driver whose resources each have one file: every item not being deleted is
 * rendered (through the test hook, if any); one whose values the driver refuses (an error
 * `refuses` recognises) is set aside with the message and where its file is, so that its last
 * good file stays; any other error is a bug and throws.
 */
export function renderEach<Item extends { state: ResourceState }, Data>(
  items: readonly Item[],
  options: {
    /** Where the item's file goes, and what activation needs of it: plain, never refused. */
    place: (item: Item) => { path: string; data: Data };
    /** The file's text; throws what `refuses` recognises for a value it will not write. */
    text: (item: Item, data: Data) => string;
    refuses: (error: unknown) => error is Error;
    shared?: Rendered['shared'];
    testHook?: RenderTestHook | undefined;
  },
): Rendered {
  const rendered: Rendered = { units: [], shared: options.shared ?? (() => new Map()), refused: [], deleted: [] };
  for (const item of items) {
    const resource = item.state;
    const { path, data } = options.place(item);
    if (resource.phase === 'deleting') {
      rendered.deleted!.push(path);
      continue;
    }
    try {
      const text = options.text(item, data);
      rendered.units.push({ resource, files: new Map([[path, options.testHook ? options.testHook(resource, text) : text]]), data });
    } catch (error) {
      if (!options.refuses(error)) throw error;
      rendered.refused.push({ resource, message: error.message, unit: { resource, files: new Map([[path, '']]), data } });
    }
  }
  return rendered;
}

/** Paths a release keeps (a Set, or a test over paths: 10,000 sites need no 10,000 strings). */
export interface PathSet {
  has(path: string): boolean;
}

/** A resource's files in a release, by path relative to the release root. */
export interface RenderedUnit {
  resource: ResourceState;
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
  shared: (included: readonly RenderedUnit[], kept: readonly RenderedUnit[], live: ReadonlyMap<string, string>) => Map<string, string>;
  /**
   * Resources that could not even be rendered (a value the driver refuses), with why, and
   * where their files are (their content unknown): the last good files there stay.
   */
  refused: Array<{ resource: ResourceState; message: string; unit?: RenderedUnit }>;
  /** The files of the resources being deleted: they go, whatever else says the server keeps them. */
  deleted?: string[];
}

export interface ActivationChange {
  /** Units whose files changed in this release (new ones included). */
  changed: RenderedUnit[];
  /** Among them, the units that had no file on the server before. */
  added: RenderedUnit[];
  /** Shared files changed (e.g. the zone list): a full reload is needed. */
  sharedChanged: boolean;
  /** Which shared files changed (a zone leaving the server without being deleted changes only the zone list). */
  sharedFilesChanged?: readonly string[];
  /** Units removed from the tree (deleted resources). */
  removed: ResourceState[];
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
 * Why a checked release must not go live as a whole, or null. A checker that failed without
 * blaming a resource refuses the release even when it said nothing (a checker killed by a
 * signal prints nothing): silence is never a pass.
 */
export function wholeReleaseRefusal(verdict: CheckVerdict, result: CommandResult, service: string): string | null {
  if (verdict.general) return verdict.general;
  if (result.exitCode !== 0 && verdict.byResource.size === 0) return `the ${service} check failed (exit status ${result.exitCode}) without saying why`;
  return null;
}

/** What every driver has, whatever its kind. */
interface DriverBase {
  readonly service: Service;
  /** The kinds of resource this driver applies. */
  readonly resourceTypes: ResourceType[];

  /** Idempotent set-up (folders, the daemon's include file): once per server while it stays reachable, and at every resync. */
  prepare(connection: ServerConnection): Promise<void>;

  /**
   * Observes what the service's resources use on the server (bytes on disk) and records it
   * for the usage meters, in one round trip. Returns how many resources were measured.
   */
  measure?(server: Server, connection: ServerConnection): Promise<number>;
}

/**
 * A daemon configured by files (nginx, Knot, Postfix and Dovecot maps): the reconciler renders
 * the whole configuration, stages it beside the live one, checks it with the daemon's own
 * checker, swaps it in and reloads once. The driver knows its service: what to load, how to
 * render, which command checks a release and how to read its verdict, which command activates.
 */
export interface FileDriver extends DriverBase {
  readonly kind: 'file';
  /** The live tree on the server: a symlink to the current release. */
  readonly liveLink: string;
  /** Where releases are kept, next to it. */
  readonly releasesDir: string;
  /**
   * Optional: a folder of the release (one path component) holding its files in subfolders, shared
   * between releases. A new release links the subfolders it does not change to the older release's
   * copy instead of copying every file (`<releasesDir>/.store/<release>/<subfolder>`): 10,000 zones
   * in 256 subfolders cost a change a few hundred links instead of 10,000. Subfolders no kept
   * release links to are removed with the releases.
   */
  readonly sharedFolder?: string;

  /**
   * Every resource of this service placed on the server, deleting ones included, and a pure
   * function rendering the configuration of those that are not being deleted.
   */
  load(server: Server, config: Config): Promise<{ resources: ResourceState[]; render: () => Rendered }>;

  /**
   * Optional: only the resources waiting to be applied (as `load` gives them), and how to read
   * the files of every unit the server keeps (read after them, when the plan needs them: a unit
   * served early does not wait for it). A change-triggered run that knows the live tree (its own
   * last run wrote it) then renders, stages, checks and records only what waits: the other
   * units' live files are what their unchanged desired state rendered to. Shared files (a zone
   * list) must still name every unit: the driver renders them from what it loaded and the live
   * tree. A resync always loads everything.
   */
  loadWaiting?(server: Server, config: Config): Promise<{ resources: ResourceState[]; render: () => Rendered; keptFiles: () => Promise<PathSet> }>;

  /**
   * Optional: false when a live tree was written by an earlier Ruche in another layout (its
   * files all change, and that is not a hand edit to report as drift).
   */
  isCurrentLayout?(live: ReadonlyMap<string, string>): boolean;

  /** Work before the check, only when some changed unit needs it (certificates a config refers to). */
  beforeCheck?(connection: ServerConnection, changed: RenderedUnit[]): Promise<void>;

  /** The check of a staged release (null: nothing to check). */
  check(release: string, units: RenderedUnit[]): ReleaseCheck | null;

  /** Reads the checker's output. */
  verdict(result: CommandResult, units: RenderedUnit[]): CheckVerdict;

  /**
   * Optional: a command that makes some new units answer at once, before their release is
   * staged and checked, without changing the daemon's configuration (a new site's names served
   * from its document root), or null. Run before the release is staged; the activation, or the
   * next `prepare` after a failed run, undoes it.
   */
  serveEarly?(added: RenderedUnit[]): Activation | null;

  /** The command that makes the daemon use the new live tree, once (run right after the swap). */
  activation(change: ActivationChange): Activation;
}

/** What a state driver does for one resource: its statements, in order, and what they are for. */
export interface StateChange<Step = unknown> {
  resource: ResourceState;
  steps: Step[];
  /** Changed by hand on the server while nobody asked for a change: these steps put it back. */
  drift?: string;
}

/**
 * The plan of a state driver: what to change, what already matches, what drifted. Made by a
 * pure function from the desired and the observed state (the driver's `plan`).
 */
export interface StatePlan<Step = unknown> {
  /** Resources whose statements must run (new, changed, drifted, or deleting). */
  changes: Array<StateChange<Step>>;
  /** Resources the engine already has as desired. */
  kept: ResourceState[];
}

/** What applying one resource's statements gave: done, or refused by the engine with its message. */
export type StateResult = { ok: true } | { ok: false; message: string };

/**
 * An engine configured by statements (MariaDB, PostgreSQL): the reconciler reads what the
 * engine has (its catalogue), lets the driver plan, and applies each resource's idempotent
 * statements on its own, so that one refused never stops the others.
 */
export interface StateDriver<Desired = unknown, Observed = unknown, Step = unknown> extends DriverBase {
  readonly kind: 'state';

  /** Every resource of this service placed on the server, deleting ones included, and what they should be. */
  load(server: Server, config: Config): Promise<{ resources: ResourceState[]; desired: Desired }>;

  /** What the engine has now (one round trip). */
  observe(connection: ServerConnection): Promise<Observed>;

  /** Pure: the statements that take the engine from `observed` to `desired`. */
  plan(desired: Desired, observed: Observed, resources: readonly ResourceState[]): StatePlan<Step>;

  /** Runs each change's statements, each resource on its own; a transport failure throws. */
  apply(connection: ServerConnection, changes: ReadonlyArray<StateChange<Step>>): Promise<Map<string, StateResult>>;
}

/** One per service, of either kind. Adding a service means adding a driver, not touching the reconciler. */
export type ServiceDriver = FileDriver | StateDriver;

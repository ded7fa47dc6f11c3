import { createHash, randomBytes } from 'node:crypto';
import { posix as path } from 'node:path';
import tar from 'tar-stream';
import type { Server } from '@ruche/hosting';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input (file contents, archives): never part of the command line. */
  input?: string | Buffer;
  timeoutMs?: number;
  /** Resolve with a non-zero exit code instead of throwing CommandFailed. */
  allowFailure?: boolean;
}

/** The server could not be reached or talked to: retry later, the resources are not at fault. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** Thrown when a server's host key is not the one pinned at registration: never connect anyway. */
export class HostKeyMismatch extends TransportError {
  override name = 'HostKeyMismatch';
}

/** A command ran and failed. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
  constructor(
    readonly argv: string[],
    readonly result: CommandResult,
  ) {
    super(`${argv[0]} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
  }
}

/** Files of a rendered tree, by path relative to the tree's root. */
export type FileTree = ReadonlyMap<string, string | Buffer>;

export interface StageOptions {
  source: string | null;
  release: string;
  files: FileTree;
  removed: readonly string[];
  check: string[] | null;
  /** The release's folder whose subfolders are shared between releases (FileDriver.sharedFolder). */
  shared?: string | null;
}

export interface ActivateOptions {
  link: string;
  release: string;
  activation: { argv: string[]; input?: string };
  releasesDir: string;
  keep: number;
}

export interface ActivateResult {
  /** Why old releases' shared subfolders were all kept (the release is live all the same), or null. */
  cleanupSkipped: string | null;
}

/** What the activation prints, before the reason, when it keeps every shared subfolder. */
const CLEANUP_SKIPPED = 'ruche-cleanup-skipped:';

/** Release folders are named `<UTC timestamp>-<8 hex>`; nothing else in a releases folder is touched. */
export const RELEASE_NAME = /^\d{14,20}-[0-9a-f]{8}$/;

/** Where a new release goes: `<releasesDir>/<UTC timestamp>-<8 random hex>`. */
export function newReleasePath(releasesDir: string): string {
  return `${releasesDir}/${new Date().toISOString().replace(/[-:.TZ]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** Where the list of files to delete travels inside a staging archive. */
const REMOVE_LIST = '.ruche-remove';

/** Staging failures exit 97, so they are never mistaken for the check's verdict. */
const STAGING_FAILED = 97;

/**
 * The layout of the releases this Ruche writes and reads, kept in `<releasesDir>/.ruche-layout`:
 * raised whenever a release's layout changes so that an older worker would misread it (1: every
 * file of a shared folder in the folder itself; 2: in shared subfolders). A worker never writes
 * where a newer layout is: it would take a newer release's files for its own (see claimLayout).
 */
export const RELEASE_LAYOUT = 2;

/** The file in a releases folder that names its layout. */
export const LAYOUT_FILE = '.ruche-layout';

/** What the scripts print, before the mark found, when a newer Ruche's layout is there (see NewerLayout). */
const NEWER_LAYOUT = 'ruche-newer-layout';

/**
 * `check_layout DIR`: reads the layout of the releases folder DIR with the shell's own read;
 * sets `layout` to what it says (0: no file) and `newer` to it when this worker must not write
 * there (newer than its own, or not a number).
 */
const CHECK_LAYOUT_FUNCTION = `check_layout() {
  layout=0; newer=
  if [ -f "$1/${LAYOUT_FILE}" ]; then
    IFS= read -r layout < "$1/${LAYOUT_FILE}" || :
    case $layout in ''|*[!0-9]*) newer="\${layout:-nothing}, not a number" ;; *) [ "$layout" -le ${RELEASE_LAYOUT} ] 2>/dev/null || newer=$layout ;; esac
  fi
}`;

/** What claimLayout runs: says a newer layout, else writes this worker's (atomically) unless it is there. */
const CLAIM_LAYOUT = `${CHECK_LAYOUT_FUNCTION}
check_layout "$1"
if [ -n "$newer" ]; then echo "${NEWER_LAYOUT} $newer" >&2; exit 1; fi
[ "$layout" = ${RELEASE_LAYOUT} ] && exit 0
mkdir -p -- "$1" && printf '%s\\n' ${RELEASE_LAYOUT} > "$1/${LAYOUT_FILE}.new" && mv -f -- "$1/${LAYOUT_FILE}.new" "$1/${LAYOUT_FILE}"`;

/** Where a release's own copies of shared subfolders live: `<releasesDir>/.store/<release>/<subfolder>`. */
const STORE = '.store';

/** A shared subfolder's name: one path component, nothing a shell would expand. */
const SHARED_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Where a file named for `name` goes in a shared folder: one of 256 subfolders, named by the
 * first two hex digits of the SHA-256 of `name` (`3f/example.org.zone`), so that a release
 * copies only the subfolder a change touches (see FileDriver.sharedFolder).
 */
export function subfolderPath(name: string, file: string): string {
  return `${subfolderOf(name)}/${file}`;
}

/** The subfolder alone (see subfolderPath). */
export function subfolderOf(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 2);
}

/**
 * The subfolders of `shared` that writing or removing these paths touches (see FileDriver.sharedFolder).
 */
export function sharedSubfolders(shared: string | null | undefined, paths: Iterable<string>): string[] {
  if (!shared) return [];
  if (!SHARED_NAME.test(shared)) throw new Error(`Refusing shared folder ${JSON.stringify(shared)}`);
  const touched = new Set<string>();
  for (const file of paths) {
    const parts = file.split('/');
    if (parts.length < 3 || parts[0] !== shared) continue;
    if (!SHARED_NAME.test(parts[1]!)) throw new Error(`Refusing shared subfolder ${JSON.stringify(parts[1])}`);
    touched.add(parts[1]!);
  }
  return [...touched].sort();
}

/**
 * `own RELEASE SHARED "SUBFOLDER..."`: makes the named subfolders of RELEASE's shared folder the
 * release's own before anything is written into them or removed from them. A subfolder linked
 * from an older release is copied (hard links: a file is replaced, never rewritten) into
 * `<releasesDir>/.store/<release>/` and linked from there; a plain folder (an earlier layout) is
 * moved there; a new one is made there. A constant number of processes, however many.
 */
const OWN_FUNCTION = `own() {
  r=\${1%/}; s=$2
  set -f; set -- $3; set +f
  [ -n "$s" ] && [ $# -gt 0 ] || return 0
  store=\${r%/*}/${STORE}/\${r##*/}
  mkdir -p -- "$store" "$r/$s" || return 1
  copy=; move=; new=; dangling=
  for b; do
    if [ -d "$store/$b" ]; then :
    elif [ -L "$r/$s/$b" ] && [ -d "$r/$s/$b" ]; then copy="$copy $b"
    elif [ -L "$r/$s/$b" ]; then dangling="$dangling $b"; new="$new $b"
    elif [ -d "$r/$s/$b" ]; then move="$move $b"
    else new="$new $b"; fi
  done
  set -f
  # (A link to a copy that is gone, whatever removed it: made again, from what is written now.)
  if [ -n "$dangling" ]; then (cd -- "$r/$s" && rm -f -- $dangling) || return 1; fi
  if [ -n "$copy" ]; then (cd -- "$r/$s" && cp -alH -t "$store" -- $copy && rm -f -- $copy) || return 1; fi
  if [ -n "$move" ]; then (cd -- "$r/$s" && mv -t "$store" -- $move) || return 1; fi
  if [ -n "$new" ]; then (cd -- "$store" && mkdir -- $new) || return 1; fi
  links=; for b in $copy $move $new; do links="$links ../../${STORE}/\${r##*/}/$b"; done
  if [ -n "$links" ]; then ln -s -t "$r/$s" -- $links || return 1; fi
  set +f
}`;

/**
 * `to_subfolders RELEASE SHARED SUFFIX LIST`: moves the files of an earlier layout, every one in
 * RELEASE's shared folder itself, into their subfolders. LIST is a file of `<subfolder> <name>`
 * lines, sorted; each `<name>SUFFIX` moves into its `<subfolder>`, made the release's own first
 * (a subfolder already linked is copied, never written through). A file already in its
 * subfolder is never replaced: the one left beside it is a stray the next run removes. One `mv`
 * per subfolder.
 */
const TO_SUBFOLDERS_FUNCTION = `to_subfolders() {
  own "$1" "$2" "$(awk '!seen[$1]++ { printf "%s ", $1 }' "$4")" || return 1
  (
    set -f
    cd -- "$1/$2" || exit 1
    current=; files=
    while read -r folder name; do
      if [ "$folder" != "$current" ]; then
        if [ -n "$files" ]; then mv -t "$current" -- $files || exit 1; fi
        current=$folder; files=
      fi
      if [ -e "$folder/$name$3" ] || [ -L "$folder/$name$3" ]; then continue; fi
      files="$files $name$3"
    done < "$4"
    if [ -n "$files" ]; then mv -t "$current" -- $files || exit 1; fi
  )
}`;

export interface LayoutMove {
  releasesDir: string;
  /** The live link: the tree moved is the one it points at. */
  live: string;
  /** The shared folder, and the names of the files directly in it that move (`<name><suffix>`). */
  shared: string;
  suffix: string;
  names: readonly string[];
  /**
   * Shell run in the moved release before it goes live (`$release`; `$release/.layout` lists
   * the moves as sorted "<subfolder> <name>" lines): rewrites what names the files' paths.
   */
  rewrite: string;
  /** Shell run just before the swap, and just after it (`$dir` is the releases folder). */
  beforeSwap?: string;
  afterSwap?: string;
}

/**
 * Moves a live tree an earlier layout wrote, every file of the shared folder in the folder
 * itself, to subfolders as it is (a unit kept at its last good version stays so), in a release
 * of its own: a hard-linked copy of the live tree, the files moved (see TO_SUBFOLDERS_FUNCTION),
 * `rewrite` run, then swapped in. Until the swap, a failure or a signal leaves nothing behind.
 */
export async function moveToSubfolders(connection: ServerConnection, move: LayoutMove): Promise<void> {
  if (move.names.length === 0) return;
  const script = `set -e
${OWN_FUNCTION}
${TO_SUBFOLDERS_FUNCTION}
release=$1; live=$2; shared=$3; suffix=$4; dir=\${1%/*}
trap 'rm -rf -- "$release" "$dir/${STORE}/\${release##*/}"' EXIT
trap 'exit 1' HUP INT TERM
cp -alH -- "$live" "$release"
sort > "$release/.layout"
to_subfolders "$release" "$shared" "$suffix" "$release/.layout"
${move.rewrite}
rm -f -- "$release/.layout"
${move.beforeSwap ?? ':'}
ln -sfn -- "$release" "$live.new"
mv -T -- "$live.new" "$live"
trap - EXIT
${move.afterSwap ?? ':'}`;
  const input = move.names.map((name) => `${subfolderOf(name)} ${name}\n`).join('');
  await connection.run(['sh', '-c', script, 'ruche-layout-move', newReleasePath(checkedPath(move.releasesDir)), checkedPath(move.live), move.shared, move.suffix], { input, timeoutMs: 300_000 });
}

/** Every file's SHA-256; shared subfolders are links into the store, followed (no other link is). */
const HASH_SCRIPT = `set -e
[ -e "$1" ] || exit 0
cd -P -- "$1" || exit 1
find . -type f -exec sha256sum -- {} +
find . -mindepth 2 -maxdepth 2 -type l -lname '../../${STORE}/*' -print0 | xargs -0r sh -c 'find -H "$@" -type f -exec sha256sum -- {} +' ruche-hash-shared`;

const STAGE_SCRIPT = `fail() { echo "ruche-stage: $1" >&2; exit ${STAGING_FAILED}; }
${OWN_FUNCTION}
${CHECK_LAYOUT_FUNCTION}
release=$1; source=$2; shared=$3; subfolders=$4; shift 4
# Nothing is written where a newer Ruche has claimed the releases (a worker left running
# through an upgrade would take its files for its own). The archive is read all the same: the
# transport is still sending it.
check_layout "\${release%/*}"
[ -z "$newer" ] || { cat > /dev/null; echo "${NEWER_LAYOUT} $newer" >&2; exit ${STAGING_FAILED}; }
# The shell's own tests and expansions where they do: every process costs a click its time.
if [ -e "$release" ] || [ -L "$release" ]; then rm -rf -- "$release" || fail "cannot clear $release"; fi
[ -d "\${release%/*}" ] || mkdir -p -- "\${release%/*}" || fail "cannot create the releases folder"
if [ -n "$source" ] && [ -e "$source" ]; then
  # -H: the live link is followed, nothing inside the tree is.
  cp -alH -- "$source" "$release" || fail "cannot copy the live tree"
else
  mkdir -p -- "$release" || fail "cannot create $release"
fi
# Shared subfolders are linked, not copied: the release copies only those it changes.
own "$release" "$shared" "$subfolders" || fail "cannot copy the shared folders it changes"
tar -x --no-same-owner --unlink-first -C "$release" || fail "cannot unpack the release"
if [ -f "$release/${REMOVE_LIST}" ]; then
  (cd -- "$release" && xargs -0 rm -f -- < ${REMOVE_LIST}) || fail "cannot remove deleted files"
  rm -f -- "$release/${REMOVE_LIST}"
fi
[ $# -eq 0 ] && exit 0
"$@"`;

const ACTIVATE_SCRIPT = `set -e
link=$1; release=$2; dir=$3; keep=$4; shift 4
ln -sfn -- "$release" "$link.new"
mv -T -- "$link.new" "$link"
"$@"
# Old releases go after the run has answered (one holds a file per site: a second to remove
# on a full server): each moved aside at once, so that the next run does not list them again,
# then removed detached from the session. The shell lists them, oldest first (names start with
# the time), with its own tests: no process unless there is one to move.
is_release() {
  case $1 in *-*) ;; *) return 1 ;; esac
  digits=\${1%-*}; hex=\${1#*-}
  case $digits in ''|*[!0-9]*) return 1 ;; esac
  case $hex in *[!0-9a-f]*) return 1 ;; esac
  [ \${#digits} -ge 14 ] && [ \${#digits} -le 20 ] && [ \${#hex} -eq 8 ]
}
name=\${release##*/}
set --
for old in "$dir"/*; do if is_release "\${old##*/}"; then set -- "$@" "$old"; fi; done
surplus=$(($# - keep)); moved=no
while [ $surplus -gt 0 ]; do
  if [ "\${1##*/}" != "$name" ]; then mv -- "$1" "$dir/.trash-\${1##*/}"; moved=yes; fi
  shift; surplus=$((surplus - 1))
done
# Shared subfolders no kept release links to any more go too (a store folder whole when none of
# its subfolders is linked). Only when every kept release could be read: a failed listing must
# not read as "nothing is linked". What is kept for want of it is said (see ActivateResult),
# with the failed command's last word.
if [ -d "$dir/${STORE}" ]; then
  set -- "$release/"
  for kept in "$dir"/*; do if is_release "\${kept##*/}" && [ "$kept" != "$release" ]; then set -- "$@" "$kept/"; fi; done
  errors=$dir/.ruche-cleanup-errors
  skipped() { why=$(tail -n 1 -- "$errors" 2>/dev/null) || why=; echo "${CLEANUP_SKIPPED} $1\${why:+ ($why)}" >&2; }
  if links=$(find "$@" -mindepth 2 -maxdepth 2 -type l -lname '../../${STORE}/*' -printf '%l\\n' 2> "$errors"); then
    unused=$({
      printf '%s\\n' "$links"
      echo /
      cd -- "$dir/${STORE}" && for entry in * */*; do [ ! -e "$entry" ] || echo "$entry"; done
    } | awk '$0 == "/" { listing = 1; next }
        !listing { if (sub(/^[.][.]\\/[.][.]\\/[.]${STORE.slice(1)}\\//, "")) { used[$0] = 1; split($0, part, "/"); linked[part[1]] = 1 } next }
        { split($0, part, "/") }
        !(part[1] in linked) { if (!(part[1] in gone)) print part[1]; gone[part[1]] = 1; next }
        index($0, "/") && !($0 in used)' 2> "$errors") || { unused=; skipped "the unused shared subfolders could not be worked out; every one is kept"; }
    for entry in $unused; do
      if mv -- "$dir/${STORE}/$entry" "$dir/.trash-store-\${entry%%/*}-\${entry##*/}" 2> "$errors"; then moved=yes; else skipped "${STORE}/$entry could not be moved aside; it is kept"; fi
    done
  else
    skipped "the kept releases could not be listed; every shared subfolder is kept"
  fi
  rm -f -- "$errors"
fi
# (With any trash a crashed run left.)
if [ $moved = yes ]; then
  setsid rm -rf -- "$dir"/.trash-* </dev/null >/dev/null 2>&1 &
fi`;

/**
 * What drivers and the reconciler do on a server. Remote transports implement all of it with
 * commands given as argv; the local transport with the file system.
 */
export interface ServerConnection {
  readonly server: Server;
  /** True when commands really run (false for the local transport, which only writes files). */
  readonly runsCommands: boolean;
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /** SHA-256 of every file under `directory` (following a symlinked root), by relative path; empty if missing. */
  hashTree(directory: string): Promise<Map<string, string>>;
  /**
   * Builds a release in one round trip: a hard-linked copy of `source` (or an empty folder),
   * `files` written (replacing, never rewriting, a linked file), `removed` deleted; then runs
   * `check` against it and answers the check's outcome (null when there is none to run).
   */
  stage(options: StageOptions): Promise<CommandResult | null>;
  /**
   * Points `link` at `release` atomically, runs `activation` (argv), then removes all but the
   * newest `keep` releases in `releasesDir` — one round trip.
   */
  activate(options: ActivateOptions): Promise<ActivateResult>;
  /**
   * Writes files under `directory`, replacing (never rewriting in place) what is there. With
   * `shared` (a release's FileDriver.sharedFolder), the shared subfolders written into are made
   * the release's own first; so with removeFiles and restoreFiles.
   */
  writeFiles(directory: string, files: FileTree, shared?: string | null): Promise<void>;
  removeFiles(directory: string, relativePaths: readonly string[], shared?: string | null): Promise<void>;
  /** Hard-links files from `source` (a symlink is followed) into `directory`, for what must stay as it was. */
  restoreFiles(source: string, directory: string, relativePaths: readonly string[], shared?: string | null): Promise<void>;
  removeTrees(paths: readonly string[]): Promise<void>;
  /**
   * Marks `releasesDir` as holding this Ruche's layout (RELEASE_LAYOUT), or throws NewerLayout
   * when a newer Ruche has marked it: before a driver's set-up writes anything there.
   */
  claimLayout(releasesDir: string): Promise<void>;
  close(): Promise<void>;
}

/** A newer Ruche wrote the server's releases: this worker must not touch them. */
export class NewerLayout extends Error {
  override name = 'NewerLayout';
  constructor(found: string) {
    super(`the releases on this server were written by a newer Ruche (layout ${found}; this worker reads layout ${RELEASE_LAYOUT} and older): stop this worker and run the newer version`);
  }

  /** Throws one when a script's output says a newer layout is there (the same words from claimLayout and stage). */
  static throwIfSaid(output: string): void {
    const found = new RegExp(`^${NEWER_LAYOUT} (.*)$`, 'm').exec(output);
    if (found) throw new NewerLayout(found[1]!);
  }
}

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A tar archive of a file tree, for one round trip instead of one per file. */
export async function tarball(files: FileTree): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    pack.entry({ name, mode: 0o644, mtime: new Date() }, typeof content === 'string' ? Buffer.from(content) : content);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Absolute paths only, normalised, without `..`: what Ruche may touch on a server. */
export function checkedPath(value: string): string {
  const normalised = path.normalize(value);
  if (!path.isAbsolute(normalised) || normalised.split('/').includes('..') || /[\0\n]/.test(normalised)) {
    throw new Error(`Refusing unsafe path ${JSON.stringify(value)}`);
  }
  return normalised;
}

/**
 * Everything but running a command, done with commands. Each primitive is one round trip;
 * scripts are fixed strings and every value reaches them as a positional argument.
 */
export abstract class CommandConnection implements ServerConnection {
  readonly runsCommands = true;

  constructor(readonly server: Server) {}

  abstract exec(argv: string[], input: Buffer | null, timeoutMs: number): Promise<CommandResult>;
  abstract close(): Promise<void>;

  async run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const input = options.input === undefined ? null : Buffer.isBuffer(options.input) ? options.input : Buffer.from(options.input);
    const result = await this.exec(argv, input, options.timeoutMs ?? 60_000);
    if (result.exitCode !== 0 && !options.allowFailure) throw new CommandFailed(argv, result);
    return result;
  }

  async hashTree(directory: string): Promise<Map<string, string>> {
    const root = checkedPath(directory);
    const result = await this.run(['sh', '-c', HASH_SCRIPT, 'ruche-hash', root]);
    const hashes = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const match = /^([0-9a-f]{64}) [ *]\.\/(.+)$/.exec(line);
      if (match) hashes.set(match[2]!, match[1]!);
    }
    return hashes;
  }

  async stage(options: StageOptions): Promise<CommandResult | null> {
    const files = new Map(options.files);
    if (options.removed.length > 0) {
      for (const relative of options.removed) checkedPath(`/${relative}`);
      files.set(REMOVE_LIST, `${options.removed.join('\0')}\0`);
    }
    for (const name of files.keys()) checkedPath(`/${name}`);
    const subfolders = sharedSubfolders(options.shared, [...options.files.keys(), ...options.removed]).join(' ');
    const result = await this.run(
      [
        'sh',
        '-c',
        STAGE_SCRIPT,
        'ruche-stage',
        checkedPath(options.release),
        options.source ? checkedPath(options.source) : '',
        options.shared ?? '',
        subfolders,
        ...(options.check ?? []),
      ],
      { input: await tarball(files), allowFailure: true, timeoutMs: 300_000 },
    );
    if (result.exitCode === STAGING_FAILED) NewerLayout.throwIfSaid(result.stderr);
    if (result.exitCode === STAGING_FAILED || (result.exitCode !== 0 && !options.check)) throw new CommandFailed(['ruche-stage'], result);
    return options.check ? result : null;
  }

  async claimLayout(releasesDir: string): Promise<void> {
    const result = await this.run(['sh', '-c', CLAIM_LAYOUT, 'ruche-layout', checkedPath(releasesDir)], { allowFailure: true });
    NewerLayout.throwIfSaid(result.stderr);
    if (result.exitCode !== 0) throw new CommandFailed(['ruche-layout'], result);
  }

  async activate(options: ActivateOptions): Promise<ActivateResult> {
    const result = await this.run(
      ['sh', '-c', ACTIVATE_SCRIPT, 'ruche-activate', checkedPath(options.link), checkedPath(options.release), checkedPath(options.releasesDir), String(options.keep), ...options.activation.argv],
      { timeoutMs: 300_000, ...(options.activation.input !== undefined ? { input: options.activation.input } : {}) },
    );
    const skipped = result.stderr.split('\n').filter((line) => line.startsWith(CLEANUP_SKIPPED));
    return { cleanupSkipped: skipped.length === 0 ? null : skipped.map((line) => line.slice(CLEANUP_SKIPPED.length).trim()).join('; ').slice(0, 2000) };
  }


  async writeFiles(directory: string, files: FileTree, shared?: string | null): Promise<void> {
    if (files.size === 0) return;
    for (const name of files.keys()) checkedPath(`/${name}`);
    const subfolders = sharedSubfolders(shared, files.keys()).join(' ');
    // --unlink-first: a hard-linked file is replaced, never rewritten, so the live tree stays as it was.
    await this.run(
      ['sh', '-c', `${OWN_FUNCTION}\nmkdir -p -- "$1" && own "$@" && exec tar -x --no-same-owner --unlink-first -C "$1"`, 'ruche-write', checkedPath(directory), shared ?? '', subfolders],
      { input: await tarball(files) },
    );
  }

  async removeFiles(directory: string, relativePaths: readonly string[], shared?: string | null): Promise<void> {
    if (relativePaths.length === 0) return;
    const root = checkedPath(directory);
    const paths = relativePaths.map((relative) => checkedPath(path.join(root, relative)));
    const subfolders = sharedSubfolders(shared, relativePaths).join(' ');
    await this.run(['sh', '-c', `${OWN_FUNCTION}\nown "$@" && exec xargs -0 rm -f --`, 'ruche-remove', root, shared ?? '', subfolders], { input: `${paths.join('\0')}\0` });
  }

  async restoreFiles(source: string, directory: string, relativePaths: readonly string[], shared?: string | null): Promise<void> {
    if (relativePaths.length === 0) return;
    for (const relative of relativePaths) checkedPath(`/${relative}`);
    const subfolders = sharedSubfolders(shared, relativePaths).join(' ');
    await this.run([
      'sh',
      '-c',
      `${OWN_FUNCTION}
src=$(readlink -f -- "$1"); dst=$2; own "$2" "$3" "$4" || exit 1; shift 4
for p; do mkdir -p -- "$dst/$(dirname -- "$p")" && ln -f -- "$src/$p" "$dst/$p" || exit 1; done`,
      'ruche-restore',
      checkedPath(source),
      checkedPath(directory),
      shared ?? '',
      subfolders,
      ...relativePaths,
    ]);
  }




  async removeTrees(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.run(['rm', '-rf', '--', ...paths.map(checkedPath)]);
  }
}

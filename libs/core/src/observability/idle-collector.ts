import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.js';

/**
 * V8 returns a load's garbage to the system when its memory reducer runs, and that runs only
 * after a full collection: a burst that only grew the old generation (promoted garbage, no
 * full collection yet) can leave a process at twice its size for minutes (the API at 280–300 MB
 * after the api benchmark, still so 40 s later, instead of 130–150 MB). So once the process has
 * been quiet for a while, a full collection is asked for: it costs 40–60 ms of a quiet process.
 */

/** What one look at the process reads. */
export interface ProcessReading {
  /** CPU used since the previous look, in microseconds (user and system). */
  cpuMicros: number;
  /** Since the previous look, in microseconds. */
  elapsedMicros: number;
  heapTotal: number;
}

/** Under this share of a core, a look counts as quiet. */
const QUIET_CPU_SHARE = 0.05;
/** Quiet looks in a row before a collection. */
const QUIET_LOOKS = 2;
/** Collect only when the heap holds this much more than it kept after the last collection. */
const SLACK_BYTES = 32 * 1024 * 1024;

/** The decision, without the clock or V8: fed one reading per look, answers whether to collect now. */
export class IdleCollectionPolicy {
  private quiet = 0;

  /** `kept`: the heap used after the last collection (or at start). */
  constructor(private kept: number) {}

  look(reading: ProcessReading): boolean {
    const busy = reading.elapsedMicros <= 0 || reading.cpuMicros > QUIET_CPU_SHARE * reading.elapsedMicros;
    this.quiet = busy ? 0 : this.quiet + 1;
    if (this.quiet < QUIET_LOOKS || reading.heapTotal - this.kept < SLACK_BYTES) return false;
    this.quiet = 0;
    return true;
  }

  /** After a collection: what the heap kept is the new floor. */
  collected(heapUsed: number): void {
    this.kept = heapUsed;
  }
}

/** V8's full collection, without `--expose-gc` on the command line; null where it cannot be had. */
function fullCollection(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** Looks once a second (the timer never keeps the process alive), notes each collection at debug level; answers a function that stops it. */
export function startIdleCollector(logger: Pick<Logger, 'debug'>): () => void {
  const gc = fullCollection();
  if (!gc) return () => undefined;
  const policy = new IdleCollectionPolicy(process.memoryUsage().heapUsed);
  let cpu = process.cpuUsage();
  let at = process.hrtime.bigint();
  const timer = setInterval(() => {
    const nowCpu = process.cpuUsage();
    const now = process.hrtime.bigint();
    const { heapTotal } = process.memoryUsage();
    const collect = policy.look({ cpuMicros: nowCpu.user - cpu.user + nowCpu.system - cpu.system, elapsedMicros: Number(now - at) / 1000, heapTotal });
    if (collect) {
      const started = performance.now();
      gc();
      const after = process.memoryUsage();
      policy.collected(after.heapUsed);
      const mb = (bytes: number) => Math.round(bytes / 1048576);
      logger.debug({ ms: Math.round(performance.now() - started), heapBeforeMb: mb(heapTotal), heapAfterMb: mb(after.heapTotal) }, 'collected garbage while idle');
    }
    // The collection's own CPU is not the next second's work.
    cpu = process.cpuUsage();
    at = process.hrtime.bigint();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

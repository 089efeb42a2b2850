/*
 * What the extension host did, counted for tests: the worker jobs it started, per kind ('run',
 * 'read', 'readArray', ...), and the texts it parsed itself (how many, and the largest). The
 * integration tests prove "this went through a worker, the host never parsed the 4.8 MB text"
 * with these counts instead of timing the host, which a busy shared machine makes unreliable.
 * Read with the internal command rnnLens._workStats (argument 'reset': start counting afresh).
 * Layer: extension (no vscode import; the command is registered by runScheduler.ts).
 */

/** Counts since the last reset. */
export interface WorkStats {
  /** Worker jobs posted, per request kind. */
  workerJobs: Record<string, number>;
  /** Texts parsed on the extension host (documents and selected arrays). */
  hostParses: number;
  /** Characters of the largest text parsed on the extension host. */
  largestHostParse: number;
}

let stats: WorkStats = { workerJobs: {}, hostParses: 0, largestHostParse: 0 };

/** A job of this kind was posted to a worker. */
export function noteWorkerJob(kind: string): void {
  stats.workerJobs[kind] = (stats.workerJobs[kind] ?? 0) + 1;
}

/** A text of `chars` characters is about to be parsed on the extension host. */
export function noteHostParse(chars: number): void {
  stats.hostParses++;
  stats.largestHostParse = Math.max(stats.largestHostParse, chars);
}

/** A copy of the counts; with `reset`, counting starts afresh after the copy. */
export function takeWorkStats(reset = false): WorkStats {
  const copy = { ...stats, workerJobs: { ...stats.workerJobs } };
  if (reset) stats = { workerJobs: {}, hostParses: 0, largestHostParse: 0 };
  return copy;
}

/** The kind of a request posted to a worker (runs carry a document, the others a `kind`). */
export function requestKind(request: unknown): string {
  if (request && typeof request === 'object') {
    const kind = (request as { kind?: unknown }).kind;
    if (typeof kind === 'string') return kind;
    const type = (request as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    if ('doc' in request) return 'run';
  }
  return 'other';
}

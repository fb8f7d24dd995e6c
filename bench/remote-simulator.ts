/** A simulator running in a worker thread (bench/sim-worker.ts), driven from the bench's thread. */
import { Worker } from 'node:worker_threads';
import type { RequestLogEntry, SimulatorOptions } from '../src/simulator/index.js';

export type WorkerRequest = { readonly id: number; readonly cmd: 'log' | 'clear' | 'close' };
export type WorkerReply =
  | { readonly ready: true; readonly url: string; readonly adminUser: string; readonly startMs: number; readonly rssMb: number }
  | { readonly id: number; readonly log?: RequestLogEntry[] };

export interface RemoteSimulator {
  readonly url: string;
  readonly adminUser: string;
  /** Time the worker took to load the seed and listen. */
  readonly startMs: number;
  /** The process's RSS right after the simulator started (the worker shares the process). */
  readonly rssMb: number;
  requestLog(): Promise<RequestLogEntry[]>;
  clearRequestLog(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the seed inside the worker: `module` (a file URL, usually the bench's own
 * `import.meta.url`) is imported there and its export `name` called with `args`. A seed built
 * in the bench's thread would leave 100,000 users of garbage behind to be collected while the
 * bench measures.
 */
export interface SeedRecipe {
  readonly module: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

export interface RemoteSimulatorOptions extends Omit<SimulatorOptions, 'seed'> {
  readonly seed?: SeedRecipe;
}

export async function startRemoteSimulator(options: RemoteSimulatorOptions): Promise<RemoteSimulator> {
  const worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData: options });
  const pending = new Map<number, (reply: WorkerReply) => void>();
  let next = 0;
  const ask = (cmd: WorkerRequest['cmd']): Promise<WorkerReply> =>
    new Promise((resolve) => {
      next += 1;
      pending.set(next, resolve);
      worker.postMessage({ id: next, cmd } satisfies WorkerRequest);
    });
  const ready = await new Promise<Extract<WorkerReply, { ready: true }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) resolve(reply);
      else pending.get(reply.id)?.(reply);
    });
  });
  return {
    url: ready.url,
    adminUser: ready.adminUser,
    startMs: ready.startMs,
    rssMb: ready.rssMb,
    requestLog: async () => {
      const reply = await ask('log');
      return 'log' in reply ? (reply.log ?? []) : [];
    },
    clearRequestLog: async () => {
      await ask('clear');
    },
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}

/**
 * Worker-thread entry of a benchmark's simulator: starts one with the options it was given and
 * answers request-log and close questions. Vault runs on its own servers; in the bench's own
 * thread the simulator and the code measured would stall each other.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator, type SimulatorSeed } from '../src/simulator/index.js';
import type { RemoteSimulatorOptions, WorkerReply, WorkerRequest } from './remote-simulator.js';

const port = parentPort;
if (port !== null) {
  const { seed: recipe, ...options } = workerData as RemoteSimulatorOptions;
  const started = performance.now();
  let seed: SimulatorSeed | undefined;
  if (recipe !== undefined) {
    const module = (await import(recipe.module)) as Record<string, (...args: readonly unknown[]) => SimulatorSeed>;
    const build = module[recipe.name];
    if (build === undefined) throw new Error(`${recipe.module} exports no ${recipe.name}`);
    seed = build(...recipe.args);
  }
  const sim = await startSimulator({ ...options, ...(seed === undefined ? {} : { seed }), port: 0 });
  port.on('message', (message: WorkerRequest) => {
    void (async () => {
      if (message.cmd === 'log') {
        port.postMessage({ id: message.id, log: [...sim.requestLog()] } satisfies WorkerReply);
        return;
      }
      if (message.cmd === 'clear') sim.clearRequestLog();
      if (message.cmd === 'close') await sim.close();
      port.postMessage({ id: message.id } satisfies WorkerReply);
      if (message.cmd === 'close') port.close();
    })();
  });
  port.postMessage({
    ready: true,
    url: sim.url,
    adminUser: sim.adminUser,
    startMs: performance.now() - started,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  } satisfies WorkerReply);
}

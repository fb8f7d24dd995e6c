/**
 * The Vault clients a command opened, so the dispatcher can stop them when it ends. Kept apart
 * from context.ts so the dispatcher does not load the Vault, plan and loader code just to be
 * able to close what a command may have opened.
 */
import type { VaultClient } from '../vault/index.js';
import type { CliIo } from './command.js';

/** Clients opened for a command run with this `io`, closed by `closeConnections` when it ends. */
const openClients = new WeakMap<CliIo, VaultClient[]>();

export function trackClient(io: CliIo, client: VaultClient): void {
  openClients.set(io, [...(openClients.get(io) ?? []), client]);
}

/**
 * Ends the sessions the command's clients logged in to (`DELETE /session`, as Veeva asks of
 * integrations; not after an interrupt) and stops the clients, so no request or wait outlives the command and the
 * process can exit. Never rejects: a session that could not be ended times out by itself.
 */
export async function closeConnections(io: CliIo): Promise<void> {
  const clients = openClients.get(io) ?? [];
  openClients.delete(io);
  // After Ctrl-C or SIGTERM the command promised to send no new call: the session times out.
  if (io.signal?.aborted === true) {
    for (const client of clients) client.close();
    return;
  }
  await Promise.all(clients.map((client) => client.end()));
}

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

/** Stops the clients a command opened, so no request or wait outlives it and the process can exit. */
export function closeConnections(io: CliIo): void {
  for (const client of openClients.get(io) ?? []) client.close();
  openClients.delete(io);
}

/** `vault-roster simulator`: serves the local Vault simulator until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { VaultRosterError } from '../../errors.js';
import {
  CaptureError,
  FaultSpecError,
  loadCapture,
  parseFaultSpec,
  PROFILES,
  ProfileError,
  readProfileFile,
  resolveProfile,
  SeedError,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type SimulatorProfile,
  type SimulatorSeed,
  type UsersReadBehaviour,
  type WriteBehaviour,
} from '../../simulator/index.js';
import { EXIT_OK, type CliIo, type Command, type OptionValues } from '../command.js';

const HELP = `Usage: vault-roster simulator [options]

Starts the local Vault simulator on 127.0.0.1 and serves until SIGINT/SIGTERM, then writes
the state file (if any) and exits. Prints 'listening on http://127.0.0.1:PORT' when ready.

Options:
  --port N              Port to listen on (default 0: the OS picks one)
  --state FILE          State file: loaded when it exists (wins over --seed), written
                        atomically after every change and on exit
  --seed FILE           Seed JSON to start from (default: the demo domain)
  --capture DIR         Replay a 'vault-roster doctor --record DIR' capture: its seed.json
                        and profile.json (not with --seed or --profile)
  --latency-ms N        Added to every API response (default 0)
  --burst-limit N       API calls per 5-minute window per vault and user (default 2000)
  --burst-delay-ms N    Delay of each over-limit response in delay mode (default 500)
  --burst-mode MODE     delay (default) or reject (API_LIMIT_EXCEEDED)
  --faults SPEC         Fault injection, e.g. seed=7,http500=0.05,drop=0.01,race=0.02,
                        latency=20,expire-session-every=100,fail-rows=a@x.com|b@x.com
  --admin-user NAME     Admin user name (default admin@sim.veevavault.local)
  --admin-password PW   Admin password (default admin)
  -h, --help            Show this help

Profiles (how to play what Vault's documentation leaves open; default: default):
  --profile NAME|FILE   A named profile (below) or a profile JSON file
${[...PROFILES.values()].map((p) => `                        ${p.name}: ${p.description}`).join('\n')}
  Switches (override the profile's):
  --membership-shape S  objects | string | string-array | objects-alt-keys | objects-picklist
  --page-cap N          Largest page Retrieve All Users serves
  --over-cap MODE       clamp | refuse (a larger limit fails with INVALID_DATA)
  --limit-echo MODE     applied | requested | none
  --size-means MODE     page | total
  --domain-only-users M listed | hidden (under vaults=all)
  --duplicate-error T   Error type of a create for an existing user name
  --promote-failure M   per-row | whole-request
  --promote-refs MODE   names-or-ids | ids-only | names-only
  --clear-with MODE     null-or-empty | null-only | empty-only
  --promote-requires F  Comma-separated user__sys fields Promote Person to User requires

Inspection (not Vault): GET /_sim/state, /_sim/requests, /_sim/faults, /_sim/sitevault,
/_sim/profile;
POST /_sim/faults with a SPEC to change faults while running.
`;

function integer(values: OptionValues, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) > max) {
    throw new VaultRosterError('usage', `--${name} needs a whole number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got '${String(raw)}'`, {
      hint: "run 'vault-roster simulator --help' for the options",
    });
  }
  return Number(raw);
}

function text(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

function optionsFrom(values: OptionValues, cwd: string): SimulatorOptions {
  const mode = text(values, 'burst-mode');
  if (mode !== undefined && mode !== 'delay' && mode !== 'reject') {
    throw new VaultRosterError('usage', `--burst-mode must be delay or reject, got '${mode}'`, { hint: "run 'vault-roster simulator --help' for the options" });
  }
  const faults = text(values, 'faults');
  if (faults !== undefined) {
    try {
      parseFaultSpec(faults);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new VaultRosterError('usage', `--faults: ${error.message}`, { hint: 'see the fault SPEC format in --help' });
      throw error;
    }
  }
  const burstLimit = integer(values, 'burst-limit');
  if (burstLimit === 0) throw new VaultRosterError('usage', '--burst-limit must be at least 1', { hint: 'the default is 2000' });
  const opt = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined): Partial<SimulatorOptions> =>
    value === undefined ? {} : { [key]: value };
  const captured = captureFrom(values, cwd);
  const profile = captured?.profile ?? profileFrom(values, cwd);
  const state = text(values, 'state');
  const seed = text(values, 'seed');
  return {
    ...opt('port', integer(values, 'port', 65535)),
    ...opt('statePath', state === undefined ? undefined : resolve(cwd, state)),
    ...opt('seed', captured?.seed ?? (seed === undefined ? undefined : resolve(cwd, seed))),
    ...opt('latencyMs', integer(values, 'latency-ms')),
    ...opt('burstLimit', burstLimit),
    ...opt('burstDelayMs', integer(values, 'burst-delay-ms')),
    ...opt('burstMode', mode),
    ...opt('faults', faults),
    ...opt('adminUser', text(values, 'admin-user')),
    ...opt('adminPassword', text(values, 'admin-password')),
    ...opt('profile', profile),
  };
}

/** `--capture DIR`: the seed and profile a doctor capture recorded; the switch flags still apply on top. */
function captureFrom(values: OptionValues, cwd: string): { seed: SimulatorSeed; profile: SimulatorProfile } | undefined {
  const dir = text(values, 'capture');
  if (dir === undefined) return undefined;
  if (text(values, 'seed') !== undefined || text(values, 'profile') !== undefined) {
    throw new VaultRosterError('usage', '--capture brings its own seed and profile; leave out --seed and --profile', { hint: "run 'vault-roster simulator --help' for the options" });
  }
  let loaded;
  try {
    loaded = loadCapture(resolve(cwd, dir));
  } catch (error) {
    if (error instanceof CaptureError) {
      throw new VaultRosterError('simulator-capture', error.message, { hint: "pass the folder 'vault-roster doctor --record DIR' wrote, unchanged (it needs profile.json and seed.json)" });
    }
    throw error;
  }
  // Switch flags override the captured switches.
  const { read, write } = switchesFrom(values);
  if (Object.keys(read).length + Object.keys(write).length === 0) return loaded;
  try {
    const base = loaded.profile;
    return { seed: loaded.seed, profile: resolveProfile({ name: `${base.name}+flags`, description: base.description, read: { ...base.read, ...read }, write: { ...base.write, ...write }, groups: base.groups }) };
  } catch (error) {
    if (error instanceof ProfileError) throw new VaultRosterError('usage', error.message, { hint: "run 'vault-roster simulator --help' for the switches" });
    throw error;
  }
}

/** Switch flags and the profile field each one sets. */
const READ_SWITCHES = {
  'membership-shape': 'membershipShape',
  'over-cap': 'overCap',
  'limit-echo': 'limitEcho',
  'size-means': 'size',
} as const satisfies Record<string, keyof UsersReadBehaviour>;
const WRITE_SWITCHES = {
  'duplicate-error': 'duplicateUserError',
  'promote-failure': 'promoteFailure',
  'promote-refs': 'promoteReferences',
  'clear-with': 'clearWith',
} as const satisfies Record<string, keyof WriteBehaviour>;

/** The switch flags given, as profile fields. */
function switchesFrom(values: OptionValues): { read: Record<string, unknown>; write: Record<string, unknown> } {
  const read: Record<string, unknown> = {};
  const write: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(READ_SWITCHES)) if (text(values, flag) !== undefined) read[key] = text(values, flag);
  for (const [flag, key] of Object.entries(WRITE_SWITCHES)) if (text(values, flag) !== undefined) write[key] = text(values, flag);
  const cap = integer(values, 'page-cap');
  if (cap !== undefined) read.pageCap = cap;
  const domainOnly = text(values, 'domain-only-users');
  if (domainOnly !== undefined) read.domainOnlyUsersListed = domainOnly === 'listed' ? true : domainOnly === 'hidden' ? false : domainOnly;
  const required = text(values, 'promote-requires');
  if (required !== undefined) write.promoteRequiredFields = required.split(',').map((f) => f.trim()).filter((f) => f !== '');
  return { read, write };
}

/** `--profile` (a name or a JSON file) with the switch flags applied on top; undefined when none is given. */
function profileFrom(values: OptionValues, cwd: string): SimulatorProfile | undefined {
  const given = text(values, 'profile');
  const { read, write } = switchesFrom(values);
  if (given === undefined && Object.keys(read).length + Object.keys(write).length === 0) return undefined;
  try {
    const base = given === undefined ? resolveProfile('default') : /[\\/]|\.json$/i.test(given) ? readProfileFile(resolve(cwd, given)) : resolveProfile(given);
    const changed = Object.keys(read).length + Object.keys(write).length > 0;
    const switched = Object.entries({ ...read, ...write }).map(([key, value]) => `${key}=${String(value)}`);
    return resolveProfile({
      name: changed ? `${base.name}+flags` : base.name,
      description: changed ? `${base.description}; switched: ${switched.join(', ')}` : base.description,
      read: { ...base.read, ...read },
      write: { ...base.write, ...write },
      groups: base.groups,
    });
  } catch (error) {
    if (error instanceof ProfileError) throw new VaultRosterError('usage', `--profile: ${error.message}`, { hint: "run 'vault-roster simulator --help' for the profiles and switches" });
    throw error;
  }
}

async function start(options: SimulatorOptions): Promise<RunningSimulator> {
  try {
    return await startSimulator(options);
  } catch (error) {
    if (error instanceof SeedError) throw new VaultRosterError('simulator-seed', error.message, { hint: 'fix the seed/state JSON (format: README, Simulator section)' });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new VaultRosterError('simulator-port', `port ${options.port ?? 0} is already in use`, { hint: 'pick another --port, or --port 0' });
    if (code === 'EACCES') throw new VaultRosterError('simulator-port', `no permission to listen on port ${options.port ?? 0}`, { hint: 'use a port above 1024' });
    if (error instanceof Error && error.message.startsWith('cannot write state file')) {
      throw new VaultRosterError('simulator-state', error.message, { hint: 'check that the --state folder exists and is writable' });
    }
    throw error;
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal === undefined) return; // serve forever: only a signal stops the simulator
    if (signal.aborted) {
      done();
      return;
    }
    signal.addEventListener('abort', () => {
      done();
    }, { once: true });
  });
}

export const simulatorCommand: Command = {
  name: 'simulator',
  summary: 'Serve the local Vault simulator on 127.0.0.1 until interrupted',
  help: HELP,
  options: {
    port: { type: 'string' },
    state: { type: 'string' },
    seed: { type: 'string' },
    capture: { type: 'string' },
    'latency-ms': { type: 'string' },
    'burst-limit': { type: 'string' },
    'burst-delay-ms': { type: 'string' },
    'burst-mode': { type: 'string' },
    faults: { type: 'string' },
    'admin-user': { type: 'string' },
    'admin-password': { type: 'string' },
    profile: { type: 'string' },
    'membership-shape': { type: 'string' },
    'page-cap': { type: 'string' },
    'over-cap': { type: 'string' },
    'limit-echo': { type: 'string' },
    'size-means': { type: 'string' },
    'domain-only-users': { type: 'string' },
    'duplicate-error': { type: 'string' },
    'promote-failure': { type: 'string' },
    'promote-refs': { type: 'string' },
    'clear-with': { type: 'string' },
    'promote-requires': { type: 'string' },
  },
  allowPositionals: false,
  async run(values, _positionals, io: CliIo) {
    const sim = await start(optionsFrom(values, io.cwd));
    io.stdout.write(`listening on ${sim.url}\n`);
    if (sim.profile.name !== 'default') io.stdout.write(`profile ${sim.profile.name}: ${sim.profile.description}\n`);
    await untilAborted(io.signal);
    await sim.close();
    return EXIT_OK;
  },
};

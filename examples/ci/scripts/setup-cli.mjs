#!/usr/bin/env node
/**
 * Finds (or installs) the vault-roster CLI the action runs, and checks it starts.
 *
 *   node setup-cli.mjs --from repo     the version the roster repository pins in package-lock.json
 *                                      (`npm ci` first when node_modules lacks it)
 *   node setup-cli.mjs --from action   the action's own checkout, built and packed with `npm pack`,
 *                                      installed under $RUNNER_TEMP (same code as the action's ref)
 *
 * Outputs: bin (absolute path of the vault-roster executable), version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StepError, parseOptions, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'setup-cli.mjs --from repo|action';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs npm; a failure names the command and quotes the end of npm's own message. */
function npm(args, cwd) {
  try {
    return execFileSync(NPM, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const why = String(error.stderr ?? '').trim().split('\n').slice(-3).join(' ') || error.message;
    throw new StepError(`npm ${args.join(' ')} failed in ${cwd}: ${why}`);
  }
}

function pinnedInRepo(cwd) {
  const bin = resolve(cwd, 'node_modules/.bin/vault-roster');
  if (existsSync(bin)) return bin;
  if (!existsSync(resolve(cwd, 'package-lock.json'))) {
    throw new StepError(
      `vault-roster is not installed in ${cwd} and there is no package-lock.json to install it from: ` +
        'pin it (npm install --save-dev vault-roster, commit package.json and package-lock.json), or set the input vault-roster: action',
    );
  }
  npm(['ci', '--no-audit', '--no-fund'], cwd);
  if (!existsSync(bin)) {
    throw new StepError(`npm ci in ${cwd} did not install vault-roster: add it to devDependencies (npm install --save-dev vault-roster) and commit package-lock.json`);
  }
  return bin;
}

function packedFromAction(env) {
  const actionPath = env.GITHUB_ACTION_PATH;
  const temp = env.RUNNER_TEMP;
  if (!actionPath || !temp) throw new StepError('--from action needs GITHUB_ACTION_PATH and RUNNER_TEMP (set by GitHub Actions)');
  // `npm ci` runs the package's prepare script, which builds dist/; `npm pack` then holds exactly what a publish would.
  npm(['ci', '--no-audit', '--no-fund'], actionPath);
  const packDir = join(temp, 'vault-roster-pack');
  mkdirSync(packDir, { recursive: true });
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], actionPath));
  const prefix = join(temp, 'vault-roster-cli');
  npm(['install', '--global', '--no-audit', '--no-fund', '--prefix', prefix, join(packDir, packed.filename)], actionPath);
  return join(prefix, 'bin', 'vault-roster');
}

function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    throw new StepError(`${bin} --version failed: ${String(error.stderr ?? error.message).trim().split('\n')[0]}`);
  }
}

async function main() {
  const values = parseOptions(process.argv.slice(2), { from: { type: 'string' } }, USAGE);
  const from = requireOption(values, 'from', USAGE);
  if (from !== 'repo' && from !== 'action') throw new StepError(`--from takes repo or action, not '${from}' (usage: ${USAGE})`);
  const bin = from === 'repo' ? pinnedInRepo(process.cwd()) : packedFromAction(process.env);
  const version = versionOf(bin);
  if (from === 'repo') {
    const pkg = JSON.parse(readFileSync(resolve(process.cwd(), 'node_modules/vault-roster/package.json'), 'utf8'));
    if (pkg.version !== version) throw new StepError(`node_modules/.bin/vault-roster reports ${version} but node_modules/vault-roster is ${pkg.version}; run npm ci`);
  }
  setOutputs({ bin, version });
  return `vault-roster ${version} (${from === 'repo' ? 'pinned in this repository' : 'packed from the action'}) at ${bin}`;
}

await runStep('setup-cli', main);

/**
 * Runs the composite action in action.yml the way a GitHub runner does, for tests: inputs with
 * their defaults, `${{ }}` expressions in `if:`, `env:` and `with:` (the subset the action uses:
 * contexts inputs / steps / github / runner, literals, ==, !=, !, &&, ||, parentheses and the
 * status functions), each `run:` step in `bash --noprofile --norc -eo pipefail` with a fresh
 * GITHUB_OUTPUT, and the artifact actions played against a local store. An unknown input, step
 * id, context or action is an error, so a typo in action.yml fails the test instead of reading
 * as an empty string.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './run-script.js';

export interface ActionStep {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly env?: Record<string, string>;
}
export interface ActionFile {
  readonly name: string;
  readonly inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  readonly outputs: Record<string, { description?: string; value: string }>;
  readonly runs: { using: string; steps: ActionStep[] };
}

export function loadAction(): ActionFile {
  return parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionFile;
}

type Value = string | number | boolean | null;

/** One artifact: its files under `dir`, and the run that uploaded it. */
export interface StoredArtifact {
  readonly runId: string;
  readonly dir: string;
  /** The retention-days the upload asked for, when it did. */
  readonly retentionDays?: string;
}

/** Artifacts by name, as actions/upload-artifact and actions/download-artifact see them. */
export class ArtifactStore {
  readonly root = mkdtempSync(join(tmpdir(), 'vr-artifacts-'));
  readonly items = new Map<string, StoredArtifact>();

  /** Stores `files` (relative path → source file) as artifact `name` of run `runId`. */
  put(name: string, runId: string, files: Record<string, string>, retentionDays?: string): void {
    const dir = join(this.root, `${name}-${runId}`);
    rmSync(dir, { recursive: true, force: true });
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      cpSync(source, join(dir, path));
    }
    this.items.set(name, { runId, dir, ...(retentionDays === undefined ? {} : { retentionDays }) });
  }

  files(name: string): string[] {
    const item = this.items.get(name);
    return item === undefined ? [] : listFiles(item.dir).map((f) => relative(item.dir, f));
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => listFiles(join(path, entry)));
}

export interface StepRecord {
  readonly name: string;
  readonly id: string | undefined;
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly outputs: Record<string, string>;
  readonly stdout: string;
  readonly stderr: string;
  /** The environment a run step got (after expressions). */
  readonly env: Record<string, string>;
}

export interface ActionRun {
  readonly failed: boolean;
  readonly steps: StepRecord[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
  /** Every line the steps printed, in order. */
  readonly log: string;
  step(name: string): StepRecord;
}

export interface RunActionOptions {
  readonly inputs: Record<string, string>;
  /** The github context: event_name, event, sha, repository, server_url, run_id, token, … */
  readonly github: Record<string, unknown>;
  readonly workspace: string;
  readonly artifacts: ArtifactStore;
  /** Variables the runner sets for every step (GITHUB_API_URL, GITHUB_REPOSITORY, PATH). */
  readonly env: Record<string, string>;
}

// ---- expressions --------------------------------------------------------------------------------

interface Scope {
  readonly action: ActionFile;
  readonly inputs: Record<string, string>;
  readonly github: Record<string, unknown>;
  readonly runner: Record<string, string>;
  readonly steps: Map<string, StepRecord>;
  readonly stepIds: ReadonlySet<string>;
  readonly failed: boolean;
}

const TOKEN = /\s*(?:(\|\||&&|==|!=|!|\(|\))|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)\b|([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) throw new Error(`cannot read expression at '${text.slice(start)}' in '${text}'`);
    if (m[2] !== undefined) tokens.push(`'${m[2]}`);
    else tokens.push(m[1] ?? m[3] ?? m[4]!);
  }
  return tokens;
}

function truthy(v: Value): boolean {
  return v !== null && v !== false && v !== '' && v !== 0;
}

function equal(a: Value, b: Value): boolean {
  const norm = (v: Value): Value => (v === null ? '' : typeof v === 'string' ? v.toLowerCase() : v);
  return norm(a) === norm(b);
}

function lookup(scope: Scope, path: string): Value {
  const [context, ...rest] = path.split('.');
  if (context === 'inputs') {
    const name = rest.join('.');
    if (!(name in scope.action.inputs)) throw new Error(`expression reads inputs.${name}, which action.yml does not declare`);
    return scope.inputs[name] ?? '';
  }
  if (context === 'steps') {
    const [id, field, output] = rest;
    if (id === undefined || !scope.stepIds.has(id)) throw new Error(`expression reads steps.${id ?? ''}, which is no step id of action.yml`);
    const record = scope.steps.get(id);
    if (field === 'outputs') return record?.outputs[output ?? ''] ?? null;
    if (field === 'outcome' || field === 'conclusion') return record?.outcome ?? null;
    throw new Error(`unknown step property ${path}`);
  }
  if (context === 'github' || context === 'runner') {
    let value: unknown = context === 'github' ? scope.github : scope.runner;
    for (const key of rest) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined ? null : (value as Value);
  }
  throw new Error(`expression reads an unknown context '${path}'`);
}

function evaluate(text: string, scope: Scope): Value {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const take = (): string => {
    const t = tokens[at++];
    if (t === undefined) throw new Error(`expression ends early: '${text}'`);
    return t;
  };
  const primary = (): Value => {
    const t = take();
    if (t === '(') {
      const v = or();
      if (take() !== ')') throw new Error(`missing ) in '${text}'`);
      return v;
    }
    if (t.startsWith("'")) return t.slice(1).replace(/''/g, "'");
    if (/^-?\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (peek() === '(') {
      take();
      if (take() !== ')') throw new Error(`only functions without arguments are supported: '${text}'`);
      if (t === 'success') return !scope.failed;
      if (t === 'failure') return scope.failed;
      if (t === 'always') return true;
      if (t === 'cancelled') return false;
      throw new Error(`unknown function ${t}() in '${text}'`);
    }
    return lookup(scope, t);
  };
  const comparison = (): Value => {
    const left = primary();
    const op = peek();
    if (op === '==' || op === '!=') {
      take();
      const right = primary();
      return op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const unary = (): Value => {
    if (peek() === '!') {
      take();
      return !truthy(unary());
    }
    return comparison();
  };
  const and = (): Value => {
    let v = unary();
    while (peek() === '&&') {
      take();
      const right = unary();
      v = truthy(v) ? right : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      take();
      const right = and();
      v = truthy(v) ? v : right;
    }
    return v;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`unexpected '${tokens[at] ?? ''}' in '${text}'`);
  return value;
}

/** A value with `${{ }}` parts replaced by their text. */
function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr, scope);
    return v === null ? '' : String(v);
  });
}

/** An `if:` is an expression with or without `${{ }}`; without a status function it means success() && (…). */
function condition(text: string | undefined, scope: Scope): boolean {
  if (text === undefined) return !scope.failed;
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text)?.[1] ?? text;
  const hasStatus = /\b(success|failure|always|cancelled)\(\)/.test(inner);
  return (hasStatus || !scope.failed) && truthy(evaluate(inner, scope));
}

// ---- steps --------------------------------------------------------------------------------------

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(env.RUNNER_TEMP!, `step-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  return new Promise((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

interface UsesResult {
  ok: boolean;
  message: string;
  outputs?: Record<string, string>;
}

function uploadArtifact(withs: Record<string, string>, options: RunActionOptions, runId: string): UsesResult {
  const name = withs.name ?? '';
  if (name === '') return { ok: false, message: 'upload-artifact: no name' };
  const hidden = withs['include-hidden-files'] === 'true';
  const files: Record<string, string> = {};
  for (const entry of (withs.path ?? '').split('\n').map((p) => p.trim()).filter((p) => p !== '')) {
    const root = join(options.workspace, entry);
    for (const file of listFiles(root)) {
      const rel = statSync(root).isDirectory() ? relative(root, file) : relative(dirname(root), file);
      if (!hidden && relative(options.workspace, file).split('/').some((part) => part.startsWith('.'))) continue;
      files[rel] = file;
    }
  }
  if (Object.keys(files).length === 0) {
    const ok = withs['if-no-files-found'] !== 'error';
    return { ok, message: `upload-artifact: no files found for ${name}` };
  }
  options.artifacts.put(name, runId, files, withs['retention-days']);
  // actions/upload-artifact@v4 outputs the artifact's id and its download page.
  const id = String(options.artifacts.items.size);
  return { ok: true, message: `uploaded ${name}: ${Object.keys(files).sort().join(', ')}`, outputs: { 'artifact-id': id, 'artifact-url': `https://github.example/artifacts/${id}` } };
}

function downloadArtifact(withs: Record<string, string>, options: RunActionOptions): UsesResult {
  const name = withs.name ?? '';
  const item = options.artifacts.items.get(name);
  if (name === '' || item === undefined) return { ok: false, message: `download-artifact: Unable to find artifact '${name}'` };
  if ((withs['run-id'] ?? '') !== '' && withs['run-id'] !== item.runId) return { ok: false, message: `download-artifact: ${name} is not an artifact of run ${withs['run-id'] ?? ''}` };
  if ((withs['run-id'] ?? '') !== '' && (withs['github-token'] ?? '') === '') return { ok: false, message: 'download-artifact: run-id needs github-token' };
  cpSync(item.dir, join(options.workspace, withs.path ?? '.'), { recursive: true });
  return { ok: true, message: `downloaded ${name}` };
}

async function runOne(step: ActionStep, scope: Scope, options: RunActionOptions, temp: string, summaryFile: string): Promise<StepRecord> {
  const name = step.name ?? step.uses ?? step.id ?? '(unnamed)';
  const base = { name, id: step.id };
  if (step.uses !== undefined) {
    const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)]));
    const action = step.uses.replace(/@.*$/, '');
    const result =
      action === 'actions/setup-node'
        ? { ok: true, message: `node ${withs['node-version'] ?? ''}` }
        : action === 'actions/upload-artifact'
          ? uploadArtifact(withs, options, String(options.github.run_id))
          : action === 'actions/download-artifact'
            ? downloadArtifact(withs, options)
            : undefined;
    if (result === undefined) throw new Error(`the test runner does not play ${step.uses}`);
    return { ...base, outcome: result.ok ? 'success' : 'failure', outputs: result.outputs ?? {}, stdout: `${result.message}\n`, stderr: '', env: {} };
  }
  if (step.run === undefined || step.shell !== 'bash') throw new Error(`step ${name}: a composite run step needs shell: bash`);
  const outputFile = join(temp, `output-${step.id ?? 'step'}-${Date.now()}`);
  writeFileSync(outputFile, '');
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, scope)]));
  const env: Record<string, string> = {
    ...options.env,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_ACTION_PATH: REPO_ROOT,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: temp,
    ...stepEnv,
  };
  const run = await bash(interpolate(step.run, scope), options.workspace, env);
  return { ...base, outcome: run.code === 0 ? 'success' : 'failure', outputs: parseOutputs(readFileSync(outputFile, 'utf8')), stdout: run.stdout, stderr: run.stderr, env: stepEnv };
}

/** Runs every step of action.yml once, in order, as the runner would. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const action = loadAction();
  const temp = mkdtempSync(join(tmpdir(), 'vr-runner-'));
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  try {
    const stepIds = new Set(action.runs.steps.flatMap((s) => (s.id === undefined ? [] : [s.id])));
    const steps = new Map<string, StepRecord>();
    const records: StepRecord[] = [];
    let failed = false;
    const scope = (): Scope => ({ action, inputs, github: options.github, runner: { temp, os: 'Linux' }, steps, stepIds, failed });
    const inputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (!(name in options.inputs) && spec.required === true) throw new Error(`input ${name} is required`);
    }
    for (const name of Object.keys(options.inputs)) if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
    for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = options.inputs[name] ?? interpolate(spec.default ?? '', scope());
    for (const step of action.runs.steps) {
      const record = condition(step.if, scope())
        ? await runOne(step, scope(), options, temp, summaryFile)
        : { name: step.name ?? step.uses ?? '', id: step.id, outcome: 'skipped' as const, outputs: {}, stdout: '', stderr: '', env: {} };
      if (record.outcome === 'failure') failed = true;
      records.push(record);
      if (step.id !== undefined) steps.set(step.id, record);
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, spec]) => [name, interpolate(spec.value, scope())]));
    return {
      failed,
      steps: records,
      outputs,
      summary: readFileSync(summaryFile, 'utf8'),
      log: records.map((r) => `## ${r.name} (${r.outcome})\n${r.stdout}${r.stderr}`).join('\n'),
      step(name) {
        const found = records.find((r) => r.name === name || r.id === name);
        if (found === undefined) throw new Error(`no step ${name}`);
        return found;
      },
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * `npm run bench`: runs every benchmark (or those named on the command line), writes
 * bench/results/<name>.json and a summary bench/results/SUMMARY.md, and prints the figures.
 * Targets are reported, never asserted: a missed target shows as FAIL here, not as a red test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { packageRoot } from '../src/version.js';
import type { Bench, BenchReport } from './types.js';

const BENCHES: Readonly<Record<string, () => Promise<{ default: Bench }>>> = {
  plan: () => import('./plan.js'),
  'client-read': () => import('./client-read.js'),
  simulator: () => import('./simulator.js'),
  'simulator-scale': () => import('./simulator-scale.js'),
  apply: () => import('./apply.js'),
  loader: () => import('./loader.js'),
  e2e: () => import('./e2e.js'),
  groups: () => import('./groups.js'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const reports: BenchReport[] = [];
  for (const name of names) {
    const load = BENCHES[name];
    if (load === undefined) {
      console.error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`);
      process.exitCode = 1;
      return;
    }
    console.log(`== ${name}`);
    const report = await (await load()).default();
    reports.push(report);
    const stamped = { ...report, machine, date: new Date().toISOString() };
    writeFileSync(join(resultsDir, `${report.name}.json`), JSON.stringify(stamped, null, 2) + '\n');
    for (const [key, value] of Object.entries(report.figures)) console.log(`  ${key}: ${value}`);
    for (const t of report.targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.detail}`);
  }
  const lines = [`# Benchmark results`, '', `Machine: ${machine}. Date: ${new Date().toISOString()}.`, ''];
  for (const r of reports) {
    lines.push(`## ${r.name}`, '', '| figure | value |', '| --- | --- |');
    for (const [key, value] of Object.entries(r.figures)) lines.push(`| ${key} | ${value} |`);
    lines.push('', '| target | result | measured |', '| --- | --- | --- |');
    for (const t of r.targets) lines.push(`| ${t.name} | ${t.pass ? 'pass' : 'FAIL'} | ${t.detail} |`);
    lines.push('');
  }
  if (wanted.length === 0) writeFileSync(join(resultsDir, 'SUMMARY.md'), lines.join('\n'));
}

await main();

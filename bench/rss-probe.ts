/**
 * Preloaded into a CLI child by the end-to-end benchmark (`node --import …/rss-probe.js`): at
 * exit, writes the process's peak resident set size (KiB) and CPU time (µs) as JSON to the file
 * VAULT_ROSTER_BENCH_RSS names. The benchmark then knows each command's own peak memory, not its
 * parent's, and its CPU time, which other work on a shared machine disturbs less than wall time.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.VAULT_ROSTER_BENCH_RSS;
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime }));
  });
}

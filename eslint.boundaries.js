// The architecture's import rules (README "How it works"), as lint: each src/ folder may import
// only the folders below it. `test/lint-boundaries.test.ts` plants forbidden imports to prove it.
const folders = ['cli', 'evidence', 'review', 'report', 'apply', 'doctor', 'state', 'render', 'plan', 'desired', 'vault', 'vault-api', 'import', 'simulator'];

/** Import patterns of the folders a file in `folder` must not reach, as seen from that folder. */
function others(allowed) {
  return folders.filter((f) => !allowed.includes(f)).flatMap((f) => [`../${f}/*`, `../../${f}/*`]);
}

/** Node modules that do I/O: the pure stages may not use them. */
const IO_MODULES = ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process', 'node:worker_threads', 'node:dgram', 'ky'];

/** folder → what it may import besides the shared leaf modules (model, diagnostics, errors, specs, version, last-login). */
const RULES = {
  plan: { allow: ['plan', 'vault-api'], pure: true },
  render: { allow: ['render', 'plan'], pure: true, publicOnly: ['plan'] },
  'vault-api': { allow: ['vault-api', 'plan'], pure: true, only: ['../plan/types.js'] },
  desired: { allow: ['desired', 'vault-api'] },
  vault: { allow: ['vault', 'vault-api', 'plan'], only: ['../plan/types.js'] },
  state: { allow: ['state', 'plan'], publicOnly: ['plan'] },
  apply: { allow: ['apply', 'plan', 'state', 'vault'], publicOnly: ['plan', 'state', 'vault'] },
  import: { allow: ['import', 'desired'] },
  // evidence reads journals, kept plans and git objects; it renders the plan it bundles.
  evidence: { allow: ['evidence', 'apply', 'plan', 'render', 'desired'], publicOnly: ['apply', 'plan', 'render', 'desired'] },
  report: { allow: ['report', 'plan', 'desired'], publicOnly: ['plan', 'desired'] },
  // review reads journals (review records) and renders Markdown with the plan views' escaping.
  review: { allow: ['review', 'plan', 'desired', 'render', 'apply'], publicOnly: ['plan', 'desired', 'render', 'apply'] },
  // doctor reads Vault and writes a capture in the simulator's own seed / profile formats (types only).
  doctor: { allow: ['doctor', 'vault', 'vault-api', 'state', 'simulator'] },
  simulator: { allow: ['simulator'] },
};

function patternsFor(folder, rule) {
  const groups = [{ group: others(rule.allow), message: `src/${folder} may import only ${rule.allow.join(', ')} and the shared modules (model, diagnostics, errors, specs, version, last-login).` }];
  for (const target of rule.publicOnly ?? []) {
    groups.push({ group: [`../${target}/*`, `!../${target}/index.js`], message: `src/${folder} may use src/${target} only through its index.js.` });
  }
  if (rule.only !== undefined) {
    const target = rule.only[0].split('/')[1];
    groups.push({ group: [`../${target}/*`, ...rule.only.map((p) => `!${p}`)], message: `src/${folder} may import only ${rule.only.join(', ')} from src/${target} (types).` });
  }
  if (rule.pure === true) groups.push({ group: IO_MODULES, message: `src/${folder} is pure: no I/O modules.` });
  return groups;
}

export const boundaries = Object.entries(RULES).map(([folder, rule]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: patternsFor(folder, rule) }] },
}));

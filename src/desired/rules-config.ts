/** Semantic rules over roster.yaml itself. */
import type { Diagnostic } from '../diagnostics.js';
import type { ConfigEntry } from './entries.js';

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** Credentials go over this URL: plain http is only acceptable on loopback (the simulator). */
export function insecureUrl(config: ConfigEntry): Diagnostic[] {
  const url = config.raw.vault.url;
  if (url === undefined) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [
      {
        severity: 'error',
        code: 'invalid-value',
        summary: `"${url}" is not a valid URL`,
        hint: 'Use the Vault base URL, e.g. https://myvault.veevavault.com.',
        position: config.yaml.locate(['vault', 'url'], 'value'),
      },
    ];
  }
  if (parsed.protocol === 'https:' || isLoopbackHost(parsed.hostname)) return [];
  return [
    {
      severity: 'error',
      code: 'insecure-url',
      summary: `vault.url uses http:// for ${parsed.hostname}; credentials would travel unencrypted`,
      hint: 'Use https://; http:// is accepted only for loopback hosts (the local simulator).',
      position: config.yaml.locate(['vault', 'url'], 'value'),
    },
  ];
}

export function checkConfigRules(config: ConfigEntry): Diagnostic[] {
  return [...insecureUrl(config)];
}

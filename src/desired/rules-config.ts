/** Semantic rules over roster.yaml itself. */
import type { Diagnostic } from '../diagnostics.js';
import type { ConfigEntry, UserEntry } from './entries.js';
import { everyString, excerpt, SECURITY_PROFILE_LIMIT, tooLong, unsafeNumber, USER_KEY_LIMITS, type ValueSite } from './rules-text.js';
import type { DataPath } from './yaml-file.js';

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

/** Defaults and protected users within Vault's limits, clean characters everywhere (see rules-text.ts). */
export function configValuesWithinLimits(config: ConfigEntry): Diagnostic[] {
  const raw = config.raw;
  const site = (path: DataPath): ValueSite => ({ yaml: config.yaml, path });
  const found: Diagnostic[] = [];
  const defaults = raw.defaults ?? {};
  for (const key of ['timezone', 'locale', 'language'] as const) {
    const value = defaults[key];
    const limit = USER_KEY_LIMITS[key];
    if (value !== undefined && limit !== undefined) found.push(...tooLong(site(['defaults', key]), value, limit.max, limit.field));
  }
  if (defaults.security_profile !== undefined) {
    found.push(...tooLong(site(['defaults', 'security_profile']), defaults.security_profile, SECURITY_PROFILE_LIMIT.max, SECURITY_PROFILE_LIMIT.field));
  }
  if (typeof defaults.security_policy === 'number') found.push(...unsafeNumber(site(['defaults', 'security_policy']), defaults.security_policy, 'text'));
  if (raw.vault.vault_id !== undefined) found.push(...unsafeNumber(site(['vault', 'vault_id']), raw.vault.vault_id, 'vault id'));
  const userName = USER_KEY_LIMITS.user_name;
  (raw.policy?.protected_users ?? []).forEach((name, index) => {
    if (userName !== undefined) found.push(...tooLong(site(['policy', 'protected_users', index]), name, userName.max, userName.field));
  });
  const kind = (path: DataPath): 'plain' | 'identity' => (path[0] === 'policy' && path[1] === 'protected_users' ? 'identity' : 'plain');
  // Include patterns are checked where they are expanded (include.ts), before any file access.
  found.push(...everyString(config.yaml, [], { ...raw, include: [] }, undefined, kind));
  return found;
}

export function checkConfigRules(config: ConfigEntry): Diagnostic[] {
  return [...insecureUrl(config), ...configValuesWithinLimits(config)];
}

/**
 * With `vault.body_format: csv`, every value a bulk row can carry must have a CSV form. Vault's
 * CSV takes no carriage return inside a value ("CSV Format Deviations from RFC", Vault API
 * references), and only free text under `fields` may hold one, so those are refused here,
 * before any write, rather than when their batch is encoded.
 */
export function csvBodyValues(users: readonly UserEntry[], config: ConfigEntry | undefined): Diagnostic[] {
  if (config?.raw.vault.body_format !== 'csv') return [];
  return users.flatMap((entry) =>
    Object.entries(entry.raw.fields ?? {}).flatMap(([field, value]): Diagnostic[] => {
      if (typeof value !== 'string' || !value.includes('\r')) return [];
      return [
        {
          severity: 'error',
          code: 'control-character',
          summary: `fields.${field} contains a carriage return, which Vault does not take inside a CSV value (vault.body_format: csv): "${excerpt(value)}"`,
          hint: 'Use line feeds only (\\n), or set vault.body_format: json in roster.yaml.',
          position: entry.yaml.locate([...entry.path, 'fields', field], 'value'),
          subject: { user: excerpt(entry.raw.user_name, 60) },
        },
      ];
    }),
  );
}

import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import { parseAuthResponse, verifySessionVault } from '../../src/vault/auth.js';

const vaults = [
  { id: 3003, name: 'VeePharm RIM', url: 'https://veepharm-rim.veevavault.com/api' },
  { id: 5005, name: 'VeePharm Clinical', url: 'https://VeePharm-Clinical.veevavault.com/api' },
];

describe('verifySessionVault', () => {
  it.each([
    ['expected vault, no DNS', 5005, 5005, undefined, null],
    ['expected vault and its DNS', 5005, 5005, 'veepharm-clinical.veevavault.com', null],
    ['nothing to check against', 3003, undefined, undefined, null],
    ['DNS not in the list: nothing to compare', 3003, undefined, 'other.veevavault.com', null],
    ['defaulted away from vault_id', 3003, 5005, 'veepharm-clinical.veevavault.com', /logged in to vault 3003 \(VeePharm RIM\) for vaultDNS veepharm-clinical.veevavault.com, not the intended vault 5005 \(VeePharm Clinical\)/],
    ['defaulted away from the DNS (host compared without case)', 3003, undefined, 'veepharm-clinical.veevavault.com', /not the intended vault 5005/],
    ['vault_id disagrees with the DNS it logged in to', 3003, 5005, 'veepharm-rim.veevavault.com', /not the intended vault 5005/],
  ])('%s', (_name, actual, expected, dns, error) => {
    const run = (): void => {
      verifySessionVault({ vaultId: actual, vaults }, { expectedVaultId: expected, vaultDns: dns });
    };
    if (error === null) {
      expect(run).not.toThrow();
    } else {
      expect(run).toThrow(error);
      try {
        run();
      } catch (e) {
        expect((e as VaultRosterError).code).toBe('auth-wrong-vault');
        expect((e as VaultRosterError).hint).toMatch(/vault_id/);
      }
    }
  });
});

describe('parseAuthResponse', () => {
  it('accepts ids as numbers or strings', () => {
    expect(
      parseAuthResponse({ responseStatus: 'SUCCESS', sessionId: 'S', userId: '12021', vaultId: '1776', vaultIds: [{ id: '1776', name: 'PromoMats', url: 'https://p.veevavault.com/api' }] }),
    ).toEqual({ sessionId: 'S', userId: 12021, vaultId: 1776, vaults: [{ id: 1776, name: 'PromoMats', url: 'https://p.veevavault.com/api' }] });
  });

  it('refuses an answer without a session', () => {
    expect(() => parseAuthResponse({ responseStatus: 'SUCCESS', vaultId: 1 })).toThrow(VaultRosterError);
  });
});

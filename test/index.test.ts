import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API (src/index.ts)', () => {
  it('exports each stage entry point as a function', () => {
    for (const name of ['loadDesiredState', 'readLiveState', 'createPlan', 'renderPlan', 'applyPlan', 'admitPlan', 'startSimulator', 'createVaultClient', 'exportDesiredState']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(api.PLAN_FORMAT_VERSION).toBe(2);
  });
});

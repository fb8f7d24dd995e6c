/**
 * vault-roster as a library: the five stages and their data, by name. The CLI (src/cli) is
 * built on exactly these.
 *
 *   loadDesiredState → DesiredState ─┐
 *   readLiveState    → LiveState ────┴→ createPlan → Plan → renderPlan (text | json | markdown)
 *                                                       └→ applyPlan (admitPlan, then run) → ApplyReport
 */

// Data shared by every stage.
export type {
  AppLicense,
  AppliedSiteVaultPerson,
  ClinicalPerson,
  DesiredSiteVaultPerson,
  DesiredState,
  DesiredUser,
  LicenseType,
  LicenseUsage,
  LiveState,
  LastLogin,
  LiveUser,
  Membership,
  Policy,
  SiteVaultPerson,
  UserRecord,
  VaultTarget,
} from './model.js';
export { formatDiagnosticsJson, formatDiagnosticsText, type Diagnostic, type Severity } from './diagnostics.js';
export { DiagnosticsError, TransportError, VaultApiError, VaultRosterError } from './errors.js';

// Stage 1: the YAML repo.
export { loadDesiredState, type LoadResult } from './desired/index.js';

// Stage 2: Vault.
export { createVaultClient, readLiveState, resolveConnection, type VaultClient, type VaultClientOptions } from './vault/index.js';

// Stage 3: the plan (pure) and its views (pure).
export { createPlan, PLAN_FORMAT_VERSION, type Change, type Operation, type OperationKind, type Plan, type PlanOptions } from './plan/index.js';
export { renderPlan } from './render/index.js';

// Stage 4: apply.
export { admitPlan, applyPlan, formatCounts, readPlanFile, vaultPort, type ApplyEvent, type ApplyInput, type ApplyReport } from './apply/index.js';

// Around them: the state file, import, and the local simulator.
export { readStateFile, writeStateFile, type StateFile } from './state/index.js';
export { exportDesiredState } from './import/index.js';
export { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorSeed } from './simulator/index.js';
export { TOOL_VERSION } from './version.js';

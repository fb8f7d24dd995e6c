/**
 * Audit evidence (README "Audit evidence"): the bundle of an apply (bundle.ts), its check
 * (verify.ts) and the as-of access listing (as-of.ts). Reads journals, kept plans and git; the
 * read-back from Vault is done by the caller (the CLI) and handed in.
 */
export { assertNewOut, writeBundle, MANIFEST, type BundleInput, type BundleResult, type Manifest } from './bundle.js';
export { verifyBundle, type BundleVerdict } from './verify.js';
export { readJournalRuns, type JournalRuns, type RunRecord } from './journal-runs.js';
export type { ReadBack, ChangeEvidence } from './changes.js';
export { asOf, parseAsOfDate, AS_OF_LIMITS, type AsOfReport, type UserAccess } from './as-of.js';
export { asOfText } from './as-of-text.js';

/**
 * Vault's wire format, in one pure module: field names, the `vault_membership` /
 * `app_licensing` encodings, endpoint paths and limits. `plan/`, `desired/` and `vault/` may
 * import it; the simulator must not (it keeps its own reading of the API, so a wrong guess here
 * cannot pass every test). No I/O.
 */
export * from './limits.js';
export * from './user-fields.js';
export * from './membership-encode.js';
export * from './membership-decode.js';
export * from './paths.js';
export * from './users-write.js';
export * from './sitevault-write.js';
export * from './value-decode.js';
export * from './csv-encode.js';
export * from './groups.js';

/** Vault's documented limits that the planner and the client both obey. */

/** Most rows Vault accepts in one bulk user call (VAULT-API.md §5.5, §5.7). */
export const MAX_BATCH_ROWS = 500;

/** The largest page vault-roster asks Retrieve All Users for (§5.2 [INF]); Vault's default is 200. */
export const USER_PAGE_SIZE = 1000;

/** Retrieve All Users' documented default page size (§5.2). */
export const DEFAULT_USER_PAGE_SIZE = 200;

/** Default Vault burst limit: 2,000 calls per 5-minute window (VAULT-API.md §4.1). */
export const DEFAULT_BURST_LIMIT = 2000;

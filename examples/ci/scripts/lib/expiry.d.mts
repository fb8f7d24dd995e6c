// Types for expiry.mjs, so the TypeScript tests can call the rule directly.
export declare const PLAN_FORMAT: number;
export interface Expiry {
  user: string;
  what: string;
  date: string;
  reason: string;
  vault_id?: number;
}
export declare function classifyPlan(plan: unknown): {
  expiries: Expiry[];
  others: { key: string; subject: string; action: string; why: string }[];
  blockers: string[];
  expiryOnly: boolean;
};

// Types for approvals.mjs, so the TypeScript tests can call the pure rules directly.
export interface Review {
  id: number;
  user: { login: string; type?: string };
  state: string;
  commit_id?: string;
  submitted_at?: string;
  html_url?: string;
}
export interface Profile {
  id?: number;
  name?: string | null;
  email?: string | null;
}
export declare function latestVerdicts(reviews: readonly Review[]): Review[];
export declare function countedApprovals(reviews: readonly Review[], options: { head: string; anyCommit?: boolean }): { counted: Review[]; skipped: string[] };
export declare function printedName(profile: Profile | null, login: string): string;
export declare function approverEmail(profile: Profile | null, login: string): string;
export declare function approvalRef(review: Review, pr: number): string;
export declare function applyArguments(approvals: readonly { by: string; meaning: string; ref: string; at?: string }[]): string[];

// Types for apply-log.mjs, so the TypeScript tests can call the parser directly.
export interface ApplyLogResult {
  outcome: 'applied' | 'failed' | 'already-applied' | 'refused';
  planId?: string;
  counts?: Record<string, number>;
  countsText?: string;
  failures: { key: string; type: string; message: string }[];
  journal?: string;
  journalHead?: string;
  resumed: boolean;
}
export declare function parseApplyLog(log: string, exitCode: number): ApplyLogResult;
export declare function logTail(log: string, lines?: number): string;

/**
 * Apply events: the interface between the applier and whoever watches it (TTY progress,
 * JSON lines, the journal). The applier emits; reporters subscribe. Events carry user keys,
 * Vault ids and error types: never a secret.
 */

export type ApplyEvent =
  | { readonly type: 'batch_started'; readonly op_id: string; readonly kind: string; readonly rows: number; readonly resumed: boolean }
  | {
      readonly type: 'row_result';
      readonly op_id: string;
      readonly key: string;
      readonly ok: boolean;
      readonly id?: string;
      readonly error_type?: string;
      readonly message?: string;
    }
  | { readonly type: 'row_skipped'; readonly op_id: string; readonly key: string; readonly reason: 'done' | 'dependency_failed' }
  | { readonly type: 'batch_finished'; readonly op_id: string; readonly ok: number; readonly failed: number }
  /** The client waits (burst window, retry backoff, login limit): how long is left, in words too. */
  | { readonly type: 'wait'; readonly reason: string; readonly left_ms: number; readonly message: string }
  /** The stop signal came: no new batch is sent; `not_sent` rows are left for a resume. */
  | { readonly type: 'interrupted'; readonly not_sent: number };

export type ApplyListener = (event: ApplyEvent) => void;

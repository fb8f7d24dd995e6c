// Types for body.mjs, so the TypeScript tests can call the pure helpers directly.
export declare const GITHUB_BODY_LIMIT: number;
export declare const DEFAULT_BODY_BUDGET: number;
export declare const TRUNCATION_NOTICE: string;
export declare function withMarker(body: string, marker: string): string;
export declare function hasMarker(body: unknown, marker: string): boolean;
export declare function fitBody(body: string, options?: { footer?: string; budget?: number; notice?: string }): string;
export declare function fenceFor(text: string): string;
export declare function stripAnsi(text: string): string;

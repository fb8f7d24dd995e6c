/**
 * Views over a plan: `renderPlan(plan, format, options)` → text for a terminal, the JSON plan
 * document, or Markdown for a pull-request comment. Views compute nothing about Vault: counts,
 * actions and risks come from the plan, and the shared summary keeps the three in agreement.
 * Pure: no I/O, no clock, no environment (colour is decided by the caller).
 */
import type { Plan } from '../plan/index.js';
import type { OutputSink } from './chunks.js';
import { renderJson, writeJson } from './json.js';
import { renderMarkdown, writeMarkdown } from './markdown.js';
import { renderText, writeText } from './text.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export interface RenderOptions {
  /** ANSI colours in the text view (the CLI passes false for NO_COLOR or no TTY). */
  readonly color: boolean;
  /** Markdown size budget; default 60,000 characters (GitHub's limit is 65,536). */
  readonly max_markdown_chars?: number | undefined;
  /** Where the full plan is, named by the Markdown truncation notice (e.g. an artifact name). */
  readonly artifact_hint?: string | undefined;
  /** Link to the full plan (CI artifact or run page) that the Markdown view gives wherever it cuts. */
  readonly plan_url?: string | undefined;
}

/**
 * The view as one string. A view longer than a string can hold (a text or JSON plan of several
 * hundred thousand users) is a VaultRosterError `output-too-large`; `writePlan` has no such limit.
 */
export function renderPlan(plan: Plan, format: PlanFormat, options: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(plan, { color: options.color });
    case 'json':
      return renderJson(plan);
    case 'markdown':
      return renderMarkdown(plan, { max_markdown_chars: options.max_markdown_chars, artifact_hint: options.artifact_hint, plan_url: options.plan_url });
    default: {
      const never: never = format;
      throw new Error(`unknown plan format ${String(never)}`);
    }
  }
}

/** Writes the view to `sink` in chunks of about 64 KiB, in order: for output of any size (e.g. straight to stdout). */
export function writePlan(plan: Plan, format: PlanFormat, options: RenderOptions, sink: OutputSink): void {
  switch (format) {
    case 'text':
      writeText(plan, { color: options.color }, sink);
      return;
    case 'json':
      writeJson(plan, sink);
      return;
    case 'markdown':
      writeMarkdown(plan, { max_markdown_chars: options.max_markdown_chars, artifact_hint: options.artifact_hint, plan_url: options.plan_url }, sink);
      return;
    default: {
      const never: never = format;
      throw new Error(`unknown plan format ${String(never)}`);
    }
  }
}

export { MAX_OUTPUT_CHARS, collectOutput, type OutputSink } from './chunks.js';
export { MARKDOWN_MARKER, DEFAULT_MAX_MARKDOWN_CHARS } from './markdown.js';
export { summaryLine } from './shared.js';
export { code as markdownCode, prose as markdownProse } from './md-escape.js';

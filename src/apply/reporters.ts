/**
 * Apply reporters: subscribers to apply events. A progress line on a TTY, JSON lines with
 * `--format json`, nothing otherwise (the final count line is printed by the command).
 */
import type { ApplyEvent, ApplyListener } from './events.js';

/** Where a reporter writes: a stream, or anything with `write`. */
export interface OutputStream {
  write(chunk: string): unknown;
}

/** One JSON object per event and line, for machines. */
export function jsonLinesReporter(out: OutputStream): ApplyListener {
  return (event) => out.write(JSON.stringify(event) + '\n');
}

/**
 * A single progress line redrawn in place: rows done of rows total, failures so far.
 * Failures are also printed on their own line as they happen so none scroll away unseen.
 */
export function progressReporter(out: OutputStream, totalRows: number): ApplyListener {
  let done = 0;
  let failed = 0;
  let ended = false;
  const width = 30;
  const draw = (): void => {
    const share = totalRows === 0 ? 1 : Math.min(1, done / totalRows);
    const filled = Math.round(share * width);
    out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${totalRows} rows, ${failed} failed`);
    if (done >= totalRows && !ended) {
      ended = true;
      out.write('\n');
    }
  };
  return (event: ApplyEvent) => {
    switch (event.type) {
      case 'row_result':
        done += 1;
        if (!event.ok) {
          failed += 1;
          out.write(`\r\x1b[2K  failed: ${event.key}: ${event.error_type ?? ''} ${event.message ?? ''}\n`);
        }
        draw();
        break;
      case 'row_skipped':
        done += 1;
        draw();
        break;
      case 'batch_started':
      case 'batch_finished':
        break;
    }
  };
}

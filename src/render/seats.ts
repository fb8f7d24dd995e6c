/**
 * The plan's licence-seat preview as aligned text rows, one per vault, application and licence
 * type: licensed, used → after this plan, and the change. Shared by the views (text uses it;
 * markdown may put the same rows in a table).
 */
import type { Plan, SeatPreview } from '../plan/index.js';

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** What one row says about its figures: the numbers, or that this session cannot read them. */
export function seatFigures(row: SeatPreview): string {
  if (row.licensed === null || row.used === null || row.after === null) return `not reported to this session (${signed(row.change)})`;
  const over = row.change > 0 && row.after > row.licensed ? '  OVER' : '';
  return `${row.licensed} licensed, ${row.used} used → ${row.after} after this plan (${signed(row.change)})${over}`;
}

export function seatLines(plan: Plan): string[] {
  const rows = plan.seats ?? [];
  const labels = rows.map((r) => `vault ${r.vault_id}  ${r.application} ${r.license_type}`);
  const width = Math.max(0, ...labels.map((l) => l.length));
  return rows.map((r, i) => `  ${(labels[i] ?? '').padEnd(width)}  ${seatFigures(r)}`);
}

/**
 * The Retrieve All Users probe: two pages asked for with a large limit (1000, vault-roster's own
 * page size), what Vault did with it, and every user on them run through vault-roster's own
 * decoders (src/vault-api via normaliseLiveUser), so a shape vault-roster cannot read shows up
 * here, before any plan.
 */
import type { MembershipShape } from '../simulator/index.js';
import { isRecord, type JsonRecord } from '../vault/envelope.js';
import { isSystemUser, normaliseLiveUser } from '../vault/index.js';
import { DEFAULT_USER_PAGE_SIZE, excerpt, USER_PAGE_SIZE, WireDecodeError } from '../vault-api/index.js';
import type { Membership } from '../model.js';
import { finding, type Finding } from './findings.js';
import { inferPaging, type PageObservation, type PagingInference } from './paging.js';
import type { DoctorProbe, ReadFailure } from './probe.js';
import { classifyShape, describeRaw } from './shape.js';

const REPORT_HINT = 'Nothing is wrong on your side: run `vault-roster doctor --record DIR` and attach DIR to a bug report (README, "First run against your Vault").';

type PageRead =
  | { readonly kind: 'page'; readonly obs: PageObservation; readonly users: JsonRecord[] }
  | { readonly kind: 'refused'; readonly failure: ReadFailure }
  | { readonly kind: 'failed'; readonly failure: ReadFailure };

async function readPage(probe: DoctorProbe, start: number, limit: number): Promise<PageRead> {
  const result = await probe.get('objects/users', {
    vaults: 'all',
    exclude_vault_membership: 'false',
    exclude_app_licensing: 'false',
    limit,
    start,
  });
  if (!result.ok) {
    const refused = result.failure.errorType === 'INVALID_DATA' && limit > DEFAULT_USER_PAGE_SIZE;
    return { kind: refused ? 'refused' : 'failed', failure: result.failure };
  }
  const { body } = result.answer;
  const entries = body.users;
  const empty = entries === undefined && start > 0 && (body.size === 0 || body.size === '0');
  if (!empty && !Array.isArray(entries)) {
    const error = result.answer.malformed(entries === undefined ? 'the answer has no "users" list' : '"users" is not a list');
    return { kind: 'failed', failure: { message: error.message, hint: error.hint, errorType: undefined } };
  }
  const users = (empty ? [] : (entries as unknown[])).map((e) => (isRecord(e) && isRecord(e.user) ? e.user : isRecord(e) ? e : {}));
  return { kind: 'page', obs: { start, requested: limit, received: users.length, limit: body.limit, size: body.size }, users };
}

/** What the users probe found, for the findings and for a capture. */
export interface UsersProbe {
  readonly findings: Finding[];
  readonly paging: PagingInference | undefined;
  /** The page size that was served (1000, or 200 after a refusal); undefined when listing failed. */
  readonly pageSize: number | undefined;
  readonly shape: MembershipShape | undefined;
  /** A user without any vault membership was listed under vaults=all. */
  readonly domainOnlySeen: boolean;
}

function pageLine(label: string, p: PageObservation): string {
  const shown = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));
  return `${label}: asked limit=${p.requested} start=${p.start} -> ${p.received} users; limit ${shown(p.limit)}, size ${shown(p.size)}`;
}

function failed(id: string, title: string, failure: ReadFailure): Finding {
  return finding(id, 'FAIL', title, [failure.message], failure.hint ?? REPORT_HINT);
}

function pagingFinding(paging: PagingInference, lines: string[], refused: boolean): Finding {
  const detail = [...lines, ...paging.notes];
  if (paging.anomalies.length > 0) {
    return finding('users-paging', 'FAIL', 'Retrieve All Users pages in a way vault-roster does not know', [...detail, ...paging.anomalies], REPORT_HINT);
  }
  const note = 'vault-roster pages by the users it receives (never by size or limit) and stops at an empty or short page.';
  if (refused) {
    return finding('users-paging', 'WARN', `Retrieve All Users refused limit=${USER_PAGE_SIZE}; vault-roster falls back to ${DEFAULT_USER_PAGE_SIZE} per page`, [...detail, note],
      `Set vault.page_size: ${DEFAULT_USER_PAGE_SIZE} in roster.yaml to skip the refused call on every run.`);
  }
  const cap = paging.read.pageCap;
  const title = cap !== undefined && cap < USER_PAGE_SIZE ? `Retrieve All Users serves at most ${cap} users per page` : 'Retrieve All Users pages as vault-roster expects';
  return finding('users-paging', 'OK', title, [...detail, note]);
}

function decodeProblem(user: JsonRecord, error: WireDecodeError): string {
  const id = typeof user.id === 'number' || typeof user.id === 'string' ? String(user.id) : '(no id)';
  // Only the membership blocks are quoted: other fields may hold a person's name.
  const membershipField = /^(vault_membership|app_licensing)/.test(error.field);
  const value = membershipField ? excerpt(error.value) : describeRaw(error.value);
  return `user ${id}, field ${error.field}: ${error.reason} (value ${value})`;
}

function membershipText(memberships: readonly Membership[]): string {
  if (memberships.length === 0) return 'no vault membership';
  return memberships
    .map((m) => {
      const apps = Object.entries(m.apps ?? {}).map(([app, a]) => `${app} ${a.active ? 'active' : 'inactive'} ${a.license_type}`);
      return `${m.vault_id} ${m.active ? 'active' : 'inactive'} ${m.security_profile} ${m.license_type}${apps.length > 0 ? ` [${apps.join(', ')}]` : ''}`;
    })
    .join('; ');
}

interface Decoded {
  readonly problems: string[];
  readonly samples: string[];
  readonly shapes: Set<MembershipShape>;
  readonly domainOnlySeen: boolean;
  readonly count: number;
}

const SAMPLES = 3;

function decodeAll(users: readonly JsonRecord[]): Decoded {
  const problems: string[] = [];
  const samples: string[] = [];
  const shapes = new Set<MembershipShape>();
  let domainOnlySeen = false;
  // Users with app licences first, so the samples show both blocks when the domain has any.
  const ordered = [...users].sort((a, b) => Number(Array.isArray(b.app_licensing) || typeof b.app_licensing === 'string') - Number(Array.isArray(a.app_licensing) || typeof a.app_licensing === 'string'));
  for (const user of ordered) {
    const shape = classifyShape(user.vault_membership, user.app_licensing);
    if (shape !== undefined) shapes.add(shape);
    let memberships: readonly Membership[];
    try {
      memberships = normaliseLiveUser(user).memberships;
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      problems.push(decodeProblem(user, error));
      continue;
    }
    const system = isSystemUser(user);
    if (!system && memberships.length === 0) domainOnlySeen = true;
    if (!system && memberships.length > 0 && samples.length < SAMPLES * 3) {
      samples.push(
        `user ${String(user.id)}: vault_membership = ${describeRaw(user.vault_membership)}; app_licensing = ${describeRaw(user.app_licensing)}`,
        `  raw: ${excerpt(user.vault_membership, 120)} | ${excerpt(user.app_licensing, 120)}`,
        `  vault-roster reads: ${membershipText(memberships)}`,
      );
    }
  }
  return { problems, samples, shapes, domainOnlySeen, count: users.length };
}

function decodingFinding(decoded: Decoded): Finding {
  const shapes = [...decoded.shapes];
  const shapeLine = shapes.length === 0 ? 'no user on these pages carries a membership to tell the shape by' : `shape: ${shapes.join(', ')}`;
  if (decoded.problems.length > 0) {
    return finding('user-decoding', 'FAIL', `${decoded.problems.length} of ${decoded.count} users cannot be read by vault-roster`, [...decoded.problems.slice(0, 20), shapeLine, ...decoded.samples],
      `vault-roster refuses to plan while any user cannot be read. ${REPORT_HINT}`);
  }
  const detail = [shapeLine, ...decoded.samples];
  if (shapes.length > 1) return finding('user-decoding', 'WARN', `vault_membership / app_licensing come in more than one shape (${shapes.join(', ')})`, detail, REPORT_HINT);
  return finding('user-decoding', 'OK', `vault_membership / app_licensing of ${decoded.count} users read without a problem`, detail);
}

export async function probeUsers(probe: DoctorProbe): Promise<UsersProbe> {
  let first = await readPage(probe, 0, USER_PAGE_SIZE);
  let refusedAbove: number | undefined;
  if (first.kind === 'refused') {
    refusedAbove = USER_PAGE_SIZE;
    first = await readPage(probe, 0, DEFAULT_USER_PAGE_SIZE);
  }
  if (first.kind !== 'page') {
    return { findings: [failed('users-paging', 'Retrieve All Users could not be read', first.failure)], paging: undefined, pageSize: undefined, shape: undefined, domainOnlySeen: false };
  }
  const lines = [...(refusedAbove === undefined ? [] : [`asked limit=${refusedAbove}: refused (INVALID_DATA)`]), pageLine('page 1', first.obs)];
  let users = first.users;
  let secondObs: PageObservation | undefined;
  if (first.obs.received > 0) {
    const second = await readPage(probe, first.obs.received, first.obs.requested);
    if (second.kind !== 'page') return { findings: [failed('users-paging', 'The second page of Retrieve All Users could not be read', second.failure)], paging: undefined, pageSize: undefined, shape: undefined, domainOnlySeen: false };
    secondObs = second.obs;
    lines.push(pageLine('page 2', second.obs));
    users = [...users, ...second.users];
  }
  const paging = inferPaging(first.obs, secondObs, refusedAbove);
  const decoded = decodeAll(users);
  const shape = decoded.shapes.size === 1 ? [...decoded.shapes][0] : undefined;
  return {
    findings: [pagingFinding(paging, lines, refusedAbove !== undefined), decodingFinding(decoded)],
    paging,
    pageSize: first.obs.requested,
    shape,
    domainOnlySeen: decoded.domainOnlySeen,
  };
}

/**
 * Security policies, domain information, application license usage and user metadata
 * (VAULT-API.md §7, §5.10, §5.1).
 */
import { LICENSE_TYPES } from '../../model.js';
import { authedRoute, success, VaultFailure, type AuthedContext, type JsonBody, type Route } from '../http.js';
import { isDomainActive, isDomainAdmin, membershipOf } from '../records.js';
import { READ_ONLY_FIELDS, USER_FIELDS, type FieldDef } from '../user-fields.js';
import type { SimCore } from '../core.js';

function policyUrl(ctx: AuthedContext, name: string): string {
  return `https://${ctx.vault.dns}/api/${ctx.apiVersion}/objects/securitypolicies/${name}`;
}

function listPolicies(ctx: AuthedContext, core: SimCore) {
  return success({
    security_policies__v: core.store.policies.map((p) => ({ name__v: p.name, label__v: p.label, value__v: policyUrl(ctx, p.name) })),
  });
}

function onePolicy(ctx: AuthedContext, core: SimCore) {
  const policy = core.store.policies.find((p) => p.name === ctx.params.name);
  if (policy === undefined) throw new VaultFailure('MALFORMED_URL', `security policy [${ctx.params.name ?? ''}] not found`);
  const authLabel = { password: 'Password', sso: 'SAML (Single Sign-on)', veevaid: 'VeevaID' }[policy.authType];
  return success({
    security_policy__v: {
      policy_details__v: { name__v: policy.name, label__v: policy.label, description__v: policy.description, is_active__v: true },
      policy_security_settings__v: {
        authentication_type__v: { name__v: policy.authType, label__v: authLabel },
        passwords_require_number__v: policy.authType === 'password',
        min_password_length__v: policy.authType === 'password' ? 8 : null,
        password_expiration__v: 90,
        password_history_reuse__v: 5,
      },
    },
  });
}

function domainInfo(ctx: AuthedContext, core: SimCore) {
  if (!isDomainAdmin(ctx.caller)) throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] is not a Domain Admin`);
  const withApps = (ctx.query.include_application ?? 'false').toLowerCase() === 'true';
  const store = core.store;
  return success({
    domain__v: {
      domain_name__v: store.domain.name,
      domain_type__v: store.domain.type,
      vaults__v: store.vaultList.map((v) => ({
        id: v.id,
        vault_name__v: v.name,
        vault_status__v: v.status,
        vault_family__v: { name__v: v.family, label__v: v.family.replace(/__v$/, '').toUpperCase() },
        ...(withApps ? { vault_application__v: [...v.apps.values()].map((a) => ({ name: a.name, label: a.label })) } : {}),
      })),
    },
  });
}

function licenseUsage(ctx: AuthedContext, core: SimCore) {
  const vault = ctx.vault;
  const used = new Map<string, number>();
  for (const id of core.store.allIds()) {
    const user = core.store.user(id);
    if (user === undefined || user.systemOwned || !isDomainActive(user) || membershipOf(user, vault.id)?.active !== true) continue;
    for (const app of user.apps) {
      if (app.vault_id === vault.id && app.active) used.set(`${app.app}|${app.license}`, (used.get(`${app.app}|${app.license}`) ?? 0) + 1);
    }
  }
  const applications = [...vault.apps.values()].map((app) => {
    const userLicensing: JsonBody = {};
    for (const [type, licensed] of app.licenses) {
      userLicensing[type] = { licensed, used: used.get(`${app.name}|${type}`) ?? 0, shared: false };
    }
    return { application_name: app.name, user_licensing: userLicensing };
  });
  return success({ applications });
}

const TYPES: Readonly<Record<FieldDef['kind'], string>> = {
  string: 'String',
  username: 'String',
  email: 'String',
  timezone: 'String',
  locale: 'String',
  language: 'String',
  boolean: 'Boolean',
  policy: 'ObjectReference',
};

function userMetadata(ctx: AuthedContext) {
  const properties: JsonBody[] = Object.entries(USER_FIELDS).map(([name, def]) => ({
    name,
    type: TYPES[def.kind],
    ...(def.length > 0 ? { length: def.length } : {}),
    editable: true,
    queryable: def.queryable !== false,
    required: def.required === true,
    multivalue: false,
    onCreateEditable: def.notOnCreate !== true,
    ...(def.kind === 'policy' ? { object: 'securitypolicies' } : {}),
  }));
  const readOnly: Readonly<Record<string, JsonBody>> = {
    id: { type: 'id', length: 20 },
    created_date__v: { type: 'Calendar' },
    modified_date__v: { type: 'Calendar' },
    last_login__v: { type: 'Calendar' },
    created_by__v: { type: 'ObjectReference', object: 'users' },
    modified_by__v: { type: 'ObjectReference', object: 'users' },
    domain_id__v: { type: 'ObjectReference', object: 'domains' },
    domain_name__v: { type: 'String', length: 255 },
    vault_id__v: { type: 'ObjectReference', object: 'vaults', multivalue: true },
    group_id__v: { type: 'ObjectReference', object: 'groups', multivalue: true },
  };
  for (const name of READ_ONLY_FIELDS) {
    properties.push({ name, multivalue: false, ...readOnly[name], editable: false, queryable: true, required: false, onCreateEditable: false });
  }
  properties.push(
    { name: 'active__v', type: 'Boolean', editable: true, queryable: true, required: false, multivalue: false, onCreateEditable: true },
    {
      name: 'security_profile__v',
      type: 'ObjectReference',
      object: 'Securityprofile',
      length: 40,
      editable: true,
      queryable: true,
      required: false,
      multivalue: false,
      onCreateEditable: true,
      values: ctx.vault.profiles.map((p) => ({ value: p, label: p.replace(/__v$/, '').replace(/_/g, ' ') })),
    },
    {
      name: 'license_type__v',
      type: 'Picklist',
      picklist: 'license_type__v',
      editable: true,
      queryable: true,
      required: false,
      multivalue: false,
      onCreateEditable: true,
      values: LICENSE_TYPES.map((t) => ({ value: t, label: t.replace(/__v$/, '').replace(/_/g, ' ') })),
    },
  );
  return success({ properties });
}

export function domainRoutes(core: SimCore): Route[] {
  return [
    authedRoute('GET', '/objects/securitypolicies', (ctx) => listPolicies(ctx, core)),
    authedRoute('GET', '/objects/securitypolicies/:name', (ctx) => onePolicy(ctx, core)),
    authedRoute('GET', '/objects/domain', (ctx) => domainInfo(ctx, core)),
    authedRoute('GET', '/objects/domains', () => success({ domains: [{ name: core.store.domain.name, type: core.store.domain.type }] })),
    authedRoute('GET', '/objects/licenses', (ctx) => licenseUsage(ctx, core)),
    authedRoute('GET', '/metadata/objects/users', (ctx) => userMetadata(ctx)),
  ];
}

// The body of an Ory Kratos web_hook for actionsd's Kratos bridge, POST /v1/bridges/kratos/{flow}
// (docs/bridges.md). Kratos evaluates it with ctx: flow, identity (the hooks that run after the
// form is sent), session (login), request_headers (Kratos' allow list only), request_method,
// request_url and request_cookies. The cookies are left out: they carry the user's session. Of
// the identity, the credentials are left out (password hashes); the rest is what the bridge maps
// to the Auth0 event (traits.email, traits.phone, traits.username, traits.name, the metadata).
function(ctx) {
  flow: {
    id: ctx.flow.id,
    type: ctx.flow.type,
    [if std.objectHas(ctx.flow, 'active') then 'active']: ctx.flow.active,
    [if std.objectHas(ctx.flow, 'request_url') then 'request_url']: ctx.flow.request_url,
  },
  [if std.objectHas(ctx, 'identity') && ctx.identity != null then 'identity']: {
    id: ctx.identity.id,
    schema_id: ctx.identity.schema_id,
    [if std.objectHas(ctx.identity, 'state') then 'state']: ctx.identity.state,
    traits: ctx.identity.traits,
    [if std.objectHas(ctx.identity, 'metadata_public') then 'metadata_public']: ctx.identity.metadata_public,
    [if std.objectHas(ctx.identity, 'metadata_admin') then 'metadata_admin']: ctx.identity.metadata_admin,
    [if std.objectHas(ctx.identity, 'verifiable_addresses') then 'verifiable_addresses']: [
      { value: a.value, verified: a.verified, via: a.via }
      for a in ctx.identity.verifiable_addresses
    ],
    [if std.objectHas(ctx.identity, 'created_at') then 'created_at']: ctx.identity.created_at,
    [if std.objectHas(ctx.identity, 'updated_at') then 'updated_at']: ctx.identity.updated_at,
  },
  [if std.objectHas(ctx, 'session') && ctx.session != null then 'session']: {
    id: ctx.session.id,
    [if std.objectHas(ctx.session, 'authenticator_assurance_level') then 'authenticator_assurance_level']: ctx.session.authenticator_assurance_level,
    [if std.objectHas(ctx.session, 'authentication_methods') then 'authentication_methods']: [
      { method: m.method, [if std.objectHas(m, 'completed_at') then 'completed_at']: m.completed_at }
      for m in ctx.session.authentication_methods
    ],
  },
  request_headers: ctx.request_headers,
  request_method: ctx.request_method,
  request_url: ctx.request_url,
}

/**
 * actionsd Auth0 bridge action.
 *
 * Paste this whole file into an Auth0 Action of each trigger whose actions actionsd should run
 * (Actions > Library > Build Custom, then the trigger). Auth0 calls the one handler below that
 * matches the Action's trigger; the others are never called. Give the Action these secrets:
 *
 *   ACTIONSD_URL             the daemon's base URL, e.g. https://actionsd.example.com
 *   ACTIONSD_BRIDGE_SECRET   the secret the daemon reads from --bridge-auth0-secret-file
 *                            (at least 32 bytes)
 *   ACTIONSD_TIMEOUT_MS      optional: how long to wait for the daemon (default 5000; Auth0
 *                            gives the whole Action 20 s)
 *   ACTIONSD_FAIL_OPEN       optional: "true" lets the flow continue when the daemon cannot be
 *                            asked or fails (default: fail closed, see OPTIONS.failOpen)
 *
 * The Action sends `event` (without its secrets) to POST <ACTIONSD_URL>/v1/bridges/auth0/<trigger>,
 * signed with HMAC-SHA256 over "<unix seconds>.<body>" (headers X-Actionsd-Timestamp and
 * X-Actionsd-Signature: v1=<hex>), then applies the commands the daemon's actions made to the real
 * `api`, in the order they made them. See docs/bridges.md.
 *
 * Redirects: when the daemon's actions redirect (api.redirect.sendUserTo, api.prompt.render), the
 * Action keeps the daemon's sealed state in the transaction's metadata (api.transaction.setMetadata,
 * which Auth0 keeps across the redirect), and its onContinuePostLogin sends it back, signed, to
 * POST <ACTIONSD_URL>/v1/bridges/auth0/continue-post-login, which resumes the daemon's flow (the
 * redirecting action's onContinuePostLogin, then the actions bound after it); the Action applies
 * the commands the flow made after the redirect.
 */
'use strict';

const crypto = require('crypto');

// Defaults; the Action's secrets ACTIONSD_TIMEOUT_MS and ACTIONSD_FAIL_OPEN override them.
const OPTIONS = {
  timeoutMs: 5000,
  // Per trigger: true lets the flow continue on failure. The default (false) is fail closed:
  // api.access.deny where the trigger has it, else the Action throws (Auth0 then fails the step).
  failOpen: {
    'post-login': false,
    'credentials-exchange': false,
    'pre-user-registration': false,
    'post-user-registration': false,
    'post-change-password': false,
    'send-phone-message': false,
    'password-reset-post-challenge': false,
    'custom-email-provider': false,
    'custom-phone-provider': false,
    'custom-token-exchange': false,
  },
};

// Commands that read or that only the daemon keeps: nothing to apply. The daemon's api.cache is
// its own; encodeToken's token is already in the redirect's query; canRedirect, validateToken and
// the groups/roles look-ups answer the daemon's action and change nothing.
function skipped(op) {
  return op.startsWith('cache.') || op.startsWith('groups.') || op.startsWith('roles.') ||
    op === 'redirect.canRedirect' || op === 'redirect.encodeToken' || op === 'redirect.validateToken';
}

// Where the daemon's paused flow rides through Auth0 from a redirect to its return: the sealed
// state, and how many of the flow's commands the Action applied before the redirect.
const STATE_KEY = 'actionsd_state';
const APPLIED_KEY = 'actionsd_applied';

function options(trigger, secrets) {
  const ms = Number(secrets.ACTIONSD_TIMEOUT_MS);
  const open = secrets.ACTIONSD_FAIL_OPEN;
  return {
    timeoutMs: ms > 0 ? ms : OPTIONS.timeoutMs,
    failOpen: open === undefined || open === '' ? !!OPTIONS.failOpen[trigger] : /^(1|true|yes|open)$/i.test(String(open)),
  };
}

// sentEvent is the event as the daemon gets it: never the secrets, nor the Action's own state.
function sentEvent(event) {
  const sent = {};
  for (const k of Object.keys(event)) if (k !== 'secrets') sent[k] = event[k];
  const md = sent.transaction && sent.transaction.metadata;
  if (md && (STATE_KEY in md || APPLIED_KEY in md)) {
    const rest = Object.assign({}, md);
    delete rest[STATE_KEY];
    delete rest[APPLIED_KEY];
    sent.transaction = Object.assign({}, sent.transaction, { metadata: rest });
  }
  return sent;
}

async function ask(hook, sent, secrets, timeoutMs) {
  const base = secrets.ACTIONSD_URL;
  const key = secrets.ACTIONSD_BRIDGE_SECRET;
  if (!base || !key) throw new Error('the Action needs the secrets ACTIONSD_URL and ACTIONSD_BRIDGE_SECRET');
  const body = JSON.stringify(sent);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = crypto.createHmac('sha256', key).update(ts + '.' + body).digest('hex');
  const ctl = typeof AbortController === 'function' ? new AbortController() : null;
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error('actionsd did not answer within ' + timeoutMs + ' ms'));
      if (ctl) ctl.abort();
    }, timeoutMs);
  });
  try {
    const res = await Promise.race([late, fetch(String(base).replace(/\/+$/, '') + '/v1/bridges/auth0/' + hook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-actionsd-timestamp': ts, 'x-actionsd-signature': 'v1=' + sig },
      body,
      signal: ctl ? ctl.signal : undefined,
    })]);
    const text = await Promise.race([late, res.text()]);
    let doc;
    try { doc = JSON.parse(text); } catch (e) { doc = null; }
    if (res.status !== 200 || !doc || typeof doc !== 'object') {
      const code = doc && doc.error && (doc.error.code || doc.error.message);
      throw new Error('actionsd answered ' + res.status + (code ? ' (' + code + ')' : ''));
    }
    return doc;
  } finally {
    clearTimeout(timer);
  }
}

function method(api, op) {
  let obj = api;
  const path = op.split('.');
  for (let i = 0; i < path.length - 1; i++) {
    obj = obj == null ? undefined : obj[path[i]];
  }
  const name = path[path.length - 1];
  const fn = obj == null ? undefined : obj[name];
  return typeof fn === 'function' ? (...args) => obj[name](...args) : null;
}

// apply makes the daemon's commands on the real api, in order. Every command is checked first,
// so that an answer the trigger's api cannot express changes nothing.
function apply(api, commands) {
  const todo = [];
  for (const c of commands) {
    if (!c || typeof c.op !== 'string' || skipped(c.op)) continue;
    const fn = method(api, c.op);
    if (!fn) throw new Error('api.' + c.op + ' (action ' + c.action + ') is not in this trigger\'s api');
    let args = Array.isArray(c.args) ? c.args : [];
    if (c.op === 'redirect.sendUserTo') {
      // The daemon records (url, query); Auth0 takes (url, {query}).
      args = args.length > 1 && args[1] ? [args[0], { query: args[1] }] : [args[0]];
    }
    todo.push([fn, args]);
  }
  for (const [fn, args] of todo) fn(...args);
}

// The triggers whose api has access.deny; on the others, failing closed is throwing.
const DENIES = ['post-login', 'credentials-exchange', 'pre-user-registration', 'password-reset-post-challenge', 'custom-token-exchange'];

function fail(trigger, api, failOpen, err) {
  const msg = 'actionsd bridge (' + trigger + '): ' + (err && err.message ? err.message : String(err));
  console.log(msg + (failOpen ? '; failing open' : '; failing closed'));
  if (failOpen) return;
  if (DENIES.includes(trigger)) {
    api.access.deny('actionsd_unavailable', 'The service is unavailable; please try again later.');
    return;
  }
  throw new Error(msg);
}

// bridge runs the daemon's actions of trigger for event and applies their commands to api. With
// resume, it resumes the daemon's flow that a redirect paused, with the state the transaction
// kept, and applies the commands made after the redirect.
async function bridge(trigger, event, api, resume) {
  const secrets = event.secrets || {};
  const opts = options(trigger, secrets);
  try {
    let sent = sentEvent(event);
    let hook = trigger;
    let skip = 0;
    if (resume) {
      const md = (event.transaction && event.transaction.metadata) || {};
      if (typeof md[STATE_KEY] !== 'string' || md[STATE_KEY] === '') {
        throw new Error('no paused actionsd flow to continue (event.transaction.metadata.' + STATE_KEY + ' is not set)');
      }
      sent = Object.assign({ state: md[STATE_KEY] }, sent);
      hook = 'continue-' + trigger;
      skip = Number(md[APPLIED_KEY]) || 0; // the commands applied before the redirect
    }
    const doc = await ask(hook, sent, secrets, opts.timeoutMs);
    if (doc.outcome === 'failed') {
      const bad = (doc.actions || []).find((a) => a && a.error);
      throw new Error('action ' + (bad ? bad.name : '?') + ' failed in actionsd');
    }
    const commands = doc.commands || [];
    const redirect = doc.outcome === 'redirect' && doc.result && doc.result.redirect;
    const keep = method(api, 'transaction.setMetadata');
    if (redirect && !keep) throw new Error('the flow redirects, and this trigger\'s api has no transaction.setMetadata to keep its state in');
    apply(api, commands.slice(skip));
    if (redirect) {
      keep(STATE_KEY, redirect.state);
      keep(APPLIED_KEY, commands.length);
    } else if (resume && keep) {
      keep(STATE_KEY, null); // the flow is done: Auth0 drops the state
      keep(APPLIED_KEY, null);
    }
  } catch (err) {
    return fail(trigger, api, opts.failOpen, err);
  }
}

exports.onExecutePostLogin = (event, api) => bridge('post-login', event, api);
exports.onContinuePostLogin = (event, api) => bridge('post-login', event, api, true);
exports.onExecuteCredentialsExchange = (event, api) => bridge('credentials-exchange', event, api);
exports.onExecutePreUserRegistration = (event, api) => bridge('pre-user-registration', event, api);
exports.onExecutePostUserRegistration = (event, api) => bridge('post-user-registration', event, api);
exports.onExecutePostChangePassword = (event, api) => bridge('post-change-password', event, api);
exports.onExecuteSendPhoneMessage = (event, api) => bridge('send-phone-message', event, api);
exports.onExecutePostChallenge = (event, api) => bridge('password-reset-post-challenge', event, api);
exports.onExecuteCustomEmailProvider = (event, api) => bridge('custom-email-provider', event, api);
exports.onExecuteCustomPhoneProvider = (event, api) => bridge('custom-phone-provider', event, api);
exports.onExecuteCustomTokenExchange = (event, api) => bridge('custom-token-exchange', event, api);

// The Node.js peer: loads an action file (and the actions:<name> modules it requires) and runs
// its handler per request with the event from the body and a minimal api that records commands,
// answering a JSON document like actionsd's. Usage: node server.js PORT ACTION_DIR MODULES_DIR
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const Module = require('module');

const [port, actionDir, modulesDir] = process.argv.slice(2);
const secrets = JSON.parse(process.env.BENCH_MODULE_SECRETS || '{}');

function loadModule(name) {
  const file = path.join(modulesDir, name, 'index.js');
  const src = fs.readFileSync(file, 'utf8');
  const fn = new Function('exports', 'require', 'module', 'actions', src);
  const m = { exports: {} };
  fn(m.exports, require, m, Object.freeze({ secrets: Object.freeze(secrets[name] || {}) }));
  return m.exports;
}
const loaded = {};
const origRequire = Module.prototype.require;
Module.prototype.require = function (id) {
  if (id.startsWith('actions:')) {
    const name = id.slice(8);
    return loaded[name] || (loaded[name] = loadModule(name));
  }
  return origRequire.call(this, id);
};
const action = require(path.resolve(actionDir, 'index.js'));

function newAPI(commands, claims) {
  const rec = (op, ...args) => { commands.push({ op, args }); };
  const api = {
    idToken: { setCustomClaim: (k, v) => { rec('idToken.setCustomClaim', k, v); claims.id[k] = v; return api; } },
    accessToken: { setCustomClaim: (k, v) => { rec('accessToken.setCustomClaim', k, v); claims.access[k] = v; return api; } },
    access: { deny: (r) => { rec('access.deny', r); return api; } },
  };
  return api;
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const commands = [], claims = { id: {}, access: {} };
    let outcome = 'success', error = null;
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      await action.onExecutePostLogin(event, newAPI(commands, claims));
    } catch (e) {
      outcome = 'failed'; error = String(e && e.message);
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ outcome, commands, result: { id_token_claims: claims.id, access_token_claims: claims.access }, error }));
  });
}).listen(+port, '127.0.0.1');

// actionsd's status page: reads the authenticated JSON API with the token kept in this tab's
// sessionStorage and redraws every few seconds. Everything is written with textContent, never as
// HTML: commit messages, error messages and names come from the repository.
'use strict';

(function () {
  const REFRESH_MS = 3000;
  const KEY = 'actionsd-token';
  let timer = null;

  const $ = (id) => document.getElementById(id);

  // el makes an element with a class (or none) and children (nodes or text).
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function row(...cells) {
    return el('tr', null, ...cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', null, c))));
  }
  function badge(text, kind) { return el('span', 'badge ' + (kind || text.replace(/\s+/g, '-')), text); }
  function short(sha) { return sha ? sha.slice(0, 12) : ''; }
  function when(t) { return t ? t.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : ''; }
  function fill(tbody, rows, empty, cols) {
    tbody.replaceChildren(...(rows.length ? rows : [row(el('td', 'muted', empty))]));
    if (!rows.length) tbody.firstChild.firstChild.colSpan = cols;
  }
  function pos(d) {
    let p = d.file || '';
    if (d.ref) p = d.ref + ':' + p;
    if (d.line) p += ':' + d.line;
    if (d.line && d.col) p += ':' + d.col;
    return p;
  }

  async function api(path) {
    const token = sessionStorage.getItem(KEY) || '';
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
    if (res.status === 401) throw Object.assign(new Error('the token was refused'), { unauthorized: true });
    if (!res.ok) throw new Error('GET ' + path + ': HTTP ' + res.status);
    return res.json();
  }

  function renderHeader(st) {
    const ready = (st.conditions || []).find((c) => c.type === 'Ready');
    const ok = ready ? ready.status === 'True' : st.ready;
    const b = $('ready');
    b.textContent = ok ? 'Ready' : 'Not ready';
    b.className = 'badge ' + (ok ? 'serving' : 'failed');
    b.dataset.status = ok ? 'True' : 'False';
    $('instance').textContent = st.instance ? 'instance ' + st.instance : '';
  }

  // conditionKind colours a condition: Ready is good when True, Stalled and Degraded are bad when
  // True, Reconciling is under way.
  function conditionKind(c) {
    const on = c.status === 'True';
    if (c.type === 'Ready') return on ? 'serving' : 'failed';
    if (c.type === 'Reconciling') return on ? 'pending' : 'off';
    return on ? 'failed' : 'off';
  }

  function renderConditions(st) {
    const rows = (st.conditions || []).map((c) =>
      row(c.type, el('td', null, badge(c.status, conditionKind(c))),
        c.reason || '', c.message || '', when(c.last_transition_time)));
    fill($('conditions').querySelector('tbody'), rows, 'no conditions yet', 5);
  }

  function revision(r, attempted) {
    if (!r) return ['none'];
    const out = [el('code', null, short(r.commit)), ' at ' + when(r.at)];
    if (attempted && r.result) out.push(' ', badge(r.result, r.result === 'applied' ? 'serving' : 'failed'));
    if (attempted && r.step) out.push(' failed at step ', el('strong', 'step', r.step));
    return out;
  }

  function diagItems(list, empty) {
    if (!list || !list.length) return [el('li', 'muted', empty)];
    return list.map((d) => el('li', null,
      d.object && d.object !== d.file ? el('span', 'object', d.object + ' ') : null,
      pos(d) ? el('code', 'pos', pos(d)) : null, pos(d) ? ': ' : '',
      d.field ? el('span', 'field', d.field + ': ') : null,
      el('span', 'message', d.message)));
  }

  function renderCommits(st) {
    $('applied').replaceChildren(...revision(st.applied, false));
    $('applied').title = st.applied ? st.applied.commit : '';
    $('attempted').replaceChildren(...revision(st.attempted, true));
    $('attempted').title = st.attempted ? st.attempted.commit : '';
    $('generation').textContent = String(st.generation || 0);
    $('errors').replaceChildren(...diagItems(st.errors, 'none'));
    $('warnings').replaceChildren(...diagItems(st.warnings, 'none'));
  }

  function errorList(errs, cls) {
    if (!errs || !errs.length) return '';
    return el('ul', 'errs', ...errs.map((e) => el('li', cls || 'error', e)));
  }

  function renderActions(st) {
    const byTrigger = new Map();
    for (const a of st.actions || []) {
      const t = a.order ? a.trigger : '(not bound: ' + a.trigger + ')';
      if (!byTrigger.has(t)) byTrigger.set(t, []);
      byTrigger.get(t).push(a);
    }
    const body = $('actions').querySelector('.body');
    if (!byTrigger.size) { body.replaceChildren(el('p', 'muted', 'no actions')); return; }
    const parts = [];
    for (const t of [...byTrigger.keys()].sort()) {
      const list = byTrigger.get(t).sort((x, y) => (x.order || 1e9) - (y.order || 1e9) || x.name.localeCompare(y.name));
      const rows = list.map((a) => {
        const pins = Object.keys(a.pins || {}).sort().map((m) => m + '@' + a.pins[m]).join(', ');
        const tr = row(a.order ? String(a.order) : '–', el('td', 'name', a.name), el('td', null, el('code', null, short(a.version))),
          el('td', null, badge(a.state)), pins || '–', el('td', null, errorList(a.errors)));
        tr.dataset.action = a.name;
        return tr;
      });
      const table = el('table', null,
        el('thead', null, el('tr', null, ...['#', 'Action', 'Version', 'State', 'Module pins', 'Errors'].map((h) => el('th', null, h)))),
        el('tbody', null, ...rows));
      const sec = el('div', 'trigger', el('h3', null, t), table);
      sec.dataset.trigger = t;
      parts.push(sec);
    }
    body.replaceChildren(...parts);
  }

  function renderModules(st) {
    const mods = new Map();
    const add = (name, v) => { if (!mods.has(name)) mods.set(name, []); mods.get(name).push(v); };
    for (const v of st.modules || []) add(v.name, v);
    // A tag whose commit the deploy branch does not reach yet is pending: gitstore reports it as
    // a warning, not a version.
    for (const w of st.warnings || []) {
      const m = /tag modules\/([^/\s]+)\/(v\d+) is pending/.exec(w.message || '');
      if (m) add(m[1], { name: m[1], version: m[2], state: 'pending', tag: 'modules/' + m[1] + '/' + m[2], warnings: [w.message] });
    }
    const body = $('modules').querySelector('.body');
    if (!mods.size) { body.replaceChildren(el('p', 'muted', 'no published module versions')); return; }
    const parts = [];
    for (const name of [...mods.keys()].sort()) {
      const vs = mods.get(name).sort((x, y) => parseInt(x.version.slice(1), 10) - parseInt(y.version.slice(1), 10));
      const rows = vs.map((v) => {
        const flags = [];
        if (v.moved) flags.push(badge('moved'));
        if (v.deleted) flags.push(badge('deleted'));
        if (v.unrecorded) flags.push(badge('unrecorded'));
        const tr = row(v.version, el('td', null, badge(v.state), ' ', ...flags), el('td', null, el('code', null, v.tag || '')),
          el('td', null, el('code', null, short(v.commit))), el('td', null, errorList(v.errors), errorList(v.warnings, 'warning')));
        tr.dataset.version = v.version;
        return tr;
      });
      const table = el('table', null,
        el('thead', null, el('tr', null, ...['Version', 'State', 'Tag', 'Commit', 'Errors and warnings'].map((h) => el('th', null, h)))),
        el('tbody', null, ...rows));
      const sec = el('div', 'module', el('h3', null, name), table);
      sec.dataset.module = name;
      parts.push(sec);
    }
    body.replaceChildren(...parts);
  }

  function renderSecrets(st) {
    const health = new Map(((st.vault && st.vault.secrets) || []).map((h) => [h.owner, h]));
    const rows = (st.secrets || []).slice().sort((a, b) => a.owner.localeCompare(b.owner)).map((s) => {
      const h = health.get(s.owner);
      const state = h ? h.state : (s.error ? 'degraded' : 'ok');
      const tr = row(s.owner, el('td', null, el('code', null, s.path || '')), (s.names || []).join(', ') || '–',
        String(s.version || '–'), when(s.read_at), el('td', null, badge(state, state === 'ok' ? 'serving' : state),
          s.error ? el('div', 'error', s.error) : null));
      tr.dataset.owner = s.owner;
      return tr;
    });
    fill($('secrets').querySelector('tbody'), rows, 'no secrets declared', 6);
  }

  function renderNPM(st) {
    const rows = [];
    const owners = [];
    for (const a of st.actions || []) owners.push(['actions/' + a.name, a.dependencies]);
    for (const m of st.modules || []) owners.push(['modules/' + m.name + '@' + m.version, m.dependencies]);
    owners.sort((x, y) => x[0].localeCompare(y[0]));
    for (const [owner, deps] of owners) {
      for (const pkg of Object.keys(deps || {}).sort()) {
        const tr = row(owner, el('td', null, el('code', null, pkg)), deps[pkg]);
        tr.dataset.owner = owner;
        rows.push(tr);
      }
    }
    fill($('npm').querySelector('tbody'), rows, 'no npm packages', 3);
  }

  function renderMetrics(sum) {
    const rows = (sum.actions || []).map((a) => {
      const tr = row(a.trigger, a.action, String(a.executions), el('td', a.failures ? 'error' : null, String(a.failures)),
        a.p99_ms.toFixed(a.p99_ms < 10 ? 2 : 0) + ' ms');
      tr.dataset.action = a.action;
      return tr;
    });
    fill($('metrics').querySelector('tbody'), rows, 'no executions yet', 5);
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const [st, sum] = await Promise.all([api('/v1/status'), api('/v1/metrics/summary')]);
      renderHeader(st);
      renderConditions(st);
      renderCommits(st);
      renderActions(st);
      renderModules(st);
      renderSecrets(st);
      renderNPM(st);
      renderMetrics(sum);
      $('fetch-error').hidden = true;
      $('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.dataset.loaded = 'true';
    } catch (e) {
      if (e.unauthorized) { logout(e.message); return; }
      $('fetch-error').textContent = 'The daemon did not answer: ' + e.message + ' (showing the last answer)';
      $('fetch-error').hidden = false;
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function showPage() {
    $('login').hidden = true;
    $('page').hidden = false;
    $('logout').hidden = false;
    refresh();
  }

  function logout(message) {
    clearTimeout(timer);
    sessionStorage.removeItem(KEY);
    delete document.body.dataset.loaded;
    $('page').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('ready').textContent = '…';
    $('ready').className = 'badge unknown';
    $('token').value = '';
    $('token').focus();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(KEY, $('token').value);
      $('token').value = '';
      $('login-error').textContent = '';
      showPage();
    });
    $('logout').addEventListener('click', () => logout(''));
    if (sessionStorage.getItem(KEY) !== null) { showPage(); return; }
    // A daemon without a token (a local trial) answers without one: no login then.
    fetch('/v1/status', { cache: 'no-store', credentials: 'omit' }).then((res) => {
      if (res.ok) { sessionStorage.setItem(KEY, ''); showPage(); } else logout('');
    }, () => logout(''));
  });
})();

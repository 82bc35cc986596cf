// Regenerates node.json, the expectations of TestBuiltinsAsNode (runner/asnode_test.go), from the
// Node that runs it (Node 20 made the checked-in copy): node runner/testdata/asnode/gen.js
// Each case is a JavaScript expression, perhaps a promise, of one module or global; Node's value
// for it (String(await value), or "throws <name> <code>") is what the runner must give. Cases
// run one after another, in one action, in the order listed.
'use strict';
const prologue = `const J = (v) => JSON.stringify(v);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));`;

const cases = {
  url: [
    // the legacy parser percent-encodes what Node's does after the host, and leaves a "%" alone
    `J(require('url').parse('https://h/users/auth0%7C123?x=%20#a%20b'))`,
    `J(require('url').parse('https://h/users/auth0|123 x'))`,
    `J(require('url').parse('https://h/a{b}?c=d^e\`f#g<h>"i\\''))`,
    `J(require('url').parse('/rel/a|b?x=y z', true))`,
    `J(require('url').parse('javascript:a|b'))`,
    `require('url').format(require('url').parse('https://u|v@h/p\\tq'))`,
    `require('url').resolve('https://t.example/api/v2/', 'users/auth0%7C123')`,
    `require('url').format({ protocol: 'https', host: 'h', pathname: '/users/auth0%7C123', hash: '#a%20b' })`,
  ],
};

async function main() {
  const run = new Function('require', `return async (expr) => { ${prologue}\nreturn eval(expr); };`)(require);
  const out = [];
  for (const [module, exprs] of Object.entries(cases)) {
    for (const expr of exprs) {
      let want;
      try {
        want = String(await run(expr));
      } catch (err) {
        want = 'throws ' + (err && err.name) + ' ' + (err && err.code);
      }
      out.push({ module, expr, want });
    }
  }
  require('fs').writeFileSync(require('path').join(__dirname, 'node.json'),
    JSON.stringify({ node: process.version, prologue, cases: out }, null, 1) + '\n');
  console.log(out.length, 'cases');
}
main();

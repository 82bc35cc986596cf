// Handlebars: render a compiled template (helpers, each, if, escaping) over 300 rows.
'use strict';
const Handlebars = require('handlebars');

const source = `<h1>{{title}}</h1>
<table>
{{#each users}}
  <tr class="{{#if active}}on{{else}}off{{/if}}"><td>{{@index}}</td><td>{{name}}</td><td>{{email}}</td>
  <td>{{upper plan}}</td><td>{{#each roles}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}</td></tr>
{{/each}}
</table>`;

exports.setup = () => {
  const hb = Handlebars.create();
  hb.registerHelper('upper', (s) => String(s).toUpperCase());
  const users = [];
  for (let i = 0; i < 300; i++) {
    users.push({ name: 'User <' + i + '>', email: 'user' + i + '@example.com', active: i % 3 !== 0,
      plan: ['free', 'pro', 'gold'][i % 3], roles: i % 2 ? ['admin', 'dev'] : ['viewer'] });
  }
  const tpl = hb.compile(source);
  tpl({ title: 'warm', users: [] });
  return { tpl, ctx: { title: 'Users & roles', users } };
};
exports.run = (st) => st.tpl(st.ctx);

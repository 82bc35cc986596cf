// Ajv: compile a user schema (Ajv generates a validator with new Function) and validate 500
// records against it, two of every five invalid.
'use strict';
const Ajv = require('ajv');

const schema = {
  type: 'object',
  required: ['user_id', 'email', 'logins', 'app_metadata'],
  properties: {
    user_id: { type: 'string', pattern: '^auth0\\|[0-9a-f]{8}$' },
    email: { type: 'string', maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
    logins: { type: 'integer', minimum: 0 },
    roles: { type: 'array', items: { enum: ['admin', 'dev', 'viewer'] }, uniqueItems: true },
    app_metadata: {
      type: 'object',
      properties: { plan: { enum: ['free', 'pro', 'gold'] }, seats: { type: 'number', exclusiveMinimum: 0 } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

exports.setup = () => {
  const recs = [];
  for (let i = 0; i < 500; i++) {
    recs.push({
      user_id: 'auth0|' + (0x10000000 + i * 7919).toString(16),
      email: i % 5 === 3 ? 'broken at example' : 'user' + i + '@example.com',
      logins: i % 5 === 4 ? -1 : i,
      roles: i % 2 ? ['admin', 'dev'] : ['viewer'],
      app_metadata: { plan: ['free', 'pro', 'gold'][i % 3], seats: (i % 9) + 1 },
    });
  }
  return { recs };
};
exports.run = (st) => {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);
  let ok = 0;
  let errs = 0;
  for (const r of st.recs) {
    if (validate(r)) ok++;
    else errs += validate.errors.length;
  }
  return [ok, errs];
};

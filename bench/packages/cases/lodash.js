// lodash over 5,000 records: groupBy, per-group sums and sortBy, map, orderBy, take.
'use strict';
const _ = require('lodash');

exports.setup = () => {
  const countries = ['FR', 'DE', 'US', 'JP', 'BR', 'IN', 'NG', 'AU'];
  const recs = [];
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    recs.push({ id: 'u' + i, country: countries[x % 8], score: x % 1000, plan: ['free', 'pro', 'gold'][x % 3],
      tags: ['t' + (x % 5), 't' + (x % 7)] });
  }
  return { recs };
};
exports.run = (st) => {
  const groups = _.groupBy(st.recs, 'country');
  const rows = _.map(groups, (rs, country) => ({
    country,
    n: rs.length,
    total: _.sumBy(rs, 'score'),
    plans: _.countBy(rs, 'plan'),
    top: _.map(_.take(_.sortBy(rs, ['score', 'id']).reverse(), 3), 'id'),
    tags: _.uniq(_.flatMap(rs, 'tags')).sort(),
  }));
  return _.orderBy(rows, ['total', 'country'], ['desc', 'asc']);
};

// Date and Intl, en-US (as Auth0 runs, in UTC): Node's output exactly. Every case names its
// dates in UTC, so the host's time zone matters only where a case says local time.
const d = new Date(Date.UTC(2026, 11, 7, 15, 4, 5, 678));
const early = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
for (const m of ['toISOString', 'toJSON', 'toUTCString', 'toString', 'toDateString', 'toTimeString', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'getTimezoneOffset', 'valueOf'])
  for (const [k, v] of [['december', d], ['january', early]])
    test(m + ' ' + k, () => v[m]());
for (const [k, o] of Object.entries({ 'en-US': [], 'en-US utc': ['en-US', { timeZone: 'UTC' }], 'date style full': ['en-US', { dateStyle: 'full', timeZone: 'UTC' }],
  'date style long': ['en-US', { dateStyle: 'long' }], 'date style medium': ['en-US', { dateStyle: 'medium' }], 'date style short': ['en-US', { dateStyle: 'short' }],
  'time style short': ['en-US', { timeStyle: 'short' }], 'time style long': ['en-US', { timeStyle: 'long', timeZone: 'UTC' }], 'date and time style': ['en-US', { dateStyle: 'medium', timeStyle: 'medium' }],
  'numeric parts': ['en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }], 'month long': ['en-US', { month: 'long' }], 'month short year': ['en-US', { month: 'short', year: 'numeric' }],
  'weekday': ['en-US', { weekday: 'long' }], 'hour12 false': ['en-US', { hour: '2-digit', minute: '2-digit', hour12: false }], 'hourCycle h23': ['en-US', { hour: 'numeric', hourCycle: 'h23' }],
  'seconds': ['en-US', { hour: 'numeric', minute: 'numeric', second: 'numeric' }], 'time zone name': ['en-US', { timeZoneName: 'short', timeZone: 'UTC' }],
  'new york': ['en-US', { timeZone: 'America/New_York' }], 'tokyo full': ['en-US', { timeZone: 'Asia/Tokyo', dateStyle: 'full', timeStyle: 'full' }],
  'era': ['en-US', { era: 'short', year: 'numeric' }], 'fractional seconds': ['en-US', { second: 'numeric', fractionalSecondDigits: 3 }], 'en-GB': ['en-GB'], 'de-DE': ['de-DE'],
  'fr-FR long': ['fr-FR', { dateStyle: 'long' }], 'ja-JP': ['ja-JP'], 'undefined locale': [undefined, { timeZone: 'UTC' }] }))
  test('toLocaleString ' + k, () => d.toLocaleString(...o));
test('DateTimeFormat format', () => new Intl.DateTimeFormat('en-US').format(d));
test('DateTimeFormat formatToParts', () => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).formatToParts(d));
test('DateTimeFormat resolvedOptions', () => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).resolvedOptions());
test('DateTimeFormat default resolvedOptions locale', () => new Intl.DateTimeFormat().resolvedOptions().locale);
test('DateTimeFormat formatRange', () => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).formatRange(early, d));
test('DateTimeFormat invalid date', () => { try { new Intl.DateTimeFormat('en-US').format(new Date(NaN)); } catch (e) { return e.name; } });
test('DateTimeFormat bad time zone', () => { try { new Intl.DateTimeFormat('en-US', { timeZone: 'Mars/Base' }); } catch (e) { return e.name; } });
for (const [k, args] of Object.entries({ plain: [1234567.891], negative: [-0.5], integer: [42], big: [1e21], small: [1e-7], nan: [NaN], inf: [Infinity],
  'currency usd': [1234.5, 'en-US', { style: 'currency', currency: 'USD' }], 'currency eur': [1234.5, 'en-US', { style: 'currency', currency: 'EUR' }],
  'currency jpy': [1234.5, 'en-US', { style: 'currency', currency: 'JPY' }], 'currency code': [1, 'en-US', { style: 'currency', currency: 'USD', currencyDisplay: 'code' }],
  'accounting': [-5, 'en-US', { style: 'currency', currency: 'USD', currencySign: 'accounting' }], percent: [0.256, 'en-US', { style: 'percent' }],
  'percent fraction': [0.2567, 'en-US', { style: 'percent', minimumFractionDigits: 1 }], 'max fraction': [1.23456, 'en-US', { maximumFractionDigits: 2 }],
  'min fraction': [1, 'en-US', { minimumFractionDigits: 2 }], 'significant': [123456, 'en-US', { maximumSignificantDigits: 3 }],
  'no grouping': [1234567, 'en-US', { useGrouping: false }], compact: [1234567, 'en-US', { notation: 'compact' }], 'compact long': [1234, 'en-US', { notation: 'compact', compactDisplay: 'long' }],
  scientific: [123456, 'en-US', { notation: 'scientific' }], engineering: [123456, 'en-US', { notation: 'engineering' }], unit: [16, 'en-US', { style: 'unit', unit: 'kilobyte' }],
  'unit long': [5, 'en-US', { style: 'unit', unit: 'mile-per-hour', unitDisplay: 'long' }], 'sign always': [5, 'en-US', { signDisplay: 'always' }],
  'integer digits': [5, 'en-US', { minimumIntegerDigits: 3 }], 'de-DE': [1234567.891, 'de-DE'], 'fr-FR': [1234567.891, 'fr-FR'], 'en-IN': [1234567.891, 'en-IN'],
  'bigint': [12345678901234567890n, 'en-US'], 'rounding half': [2.5, 'en-US', { maximumFractionDigits: 0 }], 'rounding half odd': [3.5, 'en-US', { maximumFractionDigits: 0 }] }))
  test('number ' + k, () => (args.length === 1 ? args[0].toLocaleString() : args[0].toLocaleString(args[1], args[2])));
test('NumberFormat formatToParts', () => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).formatToParts(-1234.5));
test('NumberFormat resolvedOptions', () => new Intl.NumberFormat('en-US').resolvedOptions());
test('NumberFormat format bound', () => [1, 22, 333].map(new Intl.NumberFormat('en-US').format));
test('NumberFormat bad currency', () => { try { new Intl.NumberFormat('en-US', { style: 'currency' }); } catch (e) { return e.name; } });
test('PluralRules', () => [0, 1, 2, 1.5].map((n) => new Intl.PluralRules('en-US').select(n)));
test('PluralRules ordinal', () => [1, 2, 3, 4, 11, 21, 22, 23].map((n) => new Intl.PluralRules('en-US', { type: 'ordinal' }).select(n)));
test('RelativeTimeFormat', () => { const r = new Intl.RelativeTimeFormat('en-US'); return [r.format(-1, 'day'), r.format(2, 'hours'), r.format(0, 'second')]; });
test('RelativeTimeFormat auto', () => { const r = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' }); return [r.format(-1, 'day'), r.format(1, 'day'), r.format(0, 'year')]; });
test('Collator compare', () => ['b', 'a', 'B', 'á', 'A', '10', '9'].sort(new Intl.Collator('en-US').compare));
test('Collator numeric', () => ['10', '9', '1'].sort(new Intl.Collator('en-US', { numeric: true }).compare));
test('Collator sensitivity base', () => new Intl.Collator('en-US', { sensitivity: 'base' }).compare('a', 'Á'));
test('localeCompare', () => [['a', 'b'], ['b', 'a'], ['a', 'A'], ['é', 'e'], ['résumé', 'resume']].map(([x, y]) => x.localeCompare(y)));
test('localeCompare with locale', () => 'ä'.localeCompare('z', 'de') + ' ' + 'ä'.localeCompare('z', 'sv'));
test('Locale', () => { const l = new Intl.Locale('en-Latn-US', { hourCycle: 'h12' }); return [l.language, l.script, l.region, l.baseName, l.hourCycle, l.toString()]; });
test('Locale maximize', () => new Intl.Locale('en').maximize().toString());
test('ListFormat', () => new Intl.ListFormat('en-US', { style: 'long', type: 'conjunction' }).format(['a', 'b', 'c']));
test('ListFormat disjunction', () => new Intl.ListFormat('en-US', { type: 'disjunction' }).format(['a', 'b']));
test('DisplayNames', () => new Intl.DisplayNames(['en'], { type: 'region' }).of('US'));
test('Segmenter', () => [...new Intl.Segmenter('en', { granularity: 'word' }).segment('Hi there!')].filter((s) => s.isWordLike).map((s) => s.segment));
test('supportedValuesOf', () => typeof Intl.supportedValuesOf);
test('getCanonicalLocales', () => Intl.getCanonicalLocales(['EN-us', 'de-de']));
test('supportedLocalesOf', () => Intl.DateTimeFormat.supportedLocalesOf(['en-US', 'xx-XX']));
test('toLocaleUpperCase', () => ['istanbul'.toLocaleUpperCase('en-US'), 'istanbul'.toLocaleUpperCase('tr-TR')]);
test('array toLocaleString', () => [1234.5, new Date(Date.UTC(2020, 0, 1))].toLocaleString('en-US', { timeZone: 'UTC' }));
for (const s of ['2026-12-07', '2026-12-07T15:04:05Z', '2026-12-07T15:04:05', '2026-12-07T15:04:05.678+02:00', 'Mon, 07 Dec 2026 15:04:05 GMT', 'December 7, 2026',
  '12/7/2026', '2026/12/07', 'Dec 7 2026 10:00 PM', '7 Dec 2026', 'nonsense', '2026-13-01', '2026-02-30', '+002026-12-07T00:00:00Z', '2026-12-07T24:00:00Z', '20261207'])
  test('Date.parse ' + JSON.stringify(s), () => Date.parse(s));
test('Date.UTC', () => [Date.UTC(2026), Date.UTC(2026, 1, 29), Date.UTC(99, 0), Date.UTC(-1, 0)]);
test('Date setters overflow', () => { const x = new Date(Date.UTC(2026, 0, 31)); x.setUTCMonth(1); return x.toISOString(); });
test('Date invalid toString', () => [String(new Date(NaN)), new Date(NaN).toJSON()]);
test('Date invalid toISOString', () => { try { new Date(NaN).toISOString(); } catch (e) { return e.name; } });
test('Date extreme', () => [new Date(8.64e15).toISOString(), new Date(8.64e15 + 1).getTime(), new Date(-8.64e15).toISOString()]);
test('Date year 0 and negative', () => [new Date(Date.UTC(0, 0)).toISOString(), new Date('-000001-01-01T00:00:00Z').getUTCFullYear()]);
test('Date two-digit year', () => new Date(99, 0, 1).getFullYear());
test('Date getDay', () => [d.getUTCDay(), early.getUTCDay()]);
test('Date to JSON in object', () => JSON.stringify({ d }));
test('Date local components', () => [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]);

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
// More of Intl en-US: the options date libraries and HTTP clients pass, and the edges of rounding.
const summer = new Date(Date.UTC(2026, 6, 4, 0, 30, 9, 5));
for (const [k, o] of Object.entries({ 'two-digit hour minute': { hour: '2-digit', minute: '2-digit' }, 'hourCycle h11': { hour: 'numeric', minute: 'numeric', hourCycle: 'h11' },
  'hour12 true h23 locale': { hour: 'numeric', hour12: true }, 'weekday short date': { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }, 'month narrow': { month: 'narrow' },
  'year two-digit': { year: '2-digit', month: '2-digit', day: '2-digit' }, 'los angeles short name': { timeZone: 'America/Los_Angeles', timeZoneName: 'short' },
  'london short name': { timeZone: 'Europe/London', timeZoneName: 'short', hour: 'numeric' }, 'kolkata short name': { timeZone: 'Asia/Kolkata', timeZoneName: 'short', hour: 'numeric' },
  'new york long name': { timeZone: 'America/New_York', timeZoneName: 'long', hour: 'numeric', minute: 'numeric' }, 'lowercase zone': { timeZone: 'america/new_york', hour: 'numeric' },
  'date style full new york': { dateStyle: 'full', timeZone: 'America/New_York' }, 'time style medium': { timeStyle: 'medium', timeZone: 'UTC' }, 'time style full': { timeStyle: 'full', timeZone: 'UTC' },
  'date short time short': { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }, 'date long time long': { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' },
  'minute second': { minute: '2-digit', second: '2-digit' }, 'day alone': { day: 'numeric' }, 'year alone': { year: 'numeric' }, 'month day': { month: 'long', day: 'numeric' },
  'weekday long full date': { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }, 'era long': { era: 'long', year: 'numeric', month: 'numeric', day: 'numeric' } }))
  for (const [w, v] of [['december', d], ['summer', summer]])
    test('DateTimeFormat ' + k + ' ' + w, () => new Intl.DateTimeFormat('en-US', o).format(v));
test('DateTimeFormat without new', () => Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).format(d));
test('DateTimeFormat resolvedOptions time zone', () => [Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.DateTimeFormat('en-US', { timeZone: 'Etc/UTC' }).resolvedOptions().timeZone, new Intl.DateTimeFormat('en-US', { timeZone: 'america/new_york' }).resolvedOptions().timeZone]);
test('DateTimeFormat resolvedOptions hour', () => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: 'numeric', timeZone: 'UTC' }).resolvedOptions());
test('DateTimeFormat resolvedOptions styles', () => new Intl.DateTimeFormat('en-US', { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }).resolvedOptions());
test('DateTimeFormat format number', () => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).format(0));
test('DateTimeFormat formatToParts fractional', () => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 2, timeZone: 'UTC' }).formatToParts(d));
test('DateTimeFormat midnight and noon', () => [Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 0, 1, 12, 0)].map((t) => new Intl.DateTimeFormat('en-US', { timeStyle: 'short', timeZone: 'UTC' }).format(t)));
test('DateTimeFormat style and field', () => { try { new Intl.DateTimeFormat('en-US', { dateStyle: 'short', year: 'numeric' }); } catch (e) { return e.name; } });
test('DateTimeFormat bad option value', () => { try { new Intl.DateTimeFormat('en-US', { month: 'longest' }); } catch (e) { return e.name; } });
test('DateTimeFormat formatRange same month', () => new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).formatRange(Date.UTC(2026, 11, 1), d));
test('DateTimeFormat formatRange years', () => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).formatRange(Date.UTC(2025, 11, 1), d));
test('DateTimeFormat toStringTag', () => Object.prototype.toString.call(new Intl.DateTimeFormat()));
test('toLocaleDateString options', () => [d.toLocaleDateString('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }), d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' }), d.toLocaleDateString(undefined, { timeZone: 'Asia/Tokyo' })]);
test('toLocaleTimeString options', () => [d.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit' }), d.toLocaleTimeString('en-US', { timeZone: 'America/Chicago', timeZoneName: 'short' }), d.toLocaleTimeString([], { hour12: false })]);
test('toLocaleString invalid date', () => [new Date(NaN).toLocaleString(), new Date(NaN).toLocaleDateString('en-US'), new Date(NaN).toLocaleTimeString()]);
for (const [k, args] of Object.entries({ 'currency gbp': [1234.5, 'en-US', { style: 'currency', currency: 'GBP' }], 'currency narrow cad': [3, 'en-US', { style: 'currency', currency: 'CAD', currencyDisplay: 'narrowSymbol' }],
  'currency symbol cad': [3, 'en-US', { style: 'currency', currency: 'CAD' }], 'currency name': [1, 'en-US', { style: 'currency', currency: 'USD', currencyDisplay: 'name' }],
  'currency name plural': [2.5, 'en-US', { style: 'currency', currency: 'EUR', currencyDisplay: 'name' }], 'currency negative': [-1234.567, 'en-US', { style: 'currency', currency: 'USD' }],
  'currency lowercase code': [5, 'en-US', { style: 'currency', currency: 'usd' }], 'currency no cents': [1234.5, 'en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }],
  'accounting positive': [5, 'en-US', { style: 'currency', currency: 'USD', currencySign: 'accounting' }], 'min significant': [1.5, 'en-US', { minimumSignificantDigits: 3 }],
  'max significant small': [0.000123456, 'en-US', { maximumSignificantDigits: 2 }], 'except zero': [0, 'en-US', { signDisplay: 'exceptZero' }], 'except zero positive': [5, 'en-US', { signDisplay: 'exceptZero' }],
  'sign never': [-5, 'en-US', { signDisplay: 'never' }], 'negative zero': [-0, 'en-US'], 'negative small': [-0.0001, 'en-US'], 'negative percent': [-0.125, 'en-US', { style: 'percent', maximumFractionDigits: 1 }],
  'compact round up': [999999, 'en-US', { notation: 'compact' }], 'compact k': [1500, 'en-US', { notation: 'compact' }], 'compact tens': [12345, 'en-US', { notation: 'compact' }],
  'compact billion': [2.5e9, 'en-US', { notation: 'compact', compactDisplay: 'long' }], 'compact small': [999, 'en-US', { notation: 'compact' }], 'compact negative': [-1234567, 'en-US', { notation: 'compact' }],
  'scientific small': [0.00012, 'en-US', { notation: 'scientific' }], 'half up 1.005': [1.005, 'en-US', { maximumFractionDigits: 2 }], 'half 0.5': [0.5, 'en-US', { maximumFractionDigits: 0 }],
  'many fraction digits': [1 / 3, 'en-US', { maximumFractionDigits: 10 }], 'grouping big fraction': [9876543.21, 'en-US', { minimumFractionDigits: 2 }], 'strip if integer': [5, 'en-US', { style: 'currency', currency: 'USD', trailingZeroDisplay: 'stripIfInteger' }],
  'unit percent': [50, 'en-US', { style: 'unit', unit: 'percent' }], 'unit megabyte': [1.5, 'en-US', { style: 'unit', unit: 'megabyte' }], 'unit hour long': [1, 'en-US', { style: 'unit', unit: 'hour', unitDisplay: 'long' }],
  'unit day short': [3, 'en-US', { style: 'unit', unit: 'day' }], 'max safe integer': [Number.MAX_SAFE_INTEGER, 'en-US'], 'tiny': [5e-324, 'en-US'], 'string input': ['1234.5', 'en-US'] }))
  test('number ' + k, () => (typeof args[0] === 'string' ? new Intl.NumberFormat(args[1], args[2]).format(args[0]) : args[0].toLocaleString(args[1], args[2])));
test('NumberFormat formatToParts percent', () => new Intl.NumberFormat('en-US', { style: 'percent', signDisplay: 'always' }).formatToParts(0.5));
test('NumberFormat formatToParts compact', () => new Intl.NumberFormat('en-US', { notation: 'compact' }).formatToParts(1234567));
test('NumberFormat formatToParts nan', () => new Intl.NumberFormat('en-US').formatToParts(NaN));
test('NumberFormat resolvedOptions currency', () => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).resolvedOptions());
test('NumberFormat resolvedOptions significant', () => new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).resolvedOptions());
test('NumberFormat resolvedOptions percent', () => new Intl.NumberFormat('en-US', { style: 'percent' }).resolvedOptions());
test('NumberFormat without new', () => Intl.NumberFormat('en-US', { minimumFractionDigits: 1 }).format(3));
test('NumberFormat bad digits', () => { try { new Intl.NumberFormat('en-US', { maximumFractionDigits: 101 }); } catch (e) { return e.name; } });
test('NumberFormat bad style', () => { try { new Intl.NumberFormat('en-US', { style: 'money' }); } catch (e) { return e.name; } });
test('NumberFormat bad currency code', () => { try { new Intl.NumberFormat('en-US', { style: 'currency', currency: 'US' }); } catch (e) { return e.name; } });
test('NumberFormat toStringTag', () => Object.prototype.toString.call(new Intl.NumberFormat()));
test('PluralRules strings and fractions', () => [new Intl.PluralRules('en-US').select('1'), new Intl.PluralRules('en-US', { minimumFractionDigits: 1 }).select(1), new Intl.PluralRules('en-US').select(-1), new Intl.PluralRules('en-US', { type: 'ordinal' }).select(112), new Intl.PluralRules('en-US', { type: 'ordinal' }).select(102)]);
test('PluralRules resolvedOptions', () => new Intl.PluralRules('en-US', { type: 'ordinal' }).resolvedOptions().pluralCategories);
test('PluralRules without new', () => { try { Intl.PluralRules(); } catch (e) { return e.name; } });
test('RelativeTimeFormat units', () => { const r = new Intl.RelativeTimeFormat('en-US'); return [r.format(-3, 'months'), r.format(1, 'week'), r.format(-1, 'quarter'), r.format(1.5, 'years'), r.format(-1000, 'minutes'), r.format(-0, 'day')]; });
test('RelativeTimeFormat short', () => { const r = new Intl.RelativeTimeFormat('en-US', { style: 'short' }); return [r.format(-2, 'hour'), r.format(5, 'minutes'), r.format(1, 'second'), r.format(3, 'day')]; });
test('RelativeTimeFormat auto more', () => { const r = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' }); return [r.format(0, 'second'), r.format(-1, 'week'), r.format(1, 'month'), r.format(0, 'hour'), r.format(-2, 'day'), r.format(0, 'day')]; });
test('RelativeTimeFormat formatToParts', () => new Intl.RelativeTimeFormat('en-US').formatToParts(-1234, 'day'));
test('RelativeTimeFormat bad unit', () => { try { new Intl.RelativeTimeFormat('en-US').format(1, 'fortnight'); } catch (e) { return e.name; } });
test('RelativeTimeFormat resolvedOptions', () => new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' }).resolvedOptions());
test('Collator resolvedOptions', () => new Intl.Collator('en-US').resolvedOptions());
test('Collator sensitivity accent', () => { const c = new Intl.Collator('en-US', { sensitivity: 'accent' }).compare; return [c('a', 'A'), c('a', 'á'), c('a', 'b')]; });
test('Collator sort words', () => ['zebra', 'Apple', 'apple', 'Zebra', 'éclair', 'eclair', 'banana', '_x', '1'].sort(new Intl.Collator('en-US').compare));
test('localeCompare options', () => ['a2'.localeCompare('a10', undefined, { numeric: true }), 'a'.localeCompare('A', 'en', { sensitivity: 'base' }), 'résumé'.localeCompare('RESUME', 'en', { sensitivity: 'base' })]);
test('Locale fields', () => { const l = new Intl.Locale('de-CH', { calendar: 'gregory', numeric: true }); return [l.language, l.region, l.script, l.calendar, l.numeric, l.toString(), l.baseName]; });
test('Locale minimize', () => [new Intl.Locale('en-Latn-US').minimize().toString(), new Intl.Locale('de-Latn-DE').minimize().toString()]);
test('Locale invalid', () => { try { new Intl.Locale('not a locale'); } catch (e) { return e.name; } });
test('getCanonicalLocales more', () => [Intl.getCanonicalLocales('EN-us'), Intl.getCanonicalLocales(['en-US', 'en-us']), Intl.getCanonicalLocales([]), Intl.getCanonicalLocales('zh-hant-tw')]);
test('getCanonicalLocales invalid', () => { try { Intl.getCanonicalLocales('en_US!'); } catch (e) { return e.name; } });
test('Intl toStringTag', () => [Object.prototype.toString.call(Intl), typeof Intl, Object.keys(Intl).length]);
test('ListFormat more', () => [new Intl.ListFormat('en-US').format(['a']), new Intl.ListFormat('en-US').format(['a', 'b']), new Intl.ListFormat('en-US', { type: 'disjunction' }).format(['a', 'b', 'c']), new Intl.ListFormat('en-US', { style: 'short' }).format(['a', 'b', 'c']), new Intl.ListFormat('en-US', { type: 'unit' }).format(['a', 'b', 'c'])]);
test('toLocaleLowerCase', () => ['İSTANBUL'.toLocaleLowerCase('en-US').length, 'ISTANBUL'.toLocaleLowerCase('tr'), 'Straße'.toLocaleUpperCase()]);
test('toLocaleString method lengths', () => [Number.prototype.toLocaleString.length, Date.prototype.toLocaleString.length, String.prototype.localeCompare.length, Number.prototype.toLocaleString.name]);
test('toLocaleString on wrong receiver', () => { try { Number.prototype.toLocaleString.call('5'); } catch (e) { return e.name; } });
test('Intl methods on wrong receivers', () => [() => String(Intl.Locale.prototype), () => Intl.NumberFormat.prototype.format, () => Intl.DateTimeFormat.prototype.resolvedOptions.call({}), () => Intl.Collator.prototype.compare].map((f) => { try { f(); return 'ok'; } catch (e) { return e.name; } }));
// Other locales: best effort (their number symbols, a few date patterns, plural rules and
// collation from golang.org/x/text); accepted.txt lists where they differ from ICU.
for (const [k, f] of Object.entries({ 'de-DE currency': () => (1234.5).toLocaleString('de-DE', { style: 'currency', currency: 'EUR' }), 'fr-FR currency': () => (1234.5).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' }),
  'ja-JP currency': () => (1234.5).toLocaleString('ja-JP', { style: 'currency', currency: 'JPY' }), 'en-GB currency': () => (1234.5).toLocaleString('en-GB', { style: 'currency', currency: 'GBP' }),
  'de-DE percent': () => (0.25).toLocaleString('de-DE', { style: 'percent' }), 'es-ES small grouping': () => [(1234).toLocaleString('es-ES'), (12345).toLocaleString('es-ES')], 'pt-BR number': () => (1234567.5).toLocaleString('pt-BR'),
  'de-CH number': () => (1234567.5).toLocaleString('de-CH'), 'sv-SE number': () => (-1234.5).toLocaleString('sv-SE'), 'de-DE date': () => d.toLocaleDateString('de-DE', { timeZone: 'UTC' }),
  'de-DE long date': () => d.toLocaleDateString('de-DE', { dateStyle: 'long', timeZone: 'UTC' }), 'en-GB date': () => d.toLocaleDateString('en-GB', { timeZone: 'UTC' }), 'en-GB medium': () => d.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }),
  'fr-FR date time': () => d.toLocaleString('fr-FR', { timeZone: 'UTC' }), 'es-ES full': () => d.toLocaleDateString('es-ES', { dateStyle: 'full', timeZone: 'UTC' }), 'ja-JP date': () => d.toLocaleDateString('ja-JP', { timeZone: 'UTC' }),
  'en-AU date': () => d.toLocaleDateString('en-AU', { timeZone: 'UTC' }), 'en-CA date': () => d.toLocaleDateString('en-CA', { timeZone: 'UTC' }), 'unknown locale falls back': () => new Intl.NumberFormat('xx-XX').resolvedOptions().locale,
  'fr plural': () => [0, 1, 1.5, 2].map((x) => new Intl.PluralRules('fr').select(x)), 'ru plural': () => [1, 2, 5, 21, 1.5].map((x) => new Intl.PluralRules('ru').select(x)), 'de collation': () => ['z', 'ä', 'a', 'Ä'].sort(new Intl.Collator('de').compare),
  'sv collation': () => ['z', 'ä', 'a', 'ö', 'å'].sort(new Intl.Collator('sv').compare), 'de-DE time': () => d.toLocaleTimeString('de-DE', { timeZone: 'UTC' }) }))
  test('locale ' + k, f);
// Intl.Segmenter in more detail.
const segs = (g, s) => [...new Intl.Segmenter('en', { granularity: g }).segment(s)].map((x) => (g === 'word' ? [x.segment, x.index, x.isWordLike] : x.segment));
test('Segmenter words', () => segs('word', "Hi  there! don't 3.14 a_b e.g. x,y 10,000 \n\r\n ok"));
test('Segmenter graphemes', () => segs('grapheme', 'e\u0301a👍🏽👨‍👩‍👧🇺🇸\r\nx'));
test('Segmenter sentences', () => segs('sentence', 'Hi. There! Is it? yes... Mr. Smith went. etc. and more.'));
test('Segmenter options and containing', () => { const s = new Intl.Segmenter(); const seg = s.segment('ab'); return [s.resolvedOptions(), Object.prototype.toString.call(s), seg.containing(1), seg.containing(5), seg.containing(-1)]; });
test('Segmenter bad granularity', () => { try { new Intl.Segmenter('en', { granularity: 'line' }); } catch (e) { return e.name; } });

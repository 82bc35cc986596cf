// ECMA-402's Intl for actions (see intl.go): Node 20's output exactly for en-US, best effort for
// other locales. It runs once per runtime, on the first use of Intl or of a toLocale* method, and
// returns { Intl, numberToLocaleString, dateToLocaleString, ..., localeCompare }. n holds the Go
// natives: fields, zone, defaultZone, zoneName, plural, collator, likely.
(function (n) {
  'use strict';
  const defineProperty = Object.defineProperty, keys = Object.keys, apply = Reflect.apply;
  const WeakMap_ = WeakMap, TypeError_ = TypeError, RangeError_ = RangeError, String_ = String, Number_ = Number;
  const isArray = Array.isArray, floor = Math.floor, abs = Math.abs, max = Math.max, min = Math.min;
  const numberValueOf = Number.prototype.valueOf, dateValueOf = Date.prototype.getTime;
  const bigintValueOf = typeof BigInt === 'function' ? BigInt.prototype.valueOf : undefined;
  const nativeFields = n.fields, nativeZone = n.zone, nativeZoneName = n.zoneName, nativePlural = n.plural;
  const nativeCollator = n.collator, nativeLikely = n.likely, defaultZone = n.defaultZone();
  const slots = new WeakMap_();
  const slot = (o, kind) => {
    const s = o !== null && typeof o === 'object' ? slots.get(o) : undefined;
    // The receiver is not turned into a string: its toString may be this very method.
    if (!s || s.kind !== kind) throw new TypeError_('Method Intl.' + kind + '.prototype function called on incompatible receiver');
    return s;
  };
  // methods defines fns on proto as the built-ins' are: writable, configurable, not enumerable.
  const methods = (proto, fns) => {
    const ks = keys(fns);
    for (let i = 0; i < ks.length; i++) defineProperty(proto, ks[i], { value: fns[ks[i]], writable: true, enumerable: false, configurable: true });
  };
  const tag = (proto, name) => defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });

  // ---- locales ----
  const DEFAULT = 'en-US';
  // The languages this runner has data for; others resolve to the default locale, as Node's do
  // when ICU lacks them.
  const LANGS = { en: 1, de: 1, fr: 1, es: 1, it: 1, pt: 1, nl: 1, ja: 1, zh: 1, ko: 1, ru: 1, sv: 1, da: 1, nb: 1, fi: 1, pl: 1, tr: 1, cs: 1, hi: 1, ar: 1, he: 1 };
  const tagRE = /^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-([a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*(-[a-wy-zA-WY-Z0-9](-[a-zA-Z0-9]{2,8})+)*(-x(-[a-zA-Z0-9]{1,8})+)?$/;
  // Canonical tags by the strings code passes, which are few: a bounded cache.
  const canonicalCache = new Map();
  function canonical(t) {
    if (typeof t !== 'string' && (t === null || typeof t !== 'object')) throw new TypeError_('Language ID should be string or object.');
    const key = typeof t === 'string' ? t : undefined;
    if (key !== undefined) {
      const c = canonicalCache.get(key);
      if (c !== undefined) return c;
    }
    const c = canonicalUncached(t);
    if (key !== undefined && canonicalCache.size < 256) canonicalCache.set(key, c);
    return c;
  }
  function canonicalUncached(t) {
    t = String_(t instanceof Locale ? slot(t, 'Locale').tag : t).replace(/_/g, '-');
    if (!tagRE.test(t)) throw new RangeError_('Incorrect locale information provided');
    const parts = t.split('-');
    let ext = false;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.length === 1) ext = true;
      if (i === 0 || ext) parts[i] = p.toLowerCase();
      else if (p.length === 4 && /^[a-zA-Z]+$/.test(p)) parts[i] = p[0].toUpperCase() + p.slice(1).toLowerCase();
      else if (p.length === 2 || (p.length === 3 && /^[0-9]+$/.test(p))) parts[i] = p.toUpperCase();
      else parts[i] = p.toLowerCase();
    }
    return parts.join('-');
  }
  function canonicalList(locales) {
    if (locales === undefined) return [];
    const list = typeof locales === 'string' || locales instanceof Locale ? [locales] : Object(locales);
    const out = [];
    const len = list.length >>> 0;
    for (let i = 0; i < len; i++) {
      if (!(i in list)) continue;
      const c = canonical(list[i]);
      if (out.indexOf(c) < 0) out.push(c);
    }
    return out;
  }
  const baseOf = (t) => t.split(/-u-|-x-/)[0];
  const supported = (t) => LANGS[t.split('-')[0]] === 1;
  function resolve(locales) {
    const list = canonicalList(locales);
    for (let i = 0; i < list.length; i++) if (supported(list[i])) return baseOf(list[i]);
    return DEFAULT;
  }
  function supportedLocalesOf(locales) { return canonicalList(locales).filter(supported); }
  const lang = (l) => l.split('-')[0];
  const region = (l) => { const m = /-([A-Z]{2}|[0-9]{3})(-|$)/.exec(l); return m ? m[1] : ''; };

  // ---- options ----
  function toOptions(o) {
    if (o === undefined) return Object.create(null);
    if (o === null) throw new TypeError_('Cannot convert undefined or null to object');
    return Object(o);
  }
  function getOpt(o, name, allowed, fallback) {
    let v = o[name];
    if (v === undefined) return fallback;
    if (allowed === 'boolean') return Boolean(v);
    v = String_(v);
    if (allowed && allowed.indexOf(v) < 0) throw new RangeError_('Value ' + v + ' out of range for Intl options property ' + name);
    return v;
  }
  function getNum(o, name, lo, hi, fallback) {
    let v = o[name];
    if (v === undefined) return fallback;
    v = Number_(v);
    if (!(v >= lo && v <= hi)) throw new RangeError_(name + ' value is out of range.');
    return floor(v);
  }

  // ---- numbers ----
  // A decimal is { neg, ds, pt }: the digits ds (no leading zeros, '' for zero) with the point
  // after pt of them; value = 0.ds × 10^pt.
  function decimalOf(x) {
    if (typeof x === 'bigint') {
      let s = String_(x), neg = false;
      if (s[0] === '-') { neg = true; s = s.slice(1); }
      s = s.replace(/^0+/, '');
      return { neg, ds: s.replace(/0+$/, ''), pt: s.length };
    }
    const neg = x < 0 || Object.is(x, -0);
    let s = String_(abs(x)), e = 0;
    const k = s.indexOf('e');
    if (k >= 0) { e = Number_(s.slice(k + 1)); s = s.slice(0, k); }
    let dot = s.indexOf('.');
    if (dot < 0) dot = s.length; else s = s.slice(0, dot) + s.slice(dot + 1);
    let lead = 0;
    while (lead < s.length && s[lead] === '0') lead++;
    const ds = s.slice(lead).replace(/0+$/, '');
    return { neg, ds, pt: ds === '' ? 0 : dot - lead + e };
  }
  // roundAt keeps the first keep digits of d, rounding half away from zero (halfExpand).
  function roundAt(d, keep) {
    if (keep >= d.ds.length) return d;
    if (keep < 0) return { neg: d.neg, ds: '', pt: 0 };
    let head = d.ds.slice(0, keep), pt = d.pt;
    if (d.ds.charCodeAt(keep) >= 53) {
      let i = head.length - 1;
      while (i >= 0 && head[i] === '9') i--;
      if (i < 0) { head = '1'; pt++; } else head = head.slice(0, i) + String_.fromCharCode(head.charCodeAt(i) + 1);
    } else if (keep === 0) return { neg: d.neg, ds: '', pt: 0 };
    head = head.replace(/0+$/, '');
    return { neg: d.neg, ds: head, pt: head === '' ? 0 : pt };
  }
  const roundFraction = (d, maxFD) => roundAt(d, d.pt + maxFD);
  const roundSignificant = (d, maxSD) => roundAt(d, maxSD);
  // digitsOf splits d into integer and fraction digit strings, with the minimum digits of r.
  function digitsOf(d, minID, minFD) {
    let int, frac;
    if (d.pt <= 0) { int = ''; frac = '0'.repeat(-d.pt) + d.ds; } else if (d.pt >= d.ds.length) { int = d.ds + '0'.repeat(d.pt - d.ds.length); frac = ''; } else { int = d.ds.slice(0, d.pt); frac = d.ds.slice(d.pt); }
    if (int.length < minID) int = '0'.repeat(minID - int.length) + int;
    if (frac.length < minFD) frac += '0'.repeat(minFD - frac.length);
    return [int, frac];
  }
  const NUM = {
    en: { group: ',', decimal: '.', percent: '#%', currency: '¤#', accounting: '(¤#)' },
    de: { group: '.', decimal: ',', percent: '# %', currency: '# ¤' },
    fr: { group: '\u202f', decimal: ',', percent: '# %', currency: '# ¤' },
    es: { group: '.', decimal: ',', percent: '# %', currency: '# ¤', min2: true },
    it: { group: '.', decimal: ',', percent: '#%', currency: '# ¤' },
    pt: { group: '.', decimal: ',', percent: '#%', currency: '¤ #' },
    nl: { group: '.', decimal: ',', percent: '#%', currency: '¤ #' },
    ru: { group: '\u00a0', decimal: ',', percent: '# %', currency: '# ¤' },
    sv: { group: '\u00a0', decimal: ',', percent: '# %', currency: '# ¤', minus: '\u2212' },
    da: { group: '.', decimal: ',', percent: '# %', currency: '# ¤' },
    nb: { group: '\u00a0', decimal: ',', percent: '# %', currency: '# ¤', minus: '\u2212' },
    fi: { group: '\u00a0', decimal: ',', percent: '# %', currency: '# ¤', minus: '\u2212' },
    pl: { group: '\u00a0', decimal: ',', percent: '#%', currency: '# ¤', min2: true },
    cs: { group: '\u00a0', decimal: ',', percent: '# %', currency: '# ¤' },
    tr: { group: '.', decimal: ',', percent: '%#', currency: '¤#' },
  };
  function numData(locale) {
    const l = lang(locale), r = region(locale);
    const base = NUM[l] || NUM.en;
    if (l === 'de' && (r === 'CH' || r === 'LI')) return { group: "'", decimal: '.', percent: '#%', currency: '¤ #' };
    if (l === 'pt' && r !== 'BR') return { group: '\u00a0', decimal: ',', percent: '#%', currency: '# ¤' };
    if ((l === 'en' || l === 'hi') && r === 'IN') return { group: ',', decimal: '.', percent: '#%', currency: '¤#', indian: true };
    return base;
  }
  const CURRENCY_DIGITS = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, PYG: 0, XAF: 0, XOF: 0, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3, IQD: 0, HUF: 2, TWD: 2 };
  const SYMBOLS = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', INR: '₹', CNY: 'CN¥', KRW: '₩', CAD: 'CA$', AUD: 'A$', MXN: 'MX$', BRL: 'R$', NZD: 'NZ$', HKD: 'HK$', TWD: 'NT$', ILS: '₪', VND: '₫', XAF: 'FCFA', XOF: 'F\u202fCFA', PHP: '₱' };
  const NARROW = { CAD: '$', AUD: '$', MXN: '$', NZD: '$', HKD: '$', TWD: '$', CNY: '¥', SEK: 'kr', NOK: 'kr', DKK: 'kr', RUB: '₽', PLN: 'zł', CHF: 'CHF', TRY: '₺', UAH: '₴', ZAR: 'R', SGD: '$', BRL: 'R$' };
  const NAMES = { USD: ['US dollar', 'US dollars'], EUR: ['euro', 'euros'], GBP: ['British pound', 'British pounds'], JPY: ['Japanese yen', 'Japanese yen'],
    INR: ['Indian rupee', 'Indian rupees'], CAD: ['Canadian dollar', 'Canadian dollars'], AUD: ['Australian dollar', 'Australian dollars'], CHF: ['Swiss franc', 'Swiss francs'],
    CNY: ['Chinese yuan', 'Chinese yuan'], MXN: ['Mexican peso', 'Mexican pesos'], BRL: ['Brazilian real', 'Brazilian reals'], SEK: ['Swedish krona', 'Swedish kronor'] };
  // Units: [short singular, short plural, long singular, long plural, narrow].
  const UNITS = {
    byte: ['byte', 'byte', 'byte', 'bytes', 'B'], kilobyte: ['kB', 'kB', 'kilobyte', 'kilobytes', 'kB'], megabyte: ['MB', 'MB', 'megabyte', 'megabytes', 'MB'],
    gigabyte: ['GB', 'GB', 'gigabyte', 'gigabytes', 'GB'], terabyte: ['TB', 'TB', 'terabyte', 'terabytes', 'TB'], petabyte: ['PB', 'PB', 'petabyte', 'petabytes', 'PB'],
    bit: ['bit', 'bit', 'bit', 'bits', 'bit'], kilobit: ['kb', 'kb', 'kilobit', 'kilobits', 'kb'], megabit: ['Mb', 'Mb', 'megabit', 'megabits', 'Mb'],
    millisecond: ['ms', 'ms', 'millisecond', 'milliseconds', 'ms'], second: ['sec', 'sec', 'second', 'seconds', 's'], minute: ['min', 'min', 'minute', 'minutes', 'm'],
    hour: ['hr', 'hr', 'hour', 'hours', 'h'], day: ['day', 'days', 'day', 'days', 'd'], week: ['wk', 'wks', 'week', 'weeks', 'w'], month: ['mth', 'mths', 'month', 'months', 'm'],
    year: ['yr', 'yrs', 'year', 'years', 'y'], meter: ['m', 'm', 'meter', 'meters', 'm'], kilometer: ['km', 'km', 'kilometer', 'kilometers', 'km'],
    centimeter: ['cm', 'cm', 'centimeter', 'centimeters', 'cm'], mile: ['mi', 'mi', 'mile', 'miles', 'mi'], foot: ['ft', 'ft', 'foot', 'feet', '′'], inch: ['in', 'in', 'inch', 'inches', '″'],
    kilogram: ['kg', 'kg', 'kilogram', 'kilograms', 'kg'], gram: ['g', 'g', 'gram', 'grams', 'g'], pound: ['lb', 'lb', 'pound', 'pounds', 'lb'],
    liter: ['L', 'L', 'liter', 'liters', 'L'], percent: ['%', '%', 'percent', 'percent', '%'], celsius: ['°C', '°C', 'degree Celsius', 'degrees Celsius', '°C'],
    fahrenheit: ['°F', '°F', 'degree Fahrenheit', 'degrees Fahrenheit', '°'], 'kilometer-per-hour': ['km/h', 'km/h', 'kilometer per hour', 'kilometers per hour', 'km/h'],
    'mile-per-hour': ['mph', 'mph', 'mile per hour', 'miles per hour', 'mph'], 'meter-per-second': ['m/s', 'm/s', 'meter per second', 'meters per second', 'm/s'],
  };
  const COMPACT = [['K', 'thousand'], ['M', 'million'], ['B', 'billion'], ['T', 'trillion']];

  function NumberFormat(locales, options) {
    if (new.target === undefined) return new NumberFormat(locales, options);
    const o = toOptions(options);
    const s = { kind: 'NumberFormat', locale: resolve(locales) };
    s.localeMatcher = getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    s.style = getOpt(o, 'style', ['decimal', 'percent', 'currency', 'unit'], 'decimal');
    let currency = getOpt(o, 'currency');
    if (currency !== undefined) {
      if (!/^[a-zA-Z]{3}$/.test(currency)) throw new RangeError_('Invalid currency code : ' + currency);
      currency = currency.toUpperCase();
    }
    const currencyDisplay = getOpt(o, 'currencyDisplay', ['code', 'symbol', 'narrowSymbol', 'name'], 'symbol');
    const currencySign = getOpt(o, 'currencySign', ['standard', 'accounting'], 'standard');
    const unit = getOpt(o, 'unit');
    const unitDisplay = getOpt(o, 'unitDisplay', ['short', 'narrow', 'long'], 'short');
    if (s.style === 'currency') {
      if (currency === undefined) throw new TypeError_('Currency code is required with currency style.');
      s.currency = currency; s.currencyDisplay = currencyDisplay; s.currencySign = currencySign;
    }
    if (s.style === 'unit') {
      if (unit === undefined) throw new TypeError_('Unit is required with unit style.');
      if (!UNITS[unit] && !/^[a-z]+-per-[a-z]+$/.test(unit)) throw new RangeError_('Invalid unit argument for Intl.NumberFormat() \'' + unit + '\'');
      s.unit = unit; s.unitDisplay = unitDisplay;
    }
    s.notation = getOpt(o, 'notation', ['standard', 'scientific', 'engineering', 'compact'], 'standard');
    const cd = s.style === 'currency' ? (CURRENCY_DIGITS[s.currency] !== undefined ? CURRENCY_DIGITS[s.currency] : 2) : 2;
    const mnfdDefault = s.style === 'currency' && s.notation !== 'compact' ? cd : 0;
    const mxfdDefault = s.style === 'currency' && s.notation !== 'compact' ? max(cd, mnfdDefault) : s.style === 'percent' ? 0 : s.notation === 'compact' ? 0 : 3;
    s.minimumIntegerDigits = getNum(o, 'minimumIntegerDigits', 1, 21, 1);
    const mnfd = o.minimumFractionDigits, mxfd = o.maximumFractionDigits, mnsd = o.minimumSignificantDigits, mxsd = o.maximumSignificantDigits;
    s.roundingPriority = getOpt(o, 'roundingPriority', ['auto', 'morePrecision', 'lessPrecision'], 'auto');
    const hasSd = mnsd !== undefined || mxsd !== undefined, hasFd = mnfd !== undefined || mxfd !== undefined;
    const needSd = hasSd || s.roundingPriority !== 'auto';
    const needFd = s.roundingPriority !== 'auto' || !(hasSd || (!hasFd && s.notation === 'compact'));
    s.rounding = 'fraction';
    if (needSd) {
      s.minimumSignificantDigits = getNum(o, 'minimumSignificantDigits', 1, 21, 1);
      s.maximumSignificantDigits = getNum(o, 'maximumSignificantDigits', s.minimumSignificantDigits, 21, 21);
    }
    if (needFd) {
      let lo = getNum(o, 'minimumFractionDigits', 0, 100, undefined), hi = getNum(o, 'maximumFractionDigits', 0, 100, undefined);
      if (lo === undefined && hi === undefined) { lo = mnfdDefault; hi = mxfdDefault; } else if (lo === undefined) lo = min(mnfdDefault, hi);
      else if (hi === undefined) hi = max(mxfdDefault, lo);
      else if (lo > hi) throw new RangeError_('maximumFractionDigits value is out of range.');
      s.minimumFractionDigits = lo; s.maximumFractionDigits = hi;
    }
    if (!needSd && !needFd) { s.minimumFractionDigits = 0; s.maximumFractionDigits = 0; s.minimumSignificantDigits = 1; s.maximumSignificantDigits = 2; s.rounding = 'compact'; } else if (needSd && needFd) s.rounding = s.roundingPriority; else if (needSd) s.rounding = 'significant';
    s.compactDisplay = getOpt(o, 'compactDisplay', ['short', 'long'], 'short');
    const ug = o.useGrouping;
    const ugDefault = s.notation === 'compact' ? 'min2' : 'auto';
    if (ug === undefined) s.useGrouping = ugDefault;
    else if (ug === true || ug === 'true' || ug === 'false') s.useGrouping = ugDefault === 'min2' && ug !== true ? 'min2' : 'always';
    else if (!ug) s.useGrouping = false;
    else {
      if (['min2', 'auto', 'always'].indexOf(String_(ug)) < 0) throw new RangeError_('Value ' + String_(ug) + ' out of range for Intl.NumberFormat options property useGrouping');
      s.useGrouping = String_(ug);
    }
    if (ug === true) s.useGrouping = 'always';
    s.signDisplay = getOpt(o, 'signDisplay', ['auto', 'never', 'always', 'exceptZero', 'negative'], 'auto');
    s.roundingMode = getOpt(o, 'roundingMode', ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'], 'halfExpand');
    s.trailingZeroDisplay = getOpt(o, 'trailingZeroDisplay', ['auto', 'stripIfInteger'], 'auto');
    s.data = numData(s.locale);
    slots.set(this, s);
  }
  function toNumeric(x) {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'string' && /^\s*-?\d+\s*$/.test(x) && x.trim().length > 15 && typeof BigInt === 'function') return BigInt(x.trim());
    return Number_(x);
  }
  function roundFor(s, d) {
    const byFd = () => roundFraction(d, s.maximumFractionDigits), bySd = () => roundSignificant(d, s.maximumSignificantDigits);
    switch (s.rounding) {
      case 'fraction': return [byFd(), s.minimumFractionDigits];
      case 'significant': { const r = bySd(); return [r, max(0, s.minimumSignificantDigits - r.pt)]; }
      case 'compact': case 'morePrecision': case 'lessPrecision': {
        const a = byFd(), b = bySd();
        const fa = max(0, a.ds.length - a.pt), fb = max(0, b.ds.length - b.pt);
        const more = s.rounding === 'lessPrecision' ? (fa <= fb ? a : b) : (fa >= fb ? a : b);
        return [more, more === a ? s.minimumFractionDigits : 0];
      }
    }
  }
  function group(int, data, useGrouping) {
    if (!useGrouping || int.length < 4 || (useGrouping === 'min2' && int.length < 5) || (data.min2 && useGrouping === 'auto' && int.length < 5)) return [int];
    const out = [];
    let i = int.length;
    let size = 3;
    while (i > size) {
      out.unshift(int.slice(i - size, i));
      i -= size;
      if (data.indian) size = 2;
    }
    out.unshift(int.slice(0, i));
    return out;
  }
  // numberParts formats x as formatToParts does.
  function numberParts(s, x) {
    const parts = [];
    const data = s.data;
    let neg, body = [];
    let plural = 'other', exponent = null, compact = null;
    if (typeof x === 'number' && x !== x) { neg = false; body.push({ type: 'nan', value: 'NaN' }); } else if (x === Infinity || x === -Infinity) { neg = x < 0; body.push({ type: 'infinity', value: '∞' }); } else {
      let d = decimalOf(x);
      neg = d.neg;
      if (s.style === 'percent') d = { neg: d.neg, ds: d.ds, pt: d.ds === '' ? 0 : d.pt + 2 };
      if (s.notation === 'scientific' || s.notation === 'engineering') {
        let e = d.ds === '' ? 0 : d.pt - 1;
        if (s.notation === 'engineering') e = floor(e / 3) * 3;
        d = { neg: d.neg, ds: d.ds, pt: d.ds === '' ? 0 : d.pt - e };
        let [r, mfd] = roundFor(s, d);
        if (r.ds !== '' && (s.notation === 'scientific' ? r.pt > 1 : r.pt > 3)) { e += s.notation === 'scientific' ? 1 : 3; r = { neg: r.neg, ds: r.ds, pt: r.pt - (s.notation === 'scientific' ? 1 : 3) }; }
        d = r; exponent = e; body = bodyOf(s, r, mfd);
      } else if (s.notation === 'compact') {
        let k = d.ds === '' ? 0 : min(4, floor((d.pt - 1) / 3));
        if (k < 0) k = 0;
        let r = roundFor(s, { neg: d.neg, ds: d.ds, pt: d.pt - 3 * k });
        if (r[0].pt > 3 && k < 4) { k++; r = roundFor(s, { neg: d.neg, ds: d.ds, pt: d.pt - 3 * k }); }
        d = r[0]; body = bodyOf(s, r[0], r[1]);
        if (k > 0) compact = k;
      } else {
        const r = roundFor(s, d);
        d = r[0]; body = bodyOf(s, r[0], r[1]);
      }
      // The plural operands are those of the digits shown: "1.00" is plural in en.
      let shown = '';
      for (let i = 0; i < body.length; i++) if (body[i].type === 'integer' || body[i].type === 'fraction') shown += (body[i].type === 'fraction' ? '.' : '') + body[i].value;
      plural = pluralOf(s.locale, false, shown);
      x = d;
    }
    const isZero = typeof x === 'object' && x.ds === '';
    let sign = null;
    switch (s.signDisplay) {
      case 'auto': if (neg) sign = '-'; break;
      case 'always': sign = neg ? '-' : '+'; break;
      case 'exceptZero': if (!isZero) sign = neg ? '-' : '+'; break;
      case 'negative': if (neg && !isZero) sign = '-'; break;
    }
    const minus = data.minus || '-';
    if (compact !== null) {
      const c = COMPACT[compact - 1];
      if (s.compactDisplay === 'long') body.push({ type: 'literal', value: ' ' }, { type: 'compact', value: c[1] });
      else body.push({ type: 'compact', value: c[0] });
    }
    if (exponent !== null) {
      body.push({ type: 'exponentSeparator', value: 'E' });
      if (exponent < 0) body.push({ type: 'exponentMinusSign', value: '-' });
      body.push({ type: 'exponentInteger', value: String_(abs(exponent)) });
    }
    let pattern = '#';
    const accounting = s.style === 'currency' && s.currencySign === 'accounting' && sign === '-';
    if (s.style === 'percent') pattern = data.percent;
    else if (s.style === 'currency') {
      if (s.currencyDisplay === 'name') pattern = '# ¤';
      else if (accounting && data.accounting) pattern = data.accounting;
      else pattern = data.currency;
    }
    const signPart = sign === null || accounting ? null : { type: sign === '-' ? 'minusSign' : 'plusSign', value: sign === '-' ? minus : sign };
    let cur = null;
    if (s.style === 'currency') {
      const c = s.currency;
      if (s.currencyDisplay === 'code') cur = c;
      else if (s.currencyDisplay === 'name') { const nm = NAMES[c]; cur = nm ? nm[plural === 'one' ? 0 : 1] : c; }
      else if (s.currencyDisplay === 'narrowSymbol') cur = NARROW[c] || SYMBOLS[c] || c;
      else cur = (lang(s.locale) === 'ja' && c === 'JPY' ? '￥' : SYMBOLS[c]) || c;
    }
    if (signPart) parts.push(signPart);
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '#') for (let j = 0; j < body.length; j++) parts.push(body[j]);
      else if (ch === '¤') {
        parts.push({ type: 'currency', value: cur });
        // A currency sign that is letters, before the number, is set off by a no-break space.
        if (pattern[i + 1] === '#' && /[A-Za-z]$/.test(cur)) parts.push({ type: 'literal', value: '\u00a0' });
      } else if (ch === '%') parts.push({ type: 'percentSign', value: '%' });
      else if (ch === ' ') parts.push({ type: 'literal', value: s.style === 'currency' && s.currencyDisplay === 'name' ? ' ' : '\u00a0' });
      else parts.push({ type: 'literal', value: ch });
    }
    if (s.style === 'unit') {
      const u = UNITS[s.unit] || [s.unit, s.unit, s.unit, s.unit, s.unit];
      const one = plural === 'one';
      const name = s.unitDisplay === 'long' ? u[one ? 2 : 3] : s.unitDisplay === 'narrow' ? u[4] : u[one ? 0 : 1];
      if (s.unit === 'percent' && s.unitDisplay !== 'long') parts.push({ type: 'unit', value: '%' });
      else if (s.unitDisplay === 'narrow' && /^[°′″]/.test(name)) parts.push({ type: 'unit', value: name });
      else parts.push({ type: 'literal', value: s.unitDisplay === 'narrow' && name.length <= 2 && /^[a-z]+$/.test(name) ? '' : ' ' }, { type: 'unit', value: name });
    }
    return parts;
  }
  function bodyOf(s, d, minFD) {
    let [int, frac] = digitsOf(d, s.minimumIntegerDigits, minFD);
    if (s.trailingZeroDisplay === 'stripIfInteger' && /^0*$/.test(frac)) frac = '';
    if (int === '') int = '0';
    const out = [];
    const groups = group(int, s.data, s.useGrouping);
    for (let i = 0; i < groups.length; i++) {
      if (i > 0) out.push({ type: 'group', value: s.data.group });
      out.push({ type: 'integer', value: groups[i] });
    }
    if (frac !== '') out.push({ type: 'decimal', value: s.data.decimal }, { type: 'fraction', value: frac });
    return out;
  }
  const joinParts = (parts) => { let r = ''; for (let i = 0; i < parts.length; i++) r += parts[i].value; return r; };
  function formatNumber(s, x) {
    x = toNumeric(x);
    // The common case without the parts: a finite number in decimal style.
    if (s.fast === undefined) s.fast = s.style === 'decimal' && s.notation === 'standard' && s.signDisplay === 'auto' && s.rounding === 'fraction' && s.trailingZeroDisplay === 'auto' && !s.data.minus;
    if (s.fast && typeof x === 'number' && x - x === 0) {
      const r = roundFraction(decimalOf(x), s.maximumFractionDigits);
      const ds = digitsOf(r, s.minimumIntegerDigits, s.minimumFractionDigits);
      const int = ds[0] === '' ? '0' : ds[0];
      const g = group(int, s.data, s.useGrouping);
      let out = r.neg ? '-' + g[0] : g[0];
      for (let i = 1; i < g.length; i++) out += s.data.group + g[i];
      return ds[1] === '' ? out : out + s.data.decimal + ds[1];
    }
    return joinParts(numberParts(s, x));
  }
  function pluralOf(locale, ordinal, text) {
    // CLDR operands of the formatted number: i integer digits, v/w visible fraction digits with
    // and without trailing zeros, f/t the same as integers.
    const dot = text.indexOf('.');
    const ip = dot < 0 ? text : text.slice(0, dot), fp = dot < 0 ? '' : text.slice(dot + 1);
    const ft = fp.replace(/0+$/, '');
    const big = ip.length > 9;
    return nativePlural(locale, ordinal, big ? 1e9 + Number_(ip.slice(-9)) : Number_(ip), fp.length, ft.length, fp === '' ? 0 : Number_(fp.slice(0, 9)), ft === '' ? 0 : Number_(ft.slice(0, 9)));
  }
  methods(NumberFormat.prototype, {
    formatToParts(x) { return numberParts(slot(this, 'NumberFormat'), toNumeric(x)); },
    formatRange(a, b) { const s = slot(this, 'NumberFormat'); return formatNumber(s, a) + '–' + formatNumber(s, b); },
    resolvedOptions() {
      const s = slot(this, 'NumberFormat');
      const r = { locale: s.locale, numberingSystem: 'latn', style: s.style };
      if (s.style === 'currency') { r.currency = s.currency; r.currencyDisplay = s.currencyDisplay; r.currencySign = s.currencySign; }
      if (s.style === 'unit') { r.unit = s.unit; r.unitDisplay = s.unitDisplay; }
      r.minimumIntegerDigits = s.minimumIntegerDigits;
      if (s.rounding !== 'significant') { r.minimumFractionDigits = s.minimumFractionDigits; r.maximumFractionDigits = s.maximumFractionDigits; }
      if (s.rounding !== 'fraction') { r.minimumSignificantDigits = s.minimumSignificantDigits; r.maximumSignificantDigits = s.maximumSignificantDigits; }
      r.useGrouping = s.useGrouping; r.notation = s.notation;
      if (s.notation === 'compact') r.compactDisplay = s.compactDisplay;
      r.signDisplay = s.signDisplay; r.roundingMode = s.roundingMode; r.roundingIncrement = 1;
      r.trailingZeroDisplay = s.trailingZeroDisplay; r.roundingPriority = s.roundingPriority;
      return r;
    },
  });
  defineProperty(NumberFormat.prototype, 'format', {
    get() {
      const s = slot(this, 'NumberFormat');
      if (!s.bound) { s.bound = (x) => formatNumber(s, x); }
      return s.bound;
    },
    enumerable: false, configurable: true,
  });
  tag(NumberFormat.prototype, 'Intl.NumberFormat');

  // ---- dates ----
  const EN_DATE = {
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    eras: [['BC', 'AD'], ['Before Christ', 'Anno Domini'], ['B', 'A']], ampm: ['AM', 'PM'],
    date: { full: 'EEEE, MMMM d, y', long: 'MMMM d, y', medium: 'MMM d, y', short: 'M/d/yy' },
    time: { full: 'h:mm:ss\u202fa zzzz', long: 'h:mm:ss\u202fa z', medium: 'h:mm:ss\u202fa', short: 'h:mm\u202fa' },
    join: { full: "{1} 'at' {0}", long: "{1} 'at' {0}", medium: '{1}, {0}', short: '{1}, {0}' }, hc: 'h12',
  };
  const DATE = {
    en: EN_DATE,
    'en-GB': { date: { full: 'EEEE d MMMM y', long: 'd MMMM y', medium: 'd MMM y', short: 'dd/MM/y' }, time: { full: 'HH:mm:ss zzzz', long: 'HH:mm:ss z', medium: 'HH:mm:ss', short: 'HH:mm' }, hc: 'h23', numeric: 'dd/MM/y', dm: 'dd/MM', textual: 'd MMM y' },
    de: { months: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
      days: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
      date: { full: 'EEEE, d. MMMM y', long: 'd. MMMM y', medium: 'dd.MM.y', short: 'dd.MM.yy' }, time: { full: 'HH:mm:ss zzzz', long: 'HH:mm:ss z', medium: 'HH:mm:ss', short: 'HH:mm' },
      join: { full: "{1} 'um' {0}", long: "{1} 'um' {0}", medium: '{1}, {0}', short: '{1}, {0}' }, hc: 'h23', numeric: 'd.M.y', dm: 'd.M.', textual: 'd. MMM y' },
    fr: { months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
      days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
      date: { full: 'EEEE d MMMM y', long: 'd MMMM y', medium: 'd MMM y', short: 'dd/MM/y' }, time: { full: 'HH:mm:ss zzzz', long: 'HH:mm:ss z', medium: 'HH:mm:ss', short: 'HH:mm' },
      join: { full: "{1} 'à' {0}", long: "{1} 'à' {0}", medium: '{1} {0}', short: '{1} {0}' }, hc: 'h23', numeric: 'dd/MM/y', dm: 'dd/MM', textual: 'd MMM y' },
    es: { months: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
      days: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
      date: { full: "EEEE, d 'de' MMMM 'de' y", long: "d 'de' MMMM 'de' y", medium: 'd MMM y', short: 'd/M/yy' }, time: { full: 'H:mm:ss (zzzz)', long: 'H:mm:ss z', medium: 'H:mm:ss', short: 'H:mm' },
      join: { full: '{1}, {0}', long: '{1}, {0}', medium: '{1}, {0}', short: '{1}, {0}' }, hc: 'h23', numeric: 'd/M/y', dm: 'd/M', textual: 'd MMM y' },
    ja: { date: { full: 'y年M月d日EEEE', long: 'y年M月d日', medium: 'y/MM/dd', short: 'y/MM/dd' }, time: { full: 'H時mm分ss秒 zzzz', long: 'H:mm:ss z', medium: 'H:mm:ss', short: 'H:mm' },
      join: { full: '{1} {0}', long: '{1} {0}', medium: '{1} {0}', short: '{1} {0}' }, hc: 'h23', numeric: 'y/M/d', dm: 'M/d', textual: 'y年M月d日' },
  };
  function dateData(locale) {
    const l = lang(locale), r = region(locale);
    let d = DATE[locale] || DATE[l + '-' + r] || DATE[l] || EN_DATE;
    if (l === 'en' && r === 'CA') d = { date: EN_DATE.date, time: EN_DATE.time, hc: 'h12', numeric: 'y-MM-dd', dm: 'MM-dd', textual: 'MMM d, y', en: false };
    else if (l === 'en' && r !== 'US' && r !== '' && !DATE[l + '-' + r]) d = DATE['en-GB'];
    const out = {};
    const ks = keys(EN_DATE);
    for (let i = 0; i < ks.length; i++) out[ks[i]] = d[ks[i]] !== undefined ? d[ks[i]] : EN_DATE[ks[i]];
    out.numeric = d.numeric; out.dm = d.dm; out.textual = d.textual; out.en = d === EN_DATE;
    return out;
  }
  const patternCache = new Map();
  const FIELDS = ['weekday', 'era', 'year', 'month', 'day', 'dayPeriod', 'hour', 'minute', 'second', 'fractionalSecondDigits', 'timeZoneName'];
  function DateTimeFormat(locales, options) {
    if (new.target === undefined) return new DateTimeFormat(locales, options);
    slots.set(this, dateTimeFormat(locales, options, 'any', 'date'));
  }
  function dateTimeFormat(locales, options, required, defaults) {
    const o = toOptions(options);
    const locale = resolve(locales);
    const s = { kind: 'DateTimeFormat', locale, data: dateData(locale) };
    const ext = /-u-.*hc-(h11|h12|h23|h24)/.exec(canonicalList(locales)[0] || '');
    getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    const cal = getOpt(o, 'calendar');
    const nu = getOpt(o, 'numberingSystem');
    let hour12 = getOpt(o, 'hour12', 'boolean');
    let hourCycle = getOpt(o, 'hourCycle', ['h11', 'h12', 'h23', 'h24']);
    if (hour12 !== undefined) hourCycle = undefined;
    const tz = o.timeZone;
    if (tz === undefined) s.timeZone = defaultZone; else {
      s.timeZone = nativeZone(String_(tz));
      if (s.timeZone === undefined) throw new RangeError_('Invalid time zone specified: ' + String_(tz));
    }
    const f = {};
    f.weekday = getOpt(o, 'weekday', ['narrow', 'short', 'long']);
    f.era = getOpt(o, 'era', ['narrow', 'short', 'long']);
    f.year = getOpt(o, 'year', ['2-digit', 'numeric']);
    f.month = getOpt(o, 'month', ['2-digit', 'numeric', 'narrow', 'short', 'long']);
    f.day = getOpt(o, 'day', ['2-digit', 'numeric']);
    f.dayPeriod = getOpt(o, 'dayPeriod', ['narrow', 'short', 'long']);
    f.hour = getOpt(o, 'hour', ['2-digit', 'numeric']);
    f.minute = getOpt(o, 'minute', ['2-digit', 'numeric']);
    f.second = getOpt(o, 'second', ['2-digit', 'numeric']);
    f.fractionalSecondDigits = getNum(o, 'fractionalSecondDigits', 1, 3, undefined);
    f.timeZoneName = getOpt(o, 'timeZoneName', ['short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric']);
    getOpt(o, 'formatMatcher', ['basic', 'best fit'], 'best fit');
    const dateStyle = getOpt(o, 'dateStyle', ['full', 'long', 'medium', 'short']);
    const timeStyle = getOpt(o, 'timeStyle', ['full', 'long', 'medium', 'short']);
    if (dateStyle !== undefined || timeStyle !== undefined) {
      for (let i = 0; i < FIELDS.length; i++) {
        if (f[FIELDS[i]] !== undefined && FIELDS[i] !== 'timeZoneName') throw new TypeError_('Can\'t set option ' + FIELDS[i] + ' when ' + (dateStyle !== undefined ? 'dateStyle' : 'timeStyle') + ' is used');
        if (FIELDS[i] === 'timeZoneName' && f.timeZoneName !== undefined) throw new TypeError_('Can\'t set option timeZoneName when ' + (dateStyle !== undefined ? 'dateStyle' : 'timeStyle') + ' is used');
      }
      if (required === 'date' && dateStyle === undefined) throw new TypeError_('Invalid option : timeStyle');
      if (required === 'time' && timeStyle === undefined) throw new TypeError_('Invalid option : dateStyle');
      s.dateStyle = dateStyle; s.timeStyle = timeStyle;
    } else {
      let need = true;
      if ((required === 'date' || required === 'any') && (f.weekday || f.year || f.month || f.day)) need = false;
      if ((required === 'time' || required === 'any') && (f.dayPeriod || f.hour || f.minute || f.second || f.fractionalSecondDigits)) need = false;
      if (need && (defaults === 'date' || defaults === 'all')) { f.year = f.month = f.day = 'numeric'; }
      if (need && (defaults === 'time' || defaults === 'all')) { f.hour = f.minute = f.second = 'numeric'; }
    }
    const hasHour = f.hour !== undefined || timeStyle !== undefined;
    if (hasHour) {
      let hc = ext ? ext[1] : s.data.hc;
      if (hourCycle !== undefined) hc = hourCycle;
      if (hour12 === true) hc = s.data.hc === 'h23' || s.data.hc === 'h24' ? (lang(locale) === 'ja' ? 'h11' : 'h12') : s.data.hc;
      if (hour12 === false) hc = 'h23';
      s.hourCycle = hc;
    }
    // What resolvedOptions shows: minutes and seconds are two digits with an hour or minute; an
    // hour in the 23-hour cycle is two digits, as ICU's pattern gives.
    if (f.hour && f.minute) f.minute = '2-digit';
    if ((f.minute || f.hour) && f.second) f.second = '2-digit';
    if (f.hour && (s.hourCycle === 'h23' || s.hourCycle === 'h24') && s.data.en) f.hour = '2-digit';
    s.fields = f;
    const pk = locale + '|' + s.hourCycle + '|' + s.dateStyle + '|' + s.timeStyle + '|' + f.weekday + f.era + f.year + f.month + f.day + f.hour + f.minute + f.second + f.fractionalSecondDigits + f.timeZoneName;
    const cached = patternCache.get(pk);
    if (cached) { s.pattern = cached[0]; s.tokens = cached[1]; } else {
      s.pattern = patternOf(s);
      s.tokens = patternTokens(s.pattern);
      if (patternCache.size < 256) patternCache.set(pk, [s.pattern, s.tokens]);
    }
    return s;
  }
  // patternOf builds the ICU-style pattern of s (en's skeleton matching; other locales: their
  // numeric and textual patterns, best effort).
  function patternOf(s) {
    const d = s.data;
    const H = { h11: 'K', h12: 'h', h23: 'H', h24: 'k' }[s.hourCycle || 'h12'];
    const h12 = H === 'h' || H === 'K';
    const ap = h12 ? '\u202fa' : '';
    if (s.dateStyle || s.timeStyle) {
      let t = s.timeStyle ? d.time[s.timeStyle] : '';
      if (t && !d.en || (t && !h12)) t = t.replace(/h/g, H === 'K' ? 'K' : H).replace(/\u202fa/, h12 ? '\u202fa' : '').replace(/^H(?!H)/, s.data.en ? 'HH' : 'H');
      if (t && h12 && !/a/.test(t)) t = t.replace(/H+/, H).replace(/(:ss|:mm)(?!.*:)/, '$1\u202fa');
      const dt = s.dateStyle ? d.date[s.dateStyle] : '';
      if (dt && t) return d.join[s.dateStyle].replace('{1}', dt).replace('{0}', t);
      return dt || t;
    }
    const f = s.fields;
    let date = '';
    const y = f.year === '2-digit' ? 'yy' : f.year ? 'y' : '';
    const dd = f.day === '2-digit' ? 'dd' : f.day ? 'd' : '';
    const E = f.weekday ? { long: 'EEEE', short: 'EEE', narrow: 'EEEEE' }[f.weekday] : '';
    const G = f.era ? { long: 'GGGG', short: 'G', narrow: 'GGGGG' }[f.era] : '';
    const M = f.month;
    if (!M) date = dd && y ? dd + ' ' + y : y || dd;
    else if (M === 'numeric' || M === '2-digit') {
      const Ms = M === '2-digit' ? 'MM' : 'M';
      if (d.en) date = [Ms, dd, y].filter(Boolean).join('/');
      else if (dd && y) date = d.numeric; else if (dd) date = d.dm; else date = [Ms, y].filter(Boolean).join(lang(s.locale) === 'de' ? '.' : '/');
      if (!d.en && M === '2-digit') date = date.replace(/M+/, 'MM');
      if (!d.en && f.day === '2-digit') date = date.replace(/d+/, 'dd');
    } else {
      const Ms = { long: 'MMMM', short: 'MMM', narrow: 'MMMMM' }[M];
      if (d.en) date = dd && y ? Ms + ' ' + dd + ', ' + y : dd ? Ms + ' ' + dd : y ? Ms + ' ' + y : Ms;
      else date = dd && y ? d.textual.replace(/M+/, Ms) : dd ? (d.textual.replace(/[ ,.]*y+/, '')).replace(/M+/, Ms) : y ? Ms + ' ' + y : Ms;
    }
    if (G) date = date ? date + ' ' + G : G;
    if (E) date = date ? E + ', ' + date : E;
    let time = '';
    if (f.hour || f.minute || f.second) {
      const hs = f.hour ? (f.hour === '2-digit' ? H + H : H) : '';
      const ms = f.minute ? (f.hour || f.minute === '2-digit' ? 'mm' : 'm') : '';
      let ss = f.second ? (f.minute || f.second === '2-digit' ? 'ss' : 's') : '';
      if (ss && f.fractionalSecondDigits) ss += '.' + 'S'.repeat(f.fractionalSecondDigits);
      time = [hs, ms, ss].filter(Boolean).join(':');
      if (f.hour && h12) time += ap;
    } else if (f.fractionalSecondDigits) time = 'S'.repeat(f.fractionalSecondDigits);
    if (f.timeZoneName) {
      const z = f.timeZoneName === 'long' || f.timeZoneName === 'longOffset' || f.timeZoneName === 'longGeneric' ? 'zzzz' : 'z';
      if (time) time += ' ' + z; else date = date ? date + ', ' + z : z;
    }
    if (date && time) return (d.join.medium).replace('{1}', date).replace('{0}', time);
    return date || time;
  }
  function patternTokens(p) {
    const out = [];
    for (let i = 0; i < p.length;) {
      const c = p[i];
      if (c === "'") {
        let j = p.indexOf("'", i + 1);
        if (j < 0) j = p.length;
        out.push([null, p.slice(i + 1, j)]);
        i = j + 1;
      } else if (/[a-zA-Z]/.test(c)) {
        let j = i;
        while (p[j] === c) j++;
        out.push([c, j - i]);
        i = j;
      } else {
        let j = i;
        while (j < p.length && p[j] !== "'" && !/[a-zA-Z]/.test(p[j])) j++;
        out.push([null, p.slice(i, j)]);
        i = j;
      }
    }
    return out;
  }
  const pad2 = (v) => (v < 10 ? '0' : '') + v;
  function toTime(x) {
    const t = x === undefined ? Date.now() : typeof x === 'object' && x !== null && slotsDate(x) ? apply(dateValueOf, x, []) : Number_(x);
    if (!isFinite(t) || abs(t) > 8.64e15) throw new RangeError_('Invalid time value');
    return t;
  }
  const slotsDate = (x) => { try { apply(dateValueOf, x, []); return true; } catch (e) { return false; } };
  // dateParts formats t as formatToParts does; asString, as format does (ICU's U+202F, before
  // AM/PM, a plain space as V8 prints it), without making the parts.
  function dateParts(s, t, asString) {
    const d = s.data;
    const v = nativeFields(s.timeZone, t);
    const year = v[0], month = v[1], day = v[2], wd = v[3], hour = v[4], minute = v[5], second = v[6], milli = v[7];
    const out = [];
    let str = '';
    const toks = s.tokens || (s.tokens = patternTokens(s.pattern));
    for (let i = 0; i < toks.length; i++) {
      const c = toks[i][0], w = toks[i][1];
      let type, value;
      switch (c) {
        case null: type = 'literal'; value = w; break;
        case 'G': type = 'era'; value = d.eras[w === 4 ? 1 : w === 5 ? 2 : 0][year > 0 ? 1 : 0]; break;
        case 'y': { type = 'year'; const yy = year > 0 ? year : 1 - year; value = w === 2 ? pad2(yy % 100) : String_(yy); break; }
        case 'M': type = 'month'; value = w === 1 ? String_(month + 1) : w === 2 ? pad2(month + 1) : w === 3 ? shortMonth(s, month) : w === 4 ? d.months[month] : d.months[month][0]; break;
        case 'd': type = 'day'; value = w === 2 ? pad2(day) : String_(day); break;
        case 'E': type = 'weekday'; value = w === 4 ? d.days[wd] : w === 5 ? d.days[wd][0] : d.days[wd].slice(0, 3); break;
        case 'a': type = 'dayPeriod'; value = d.ampm[hour < 12 ? 0 : 1]; break;
        case 'h': case 'K': case 'H': case 'k': {
          type = 'hour';
          let hv = hour;
          if (c === 'h') hv = hour % 12 === 0 ? 12 : hour % 12; else if (c === 'K') hv = hour % 12; else if (c === 'k') hv = hour === 0 ? 24 : hour;
          value = w === 2 ? pad2(hv) : String_(hv);
          break;
        }
        case 'm': type = 'minute'; value = w === 2 ? pad2(minute) : String_(minute); break;
        case 's': type = 'second'; value = w === 2 ? pad2(second) : String_(second); break;
        case 'S': type = 'fractionalSecond'; value = String_(1000 + milli).slice(1, 1 + w); break;
        case 'z': type = 'timeZoneName'; value = nativeZoneName(s.timeZone, t, w === 4 ? 'long' : 'short'); break;
        default: type = 'literal'; value = c.repeat(w);
      }
      if (asString) str += c === null && value.indexOf('\u202f') >= 0 ? value.split('\u202f').join(' ') : value;
      else if (type === 'literal' && out.length && out[out.length - 1].type === 'literal') out[out.length - 1].value += value;
      else out.push({ type, value });
    }
    return asString ? str : out;
  }
  function shortMonth(s, m) {
    const name = s.data.months[m];
    if (s.data.en) return name.slice(0, 3);
    const l = lang(s.locale);
    if (l === 'de') return name.length <= 4 ? name : name.slice(0, 3) + '.';
    if (l === 'fr') return ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'][m];
    return name.slice(0, 3);
  }
  // format(): Node's V8 prints a plain space where ICU's pattern has U+202F (before AM/PM);
  // formatToParts keeps ICU's.
  const formatDate = (s, t) => dateParts(s, t, true);
  methods(DateTimeFormat.prototype, {
    formatToParts(x) { const s = slot(this, 'DateTimeFormat'); return dateParts(s, toTime(x)); },
    formatRange(a, b) {
      const s = slot(this, 'DateTimeFormat');
      if (a === undefined || b === undefined) throw new TypeError_('Invalid time value');
      const ta = toTime(a), tb = toTime(b);
      const pa = dateParts(s, ta), pb = dateParts(s, tb);
      const x = dateParts(s, ta, true), y = dateParts(s, tb, true);
      if (x === y) return x;
      // en, a date with a textual month: the shared year (and month) once, as ICU's intervals.
      const va = nativeFields(s.timeZone, ta), vb = nativeFields(s.timeZone, tb);
      const f = s.fields || {};
      const textual = s.data.en && (s.dateStyle === 'medium' || s.dateStyle === 'long' || (!s.dateStyle && !s.timeStyle && (f.month === 'short' || f.month === 'long') && f.day && f.year && !f.hour && !f.weekday));
      if (textual && !s.timeStyle && va[0] === vb[0]) {
        const cut = (ps) => { let i = ps.length - 1; while (i >= 0 && ps[i].type !== 'year') i--; return joinParts(ps.slice(0, i - 1)); };
        const yearPart = joinParts(pa.slice(pa.length - 2));
        if (va[1] === vb[1]) {
          const dayB = pb.filter((p) => p.type === 'day')[0].value;
          return cut(pa) + '\u2009–\u2009' + dayB + yearPart;
        }
        return cut(pa) + '\u2009–\u2009' + cut(pb) + yearPart;
      }
      return x + '\u2009–\u2009' + y;
    },
    resolvedOptions() {
      const s = slot(this, 'DateTimeFormat');
      const r = { locale: s.locale, calendar: 'gregory', numberingSystem: 'latn', timeZone: s.timeZone };
      if (s.hourCycle) { r.hourCycle = s.hourCycle; r.hour12 = s.hourCycle === 'h11' || s.hourCycle === 'h12'; }
      if (s.dateStyle || s.timeStyle) {
        if (s.dateStyle) r.dateStyle = s.dateStyle;
        if (s.timeStyle) r.timeStyle = s.timeStyle;
        return r;
      }
      for (let i = 0; i < FIELDS.length; i++) if (s.fields[FIELDS[i]] !== undefined) r[FIELDS[i]] = s.fields[FIELDS[i]];
      return r;
    },
  });
  defineProperty(DateTimeFormat.prototype, 'format', {
    get() {
      const s = slot(this, 'DateTimeFormat');
      if (!s.bound) { s.bound = (x) => formatDate(s, toTime(x)); }
      return s.bound;
    },
    enumerable: false, configurable: true,
  });
  tag(DateTimeFormat.prototype, 'Intl.DateTimeFormat');

  // ---- plural rules ----
  function PluralRules(locales, options) {
    if (new.target === undefined) throw new TypeError_('Constructor Intl.PluralRules requires \'new\'');
    const o = toOptions(options);
    const type = getOpt(o, 'type', ['cardinal', 'ordinal'], 'cardinal');
    const nf = new NumberFormat(locales, { minimumIntegerDigits: o.minimumIntegerDigits, minimumFractionDigits: o.minimumFractionDigits, maximumFractionDigits: o.maximumFractionDigits, minimumSignificantDigits: o.minimumSignificantDigits, maximumSignificantDigits: o.maximumSignificantDigits, useGrouping: false });
    slots.set(this, { kind: 'PluralRules', type, nf: slots.get(nf), locale: resolve(locales) });
  }
  function selectPlural(s, x) {
    x = Number_(x);
    if (!isFinite(x)) return 'other';
    const parts = numberParts(s.nf, abs(x));
    let text = '';
    for (let i = 0; i < parts.length; i++) if (parts[i].type === 'integer' || parts[i].type === 'decimal' || parts[i].type === 'fraction') text += parts[i].type === 'decimal' ? '.' : parts[i].value;
    return pluralOf(s.locale, s.type === 'ordinal', text);
  }
  const CATEGORIES = { cardinal: { en: ['one', 'other'], de: ['one', 'other'], fr: ['one', 'many', 'other'], ja: ['other'] }, ordinal: { en: ['few', 'one', 'two', 'other'], de: ['other'], fr: ['one', 'other'], ja: ['other'] } };
  methods(PluralRules.prototype, {
    select(x) { return selectPlural(slot(this, 'PluralRules'), x); },
    selectRange(a, b) { return selectPlural(slot(this, 'PluralRules'), b); },
    resolvedOptions() {
      const s = slot(this, 'PluralRules');
      const r = { locale: s.locale, type: s.type, minimumIntegerDigits: s.nf.minimumIntegerDigits };
      if (s.nf.rounding !== 'significant') { r.minimumFractionDigits = s.nf.minimumFractionDigits; r.maximumFractionDigits = s.nf.maximumFractionDigits; } else { r.minimumSignificantDigits = s.nf.minimumSignificantDigits; r.maximumSignificantDigits = s.nf.maximumSignificantDigits; }
      r.pluralCategories = (CATEGORIES[s.type][lang(s.locale)] || CATEGORIES[s.type].en).slice();
      r.roundingIncrement = 1; r.roundingMode = 'halfExpand'; r.roundingPriority = 'auto'; r.trailingZeroDisplay = 'auto';
      return r;
    },
  });
  tag(PluralRules.prototype, 'Intl.PluralRules');

  // ---- relative time ----
  const RT_UNITS = { second: ['second', 'sec.', 'now', 'now'], minute: ['minute', 'min.', 'this minute'], hour: ['hour', 'hr.', 'this hour'], day: ['day', 'day', 'today', 'yesterday', 'tomorrow'],
    week: ['week', 'wk.', 'this week', 'last week', 'next week'], month: ['month', 'mo.', 'this month', 'last month', 'next month'], quarter: ['quarter', 'qtr.', 'this quarter', 'last quarter', 'next quarter'],
    year: ['year', 'yr.', 'this year', 'last year', 'next year'] };
  function RelativeTimeFormat(locales, options) {
    if (new.target === undefined) throw new TypeError_('Constructor Intl.RelativeTimeFormat requires \'new\'');
    const o = toOptions(options);
    getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    const s = { kind: 'RelativeTimeFormat', locale: resolve(locales) };
    s.style = getOpt(o, 'style', ['long', 'short', 'narrow'], 'long');
    s.numeric = getOpt(o, 'numeric', ['always', 'auto'], 'always');
    s.nf = slots.get(new NumberFormat(s.locale));
    slots.set(this, s);
  }
  function relativeParts(s, value, unit) {
    value = Number_(value);
    if (!isFinite(value)) throw new RangeError_('Invalid time value');
    unit = String_(unit);
    const u = unit.replace(/s$/, '');
    const names = RT_UNITS[u];
    if (!names) throw new RangeError_('Invalid unit argument for format() \'' + unit + '\'');
    const past = value < 0 || Object.is(value, -0);
    if (s.numeric === 'auto') {
      if (value === 0 && names[2]) return [{ type: 'literal', value: u === 'second' ? 'now' : names[2] }];
      if (value === -1 && names[3] && u !== 'second') return [{ type: 'literal', value: names[3] }];
      if (value === 1 && names[4] && u !== 'second') return [{ type: 'literal', value: names[4] }];
    }
    const num = numberParts(s.nf, abs(value));
    const text = joinParts(num);
    const one = pluralOf(s.locale, false, text.replace(/,/g, '')) === 'one';
    let name = s.style === 'long' ? names[0] + (one ? '' : 's') : names[1];
    if (s.style !== 'long' && (u === 'day')) name = one ? 'day' : 'days';
    if (s.style !== 'long' && u === 'quarter' && !one) name = 'qtrs.';
    const numParts = num.map((p) => ({ type: p.type, value: p.value, unit: u }));
    return past ? numParts.concat([{ type: 'literal', value: ' ' + name + ' ago' }]) : [{ type: 'literal', value: 'in ' }].concat(numParts, [{ type: 'literal', value: ' ' + name }]);
  }
  methods(RelativeTimeFormat.prototype, {
    format(value, unit) { return joinParts(relativeParts(slot(this, 'RelativeTimeFormat'), value, unit)); },
    formatToParts(value, unit) { return relativeParts(slot(this, 'RelativeTimeFormat'), value, unit); },
    resolvedOptions() { const s = slot(this, 'RelativeTimeFormat'); return { locale: s.locale, style: s.style, numeric: s.numeric, numberingSystem: 'latn' }; },
  });
  tag(RelativeTimeFormat.prototype, 'Intl.RelativeTimeFormat');

  // ---- collation ----
  function Collator(locales, options) {
    if (new.target === undefined) return new Collator(locales, options);
    const o = toOptions(options);
    const s = { kind: 'Collator' };
    s.usage = getOpt(o, 'usage', ['sort', 'search'], 'sort');
    getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    const list = canonicalList(locales);
    const kn = /-u-(?:.*-)?kn(?:-(true|false))?(?:-|$)/.exec(list[0] || '');
    s.numeric = getOpt(o, 'numeric', 'boolean', kn ? kn[1] !== 'false' : false);
    s.caseFirst = getOpt(o, 'caseFirst', ['upper', 'lower', 'false'], 'false');
    s.sensitivity = getOpt(o, 'sensitivity', ['base', 'accent', 'case', 'variant'], 'variant');
    s.ignorePunctuation = getOpt(o, 'ignorePunctuation', 'boolean', false);
    s.locale = resolve(list);
    s.collation = 'default';
    s.compare = nativeCollator(s.locale, s.sensitivity, s.numeric, s.ignorePunctuation);
    slots.set(this, s);
  }
  methods(Collator.prototype, {
    resolvedOptions() { const s = slot(this, 'Collator'); return { locale: s.locale, usage: s.usage, sensitivity: s.sensitivity, ignorePunctuation: s.ignorePunctuation, collation: s.collation, numeric: s.numeric, caseFirst: s.caseFirst }; },
  });
  defineProperty(Collator.prototype, 'compare', {
    get() {
      const s = slot(this, 'Collator');
      if (!s.bound) { const c = s.compare; s.bound = (a, b) => c(String_(a), String_(b)); }
      return s.bound;
    },
    enumerable: false, configurable: true,
  });
  tag(Collator.prototype, 'Intl.Collator');

  // ---- lists ----
  function ListFormat(locales, options) {
    if (new.target === undefined) throw new TypeError_('Constructor Intl.ListFormat requires \'new\'');
    const o = toOptions(options);
    getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    const s = { kind: 'ListFormat', locale: resolve(locales) };
    s.type = getOpt(o, 'type', ['conjunction', 'disjunction', 'unit'], 'conjunction');
    s.style = getOpt(o, 'style', ['long', 'short', 'narrow'], 'long');
    slots.set(this, s);
  }
  function listParts(s, list) {
    const items = [];
    if (list !== undefined) for (const x of list) { if (typeof x !== 'string') throw new TypeError_('Iterable yielded ' + String_(x) + ' which is not a string'); items.push(x); }
    let word = s.type === 'disjunction' ? 'or' : s.type === 'unit' ? '' : s.style === 'long' ? 'and' : s.style === 'short' ? '&' : '';
    const out = [];
    for (let i = 0; i < items.length; i++) {
      if (i > 0) {
        let sep;
        const last = i === items.length - 1;
        if (s.type === 'unit') sep = s.style === 'narrow' ? ' ' : ', ';
        else if (last && word) sep = items.length === 2 ? ' ' + word + ' ' : ', ' + word + ' ';
        else sep = ', ';
        out.push({ type: 'literal', value: sep });
      }
      out.push({ type: 'element', value: items[i] });
    }
    return out;
  }
  methods(ListFormat.prototype, {
    format(list) { return joinParts(listParts(slot(this, 'ListFormat'), list)); },
    formatToParts(list) { return listParts(slot(this, 'ListFormat'), list); },
    resolvedOptions() { const s = slot(this, 'ListFormat'); return { locale: s.locale, type: s.type, style: s.style }; },
  });
  tag(ListFormat.prototype, 'Intl.ListFormat');

  // ---- Segmenter: UAX #29 for the common cases, as ICU's root rules split them: grapheme
  // clusters (combining marks, ZWJ sequences, emoji modifiers, flag pairs, CRLF), words (letters,
  // digits and _ joined by ' . : between letters and , . ; ' between digits; runs of spaces) and
  // sentences (after . ! ? and the spaces that follow, but a . before a lower-case word). No
  // dictionary segmentation (Thai, CJK words). ----
  // re: the classes segmentation goes by (charClass, in Go: goja's expressions have no \p{...}).
  const charClass = n.charClass;
  const re = {
    extend: { test: (g) => charClass(g) === 'M' || g === '\u200d' || (g >= '\u{1F3FB}' && g <= '\u{1F3FF}' && g.length === 2) || (g >= '\u{E0020}' && g <= '\u{E007F}' && g.length === 2) },
    regional: { test: (g) => g.length === 2 && g >= '\u{1F1E6}' && g <= '\u{1F1FF}' },
    letter: { test: (g) => { const c = charClass(g); return c === 'Lu' || c === 'Ll' || c === 'L' || c === 'M' || c === 'Pc'; } },
    digit: { test: (g) => charClass(g) === 'Nd' },
    space: { test: (g) => charClass(g) === 'Zs' },
    lower: { test: (g) => charClass(g) === 'Ll' },
    letterAny: { test: (g) => { const c = charClass(g); return c === 'Lu' || c === 'Ll' || c === 'L'; } },
  };
  function graphemes(str) {
    const cps = Array.from(str);
    const out = [];
    for (let i = 0; i < cps.length;) {
      let g = cps[i++];
      if (g === '\r' && cps[i] === '\n') { g += cps[i++]; out.push(g); continue; }
      if (re.regional.test(g) && i < cps.length && re.regional.test(cps[i])) g += cps[i++];
      while (i < cps.length && re.extend.test(cps[i])) {
        const joiner = cps[i] === '\u200d';
        g += cps[i++];
        if (joiner && i < cps.length) g += cps[i++];
      }
      out.push(g);
    }
    return out;
  }
  function wordSegments(gs) {
    const kind = (g) => (g === undefined ? '' : re.digit.test(g) ? 'd' : re.letter.test(g) ? 'l' : re.space.test(g) ? 's' : 'o');
    const out = [];
    for (let i = 0; i < gs.length;) {
      const k = kind(gs[i]);
      let j = i + 1;
      if (k === 'l' || k === 'd') {
        for (;;) {
          const kj = kind(gs[j]);
          if (kj === 'l' || kj === 'd') { j++; continue; }
          const prev = kind(gs[j - 1]), next = kind(gs[j + 1]);
          if (prev === 'l' && next === 'l' && (gs[j] === "'" || gs[j] === '.' || gs[j] === ':' || gs[j] === '\u2019')) { j += 2; continue; }
          if (prev === 'd' && next === 'd' && (gs[j] === ',' || gs[j] === '.' || gs[j] === ';' || gs[j] === "'")) { j += 2; continue; }
          break;
        }
        out.push([gs.slice(i, j).join(''), true]);
      } else {
        if (k === 's') while (kind(gs[j]) === 's') j++;
        out.push([gs.slice(i, j).join(''), false]);
      }
      i = j;
    }
    return out;
  }
  function sentenceSegments(gs) {
    const out = [];
    let start = 0;
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i];
      if (g !== '.' && g !== '!' && g !== '?' && g !== '\n' && g !== '\r\n' && g !== '\r') continue;
      if (g === '\n' || g === '\r\n' || g === '\r') { out.push(gs.slice(start, i + 1).join('')); start = i + 1; continue; }
      let j = i, aterm = true;
      while (j < gs.length && (gs[j] === '.' || gs[j] === '!' || gs[j] === '?')) { if (gs[j] !== '.') aterm = false; j++; }
      while (j < gs.length && /^[)\]}"'\u2019\u201d]$/.test(gs[j])) j++;
      const spaced = j < gs.length && re.space.test(gs[j]);
      while (j < gs.length && re.space.test(gs[j])) j++;
      if (j < gs.length && (gs[j] === '\n' || gs[j] === '\r\n' || gs[j] === '\r')) j++;
      if (j < gs.length && aterm) {
        if (!spaced && (re.digit.test(gs[j]) || re.letterAny.test(gs[j]))) { i = j - 1; continue; }
        let k = j;
        while (k < gs.length && !re.letterAny.test(gs[k]) && gs[k] !== '.' && gs[k] !== '!' && gs[k] !== '?' && gs[k] !== '\n') k++;
        if (k < gs.length && re.lower.test(gs[k])) { i = j - 1; continue; }
      }
      out.push(gs.slice(start, j).join(''));
      start = j;
      i = j - 1;
    }
    if (start < gs.length) out.push(gs.slice(start).join(''));
    return out;
  }
  function Segmenter(locales, options) {
    if (new.target === undefined) throw new TypeError_('Constructor Intl.Segmenter requires \'new\'');
    const o = toOptions(options);
    getOpt(o, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
    const s = { kind: 'Segmenter', locale: resolve(locales) };
    s.granularity = getOpt(o, 'granularity', ['grapheme', 'word', 'sentence'], 'grapheme');
    slots.set(this, s);
  }
  function segmentList(s, input) {
    const gs = graphemes(input);
    const list = [];
    let index = 0;
    const parts = s.granularity === 'grapheme' ? gs.map((g) => [g]) : s.granularity === 'word' ? wordSegments(gs) : sentenceSegments(gs).map((x) => [x]);
    for (let i = 0; i < parts.length; i++) {
      const seg = { segment: parts[i][0], index, input };
      if (s.granularity === 'word') seg.isWordLike = parts[i][1];
      list.push(seg);
      index += parts[i][0].length;
    }
    return list;
  }
  // The prototype of what segment() returns, which no export reaches: frozen here, as every owner
  // of the runtime shares it.
  const segmentsFns = {
    containing(index) {
      const list = slot(this, 'Segments').list();
      let i = Number_(index);
      i = i !== i ? 0 : Math.trunc(i);
      for (let k = 0; k < list.length; k++) if (i >= list[k].index && i < list[k].index + list[k].segment.length) return list[k];
      return undefined;
    },
    iterator() { return slot(this, 'Segments').list()[Symbol.iterator](); },
  };
  const segmentsProto = {};
  methods(segmentsProto, { containing: segmentsFns.containing });
  defineProperty(segmentsProto, Symbol.iterator, { value: segmentsFns.iterator, writable: true, configurable: true });
  Object.freeze(segmentsFns.containing);
  Object.freeze(segmentsFns.iterator);
  Object.freeze(segmentsProto);
  methods(Segmenter.prototype, {
    segment(input) {
      const s = slot(this, 'Segmenter');
      const str = String_(input);
      const segs = Object.create(segmentsProto);
      let list = null;
      slots.set(segs, { kind: 'Segments', list: () => list || (list = segmentList(s, str)) });
      return segs;
    },
    resolvedOptions() { const s = slot(this, 'Segmenter'); return { locale: s.locale, granularity: s.granularity }; },
  });
  tag(Segmenter.prototype, 'Intl.Segmenter');

  // ---- Locale ----
  function Locale(t, options) {
    if (new.target === undefined) throw new TypeError_('Constructor Intl.Locale requires \'new\'');
    if (typeof t !== 'string' && !(t !== null && typeof t === 'object')) throw new TypeError_('First argument to Intl.Locale constructor can\'t be empty or missing');
    const c = canonical(t);
    const o = toOptions(options);
    const base = c.split(/-u-|-x-/)[0].split('-');
    const s = { kind: 'Locale', language: base[0], script: undefined, region: undefined, variants: [] };
    for (let i = 1; i < base.length; i++) {
      if (base[i].length === 4 && /^[A-Z][a-z]{3}$/.test(base[i])) s.script = base[i];
      else if (/^([A-Z]{2}|[0-9]{3})$/.test(base[i])) s.region = base[i];
      else s.variants.push(base[i]);
    }
    const kw = {};
    const u = /-u-(.*?)(-x-|$)/.exec(c);
    if (u) { const p = u[1].split('-'); for (let i = 0; i < p.length; i++) if (p[i].length === 2) kw[p[i]] = p[i + 1] && p[i + 1].length > 2 ? p[i + 1] : 'true'; }
    if (o.language !== undefined) s.language = String_(o.language);
    if (o.script !== undefined) s.script = String_(o.script);
    if (o.region !== undefined) s.region = String_(o.region);
    const opt = (name, key, allowed) => { const v = getOpt(o, name, allowed); if (v !== undefined) kw[key] = v; };
    opt('calendar', 'ca'); opt('collation', 'co'); opt('hourCycle', 'hc', ['h11', 'h12', 'h23', 'h24']); opt('caseFirst', 'kf', ['upper', 'lower', 'false']);
    const num = o.numeric; if (num !== undefined) kw.kn = String_(Boolean(num));
    opt('numberingSystem', 'nu');
    s.kw = kw;
    s.baseName = [s.language, s.script, s.region].concat(s.variants).filter(Boolean).join('-');
    const ks = keys(kw).sort();
    s.tag = s.baseName + (ks.length ? '-u-' + ks.map((k) => k + (kw[k] === 'true' ? '' : '-' + kw[k])).join('-') : '');
    slots.set(this, s);
  }
  const localeGetter = (name, fn) => defineProperty(Locale.prototype, name, { get() { return fn(slot(this, 'Locale')); }, enumerable: false, configurable: true });
  localeGetter('baseName', (s) => s.baseName);
  localeGetter('language', (s) => s.language);
  localeGetter('script', (s) => s.script);
  localeGetter('region', (s) => s.region);
  localeGetter('calendar', (s) => s.kw.ca);
  localeGetter('collation', (s) => s.kw.co);
  localeGetter('hourCycle', (s) => s.kw.hc);
  localeGetter('caseFirst', (s) => s.kw.kf);
  localeGetter('numeric', (s) => s.kw.kn === 'true');
  localeGetter('numberingSystem', (s) => s.kw.nu);
  methods(Locale.prototype, {
    toString() { return slot(this, 'Locale').tag; },
    toJSON() { return slot(this, 'Locale').tag; },
    maximize() { const s = slot(this, 'Locale'); return new Locale(nativeLikely(s.baseName, true) + s.tag.slice(s.baseName.length)); },
    minimize() { const s = slot(this, 'Locale'); return new Locale(nativeLikely(s.baseName, false) + s.tag.slice(s.baseName.length)); },
  });
  tag(Locale.prototype, 'Intl.Locale');

  const ctors = { DateTimeFormat, NumberFormat, PluralRules, RelativeTimeFormat, Collator, ListFormat, Segmenter };
  const cks = keys(ctors);
  for (let i = 0; i < cks.length; i++) {
    const C = ctors[cks[i]];
    defineProperty(C, 'supportedLocalesOf', { value: function supportedLocalesOf(locales) { return supportedLocalesOfList(locales); }, writable: true, configurable: true });
    defineProperty(C.prototype, 'constructor', { value: C, writable: true, configurable: true });
  }
  function supportedLocalesOfList(locales) { return supportedLocalesOf(locales); }
  const Intl = {};
  const ks = keys(ctors).concat(['Locale']);
  for (let i = 0; i < ks.length; i++) defineProperty(Intl, ks[i], { value: ks[i] === 'Locale' ? Locale : ctors[ks[i]], writable: true, configurable: true });
  methods(Intl, {
    getCanonicalLocales(locales) { return canonicalList(locales); },
    supportedValuesOf(key) {
      switch (String_(key)) {
        case 'calendar': return ['gregory'];
        case 'collation': return ['default'];
        case 'currency': return keys(SYMBOLS).concat(keys(NARROW)).filter((c, i, a) => a.indexOf(c) === i).sort();
        case 'numberingSystem': return ['latn'];
        case 'timeZone': return keys(ZONES_LIST).sort();
        case 'unit': return keys(UNITS).filter((u) => u.indexOf('-per-') < 0).sort();
      }
      throw new RangeError_('Invalid key : ' + String_(key));
    },
  });
  const ZONES_LIST = { 'UTC': 1, 'America/New_York': 1, 'America/Chicago': 1, 'America/Denver': 1, 'America/Los_Angeles': 1, 'Europe/London': 1, 'Europe/Paris': 1, 'Europe/Berlin': 1, 'Asia/Tokyo': 1, 'Asia/Kolkata': 1, 'Australia/Sydney': 1 };
  tag(Intl, 'Intl');

  // ---- the ES built-ins' locale-sensitive methods ----
  const dtfCache = {};
  function cachedDTF(locales, options, required, defaults) {
    // The common call, no arguments, reuses one format per kind.
    if (locales === undefined && options === undefined) {
      const k = required + defaults;
      return dtfCache[k] || (dtfCache[k] = dateTimeFormat(undefined, undefined, required, defaults));
    }
    return dateTimeFormat(locales, options, required, defaults);
  }
  function dateLocale(x, locales, options, required, defaults) {
    const t = apply(dateValueOf, x, []);
    if (t !== t) return 'Invalid Date';
    return formatDate(cachedDTF(locales, options, required, defaults), t);
  }
  let defaultNF, defaultCollator;
  return {
    Intl,
    numberToLocaleString(x, locales, options) {
      const v = typeof x === 'bigint' || (typeof x === 'object' && x !== null && bigintValueOf && (() => { try { apply(bigintValueOf, x, []); return true; } catch (e) { return false; } })()) ? (typeof x === 'bigint' ? x : apply(bigintValueOf, x, [])) : apply(numberValueOf, x, []);
      if (locales === undefined && options === undefined) {
        if (!defaultNF) defaultNF = slots.get(new NumberFormat());
        return formatNumber(defaultNF, v);
      }
      return formatNumber(slots.get(new NumberFormat(locales, options)), v);
    },
    dateToLocaleString(x, locales, options) { return dateLocale(x, locales, options, 'any', 'all'); },
    dateToLocaleDateString(x, locales, options) { return dateLocale(x, locales, options, 'date', 'date'); },
    dateToLocaleTimeString(x, locales, options) { return dateLocale(x, locales, options, 'time', 'time'); },
    localeCompare(x, that, locales, options) {
      if (x === undefined || x === null) throw new TypeError_('String.prototype.localeCompare called on null or undefined');
      if (locales === undefined && options === undefined) {
        if (!defaultCollator) defaultCollator = slots.get(new Collator()).compare;
        return defaultCollator(String_(x), String_(that));
      }
      return slots.get(new Collator(locales, options)).compare(String_(x), String_(that));
    },
  };
});

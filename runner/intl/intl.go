// Package intl provides ECMA-402's Intl for the runtimes of actions (issue 13, cause 9): the
// global Intl (DateTimeFormat, NumberFormat, PluralRules, RelativeTimeFormat, Collator,
// ListFormat, Locale, getCanonicalLocales, supportedLocalesOf) and the locale-sensitive methods
// of the ES built-ins that go through it (Number, BigInt and Date's toLocale*String,
// String's localeCompare and toLocaleUpperCase/LowerCase), with Date's toString naming the time
// zone as Node does.
//
// Its output is Node 20's exactly for en-US, the default locale, and best effort for other
// locales: their number symbols and date patterns for a few common ones, their plural rules and
// collation from golang.org/x/text. Time zones are IANA names, resolved by Go's time package.
//
// Nothing is built until used: Install puts a lazy Intl global and small native methods on the
// intrinsics; intl.js runs on the first use of either, once per runtime.
package intl

import (
	_ "embed"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/cases"
	"golang.org/x/text/collate"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed intl.js
var intlSource string

var intlProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("<actionsd intl>", intlSource, true)
})

// Precompile compiles intl.js, which a runtime would otherwise compile on its first use of Intl.
func Precompile() { intlProgram() }

// Config is what Install needs of the engine.
type Config struct {
	// Lazy defines globalThis[name] as loading its value on first read (the engine's lazyGlobal).
	Lazy func(name string, load func() goja.Value)
	// Harden deep-freezes what intl.js exports when it loads; nil leaves it as it is.
	Harden func(goja.Value) goja.Value
}

// state is one runtime's Intl.
type state struct {
	rt        *goja.Runtime
	cfg       Config
	exports   *goja.Object // intl.js's, made on first use
	collators map[string]*collate.Collator
	tags      map[string]language.Tag // plural's, by locale
}

// Install defines the lazy global Intl on rt and routes the locale-sensitive methods of Number,
// BigInt, Date and String through it. Call it before any user code runs (and before lockdown).
func Install(rt *goja.Runtime, cfg Config) {
	s := &state{rt: rt, cfg: cfg}
	cfg.Lazy("Intl", func() goja.Value { return s.load().Get("Intl") })
	proto := func(ctor string) *goja.Object { return rt.Get(ctor).(*goja.Object).Get("prototype").(*goja.Object) }
	num, date, str := proto("Number"), proto("Date"), proto("String")
	s.route(num, "toLocaleString", "numberToLocaleString", 0)
	if b, ok := rt.Get("BigInt").(*goja.Object); ok {
		s.route(b.Get("prototype").(*goja.Object), "toLocaleString", "numberToLocaleString", 0)
	}
	s.route(date, "toLocaleString", "dateToLocaleString", 0)
	s.route(date, "toLocaleDateString", "dateToLocaleDateString", 0)
	s.route(date, "toLocaleTimeString", "dateToLocaleTimeString", 0)
	s.route(str, "localeCompare", "localeCompare", 1)
	s.zoneNamed(date, "toString")
	s.zoneNamed(date, "toTimeString")
	s.caseMapped(str, "toLocaleUpperCase", true)
	s.caseMapped(str, "toLocaleLowerCase", false)
}

// load runs intl.js once and returns its exports.
func (s *state) load() *goja.Object {
	if s.exports != nil {
		return s.exports
	}
	rt := s.rt
	n := rt.NewObject()
	n.Set("fields", s.fields)
	n.Set("zone", s.zone)
	n.Set("defaultZone", func(goja.FunctionCall) goja.Value { return rt.ToValue(defaultZone()) })
	n.Set("zoneName", s.zoneName)
	n.Set("plural", s.plural)
	n.Set("collator", s.collator)
	n.Set("likely", s.likely)
	n.Set("charClass", charClass)
	fnv, err := rt.RunProgram(intlProgram())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	x, err := fn(goja.Undefined(), n)
	if err != nil {
		panic(err)
	}
	s.exports = x.(*goja.Object)
	if s.cfg.Harden != nil {
		s.cfg.Harden(s.exports)
	}
	return s.exports
}

// define replaces obj[name] with fn, named and sized as the built-in it replaces.
func (s *state) define(obj *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	f := s.rt.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", s.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", s.rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// route makes obj[name](...args) call intl.js's export(this, ...args).
func (s *state) route(obj *goja.Object, name, export string, length int) {
	var target goja.Callable
	s.define(obj, name, length, func(call goja.FunctionCall) goja.Value {
		if target == nil {
			var ok bool
			if target, ok = goja.AssertFunction(s.load().Get(export)); !ok {
				panic(s.rt.NewTypeError("intl: %s is missing", export))
			}
		}
		args := make([]goja.Value, 0, 3)
		args = append(args, call.This)
		args = append(args, call.Arguments...)
		r, err := target(goja.Undefined(), args...)
		if err != nil {
			panic(err)
		}
		return r
	})
}

// zoneNamed makes Date.prototype[name] name the time zone as Node does, "(Coordinated Universal
// Time)" where goja gives the abbreviation "(UTC)".
func (s *state) zoneNamed(date *goja.Object, name string) {
	orig, ok := goja.AssertFunction(date.Get(name))
	if !ok {
		return
	}
	s.define(date, name, 0, func(call goja.FunctionCall) goja.Value {
		r, err := orig(call.This)
		if err != nil {
			panic(err)
		}
		str := r.String()
		i := strings.LastIndexByte(str, '(')
		if i < 0 || !strings.HasSuffix(str, ")") {
			return r
		}
		d, ok := call.This.Export().(time.Time)
		if !ok {
			return r
		}
		long := longZoneName(defaultZone(), d)
		if long == "" {
			return r
		}
		return s.rt.ToValue(str[:i] + "(" + long + ")")
	})
}

// caseMapped makes String.prototype.toLocaleUpperCase/LowerCase follow the locale's case rules
// (Turkish and Azeri dotted and dotless i, Lithuanian).
func (s *state) caseMapped(str *goja.Object, name string, upper bool) {
	orig, ok := goja.AssertFunction(str.Get(name))
	if !ok {
		return
	}
	s.define(str, name, 0, func(call goja.FunctionCall) goja.Value {
		loc := call.Argument(0)
		if o, ok := loc.(*goja.Object); ok && o.ClassName() == "Array" {
			loc = o.Get("0")
		}
		if loc == nil || goja.IsUndefined(loc) || goja.IsNull(loc) {
			r, err := orig(call.This)
			if err != nil {
				panic(err)
			}
			return r
		}
		tag, _ := language.Parse(loc.String()) // best effort: an unknown tag maps case as the root does
		if goja.IsUndefined(call.This) || goja.IsNull(call.This) {
			panic(s.rt.NewTypeError("String.prototype.%s called on null or undefined", name))
		}
		text := call.This.String()
		if upper {
			return s.rt.ToValue(cases.Upper(tag).String(text))
		}
		return s.rt.ToValue(cases.Lower(tag).String(text))
	})
}

// zones caches the time zones loaded by name; a *time.Location is immutable.
var zones sync.Map

func loadZone(name string) (*time.Location, bool) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), true
	}
	if name == "" || strings.Contains(name, "..") || strings.HasPrefix(name, "/") || name == "Local" {
		return nil, false
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, l)
	return l, true
}

// canonicalZone returns the IANA name Node resolves name to, or "" when there is none.
func canonicalZone(name string) string {
	switch strings.ToUpper(name) {
	case "UTC", "ETC/UTC", "ETC/GMT", "GMT", "ETC/UCT", "UCT", "ETC/ZULU", "ZULU", "ETC/UNIVERSAL", "UNIVERSAL", "ETC/GMT0", "GMT0", "ETC/GREENWICH", "GREENWICH":
		return "UTC"
	}
	if _, ok := loadZone(name); ok {
		return name
	}
	// IANA names are case-insensitive in Intl; try the usual casing (America/New_York).
	parts := strings.Split(name, "/")
	for i, p := range parts {
		words := strings.Split(strings.ToLower(p), "_")
		for j, w := range words {
			if w != "" && !(j > 0 && (w == "of" || w == "es" || w == "de")) {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	if c := strings.Join(parts, "/"); c != name {
		if _, ok := loadZone(c); ok {
			return c
		}
	}
	return ""
}

// defaultZone is the host's time zone by IANA name, as Node finds it: TZ, else /etc/localtime.
var defaultZone = sync.OnceValue(func() string {
	if tz, ok := os.LookupEnv("TZ"); ok {
		tz = strings.TrimPrefix(tz, ":")
		if tz == "" {
			return "UTC"
		}
		if c := canonicalZone(tz); c != "" {
			return c
		}
		return "UTC"
	}
	if p, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if i := strings.Index(p, "zoneinfo/"); i >= 0 {
			if c := canonicalZone(p[i+len("zoneinfo/"):]); c != "" {
				return c
			}
		}
	}
	return "UTC"
})

func zoneLocation(name string) *time.Location {
	if name == "UTC" {
		return time.UTC
	}
	if l, ok := loadZone(name); ok {
		return l
	}
	return time.UTC
}

// zone(name) -> the canonical IANA name, or undefined when name is no time zone.
func (s *state) zone(call goja.FunctionCall) goja.Value {
	if c := canonicalZone(call.Argument(0).String()); c != "" {
		return s.rt.ToValue(c)
	}
	return goja.Undefined()
}

// fields(zone, ms) -> [year, month0, day, weekday, hour, minute, second, millisecond, offsetMinutes].
func (s *state) fields(call goja.FunctionCall) goja.Value {
	ms := call.Argument(1).ToFloat()
	t := time.UnixMilli(int64(math.Floor(ms))).In(zoneLocation(call.Argument(0).String()))
	_, off := t.Zone()
	return s.rt.ToValue([]any{t.Year(), int(t.Month()) - 1, t.Day(), int(t.Weekday()), t.Hour(), t.Minute(), t.Second(),
		t.Nanosecond() / 1e6, off / 60})
}

// zoneName(zone, ms, style) -> the name of zone at ms: style "short" or "long".
func (s *state) zoneName(call goja.FunctionCall) goja.Value {
	zone := call.Argument(0).String()
	t := time.UnixMilli(int64(math.Floor(call.Argument(1).ToFloat()))).In(zoneLocation(zone))
	if call.Argument(2).String() == "long" {
		if n := longZoneName(zone, t); n != "" {
			return s.rt.ToValue(n)
		}
		return s.rt.ToValue(gmtOffset(t, true))
	}
	if zone == "UTC" {
		return s.rt.ToValue("UTC")
	}
	if abbr, _ := t.Zone(); usZone(zone) && abbr != "" && abbr[0] >= 'A' && abbr[0] <= 'Z' {
		return s.rt.ToValue(abbr)
	}
	return s.rt.ToValue(gmtOffset(t, false))
}

// usZone says whether en-US names zone by its abbreviation (EST, PDT, ...) rather than GMT-5.
func usZone(zone string) bool {
	switch zone {
	case "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
		"America/Anchorage", "Pacific/Honolulu", "America/Detroit", "America/Indiana/Indianapolis", "US/Eastern",
		"US/Central", "US/Mountain", "US/Pacific", "America/Boise", "America/Juneau":
		return true
	}
	return false
}

// gmtOffset is ICU's localized GMT format: GMT, GMT+9, GMT+5:30 (short); GMT+09:00 (long).
func gmtOffset(t time.Time, long bool) string {
	_, off := t.Zone()
	if off == 0 {
		return "GMT"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if long {
		return "GMT" + sign + two(h) + ":" + two(m)
	}
	if m == 0 {
		return "GMT" + sign + itoa(h)
	}
	return "GMT" + sign + itoa(h) + ":" + two(m)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func two(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

// longNames are en's long names of the common zones: standard and daylight.
var longNames = map[string][2]string{
	"UTC":                 {"Coordinated Universal Time", "Coordinated Universal Time"},
	"America/New_York":    {"Eastern Standard Time", "Eastern Daylight Time"},
	"America/Detroit":     {"Eastern Standard Time", "Eastern Daylight Time"},
	"America/Toronto":     {"Eastern Standard Time", "Eastern Daylight Time"},
	"America/Chicago":     {"Central Standard Time", "Central Daylight Time"},
	"America/Denver":      {"Mountain Standard Time", "Mountain Daylight Time"},
	"America/Phoenix":     {"Mountain Standard Time", "Mountain Standard Time"},
	"America/Los_Angeles": {"Pacific Standard Time", "Pacific Daylight Time"},
	"America/Vancouver":   {"Pacific Standard Time", "Pacific Daylight Time"},
	"America/Anchorage":   {"Alaska Standard Time", "Alaska Daylight Time"},
	"Pacific/Honolulu":    {"Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Standard Time"},
	"America/Sao_Paulo":   {"Brasilia Standard Time", "Brasilia Summer Time"},
	"Europe/London":       {"Greenwich Mean Time", "British Summer Time"},
	"Europe/Dublin":       {"Greenwich Mean Time", "Irish Standard Time"},
	"Europe/Lisbon":       {"Western European Standard Time", "Western European Summer Time"},
	"Europe/Paris":        {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Berlin":       {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Madrid":       {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Rome":         {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Amsterdam":    {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Brussels":     {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Vienna":       {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Zurich":       {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Stockholm":    {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Warsaw":       {"Central European Standard Time", "Central European Summer Time"},
	"Europe/Athens":       {"Eastern European Standard Time", "Eastern European Summer Time"},
	"Europe/Helsinki":     {"Eastern European Standard Time", "Eastern European Summer Time"},
	"Europe/Kiev":         {"Eastern European Standard Time", "Eastern European Summer Time"},
	"Europe/Kyiv":         {"Eastern European Standard Time", "Eastern European Summer Time"},
	"Europe/Moscow":       {"Moscow Standard Time", "Moscow Summer Time"},
	"Asia/Tokyo":          {"Japan Standard Time", "Japan Daylight Time"},
	"Asia/Seoul":          {"Korean Standard Time", "Korean Daylight Time"},
	"Asia/Shanghai":       {"China Standard Time", "China Daylight Time"},
	"Asia/Hong_Kong":      {"Hong Kong Standard Time", "Hong Kong Summer Time"},
	"Asia/Singapore":      {"Singapore Standard Time", "Singapore Standard Time"},
	"Asia/Kolkata":        {"India Standard Time", "India Standard Time"},
	"Asia/Calcutta":       {"India Standard Time", "India Standard Time"},
	"Asia/Dubai":          {"Gulf Standard Time", "Gulf Standard Time"},
	"Australia/Sydney":    {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
	"Australia/Melbourne": {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
	"Australia/Brisbane":  {"Australian Eastern Standard Time", "Australian Eastern Standard Time"},
	"Australia/Perth":     {"Australian Western Standard Time", "Australian Western Standard Time"},
	"Pacific/Auckland":    {"New Zealand Standard Time", "New Zealand Daylight Time"},
}

// longZoneName is en's long name of zone at t, or "" when this package does not know it.
func longZoneName(zone string, t time.Time) string {
	n, ok := longNames[zone]
	if !ok {
		return ""
	}
	if t.In(zoneLocation(zone)).IsDST() {
		return n[1]
	}
	return n[0]
}

// plural(locale, ordinal, i, v, w, f, t) -> the CLDR plural category of the operands.
func (s *state) plural(call goja.FunctionCall) goja.Value {
	locale := call.Argument(0).String()
	tag, ok := s.tags[locale]
	if !ok {
		tag, _ = language.Parse(locale)
		if s.tags == nil {
			s.tags = make(map[string]language.Tag)
		}
		s.tags[locale] = tag
	}
	rules := plural.Cardinal
	if call.Argument(1).ToBoolean() {
		rules = plural.Ordinal
	}
	op := func(i int) int { return int(call.Argument(i).ToInteger()) }
	form := rules.MatchPlural(tag, op(2), op(3), op(4), op(5), op(6))
	return s.rt.ToValue([...]string{"other", "zero", "one", "two", "few", "many"}[form])
}

// collator(locale, sensitivity, numeric, ignorePunctuation) -> compare(a, b), a collator of the
// runtime; the runtime keeps one per set of options.
func (s *state) collator(call goja.FunctionCall) goja.Value {
	locale, sens := call.Argument(0).String(), call.Argument(1).String()
	numeric, punct := call.Argument(2).ToBoolean(), call.Argument(3).ToBoolean()
	key := locale + "/" + sens
	if numeric {
		key += "/n"
	}
	if punct {
		key += "/p"
	}
	c := s.collators[key]
	if c == nil {
		tag, _ := language.Parse(locale)
		var opts []collate.Option
		switch sens {
		case "base":
			opts = append(opts, collate.IgnoreCase, collate.IgnoreDiacritics, collate.IgnoreWidth)
		case "accent":
			opts = append(opts, collate.IgnoreCase, collate.IgnoreWidth)
		case "case":
			opts = append(opts, collate.IgnoreDiacritics, collate.IgnoreWidth)
		}
		if numeric {
			opts = append(opts, collate.Numeric)
		}
		if punct {
			opts = append(opts, collate.Loose)
		}
		c = collate.New(tag, opts...)
		if s.collators == nil {
			s.collators = make(map[string]*collate.Collator)
		}
		s.collators[key] = c
	}
	return s.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		return s.rt.ToValue(c.CompareString(call.Argument(0).String(), call.Argument(1).String()))
	})
}

// likely(tag, maximize) -> tag with its likely subtags added (maximize) or removed.
func (s *state) likely(call goja.FunctionCall) goja.Value {
	tag, err := language.Parse(call.Argument(0).String())
	if err != nil {
		return call.Argument(0)
	}
	b, _ := tag.Base()
	sc, _ := tag.Script()
	r, _ := tag.Region()
	if call.Argument(1).ToBoolean() {
		return s.rt.ToValue(b.String() + "-" + sc.String() + "-" + r.String())
	}
	min, err := language.Compose(b)
	if err == nil {
		if ms, _ := min.Script(); ms != sc {
			min, _ = language.Compose(b, sc)
		}
		if mr, _ := min.Region(); mr != r {
			min, _ = language.Compose(min, r)
		}
		return s.rt.ToValue(min.String())
	}
	return call.Argument(0)
}

// charClass(s) is the Unicode class Intl.Segmenter goes by of the first code point of s (goja's
// regular expressions have no \p{...}): "Lu", "Ll", "L" (another letter), "M", "Nd", "Pc", "Zs"
// or "".
func charClass(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case unicode.IsUpper(r):
		return "Lu"
	case unicode.IsLower(r):
		return "Ll"
	case unicode.IsLetter(r):
		return "L"
	case unicode.IsMark(r):
		return "M"
	case unicode.Is(unicode.Nd, r):
		return "Nd"
	case unicode.Is(unicode.Pc, r):
		return "Pc"
	case unicode.Is(unicode.Zs, r):
		return "Zs"
	}
	return ""
}

// node:perf_hooks: performance.now and timeOrigin (the process's clock), and marks and measures
// kept per owner of a runtime (node.go: owned). PerformanceObserver observes nothing; the
// histograms record nothing. The instance of node.go's SharedOwner (the global performance of a
// runtime whose owners share it) keeps no entries: mark and measure return theirs only.
(function (native, require, owner) {
  'use strict';
  const record = owner !== '\x00shared';
  const now = native.perfNow;
  const timeOrigin = native.timeOrigin;
  let entries = [];
  class PerformanceEntry {
    #name; #type; #start; #duration; #detail;
    constructor(name, type, start, duration, detail) {
      this.#name = name; this.#type = type; this.#start = start; this.#duration = duration; this.#detail = detail;
    }
    get name() { return this.#name; }
    get entryType() { return this.#type; }
    get startTime() { return this.#start; }
    get duration() { return this.#duration; }
    get detail() { return this.#detail; }
    toJSON() {
      return { name: this.name, entryType: this.entryType, startTime: this.startTime, duration: this.duration, detail: this.detail };
    }
  }
  class PerformanceMark extends PerformanceEntry {
    constructor(name, opts = {}) {
      const start = opts.startTime !== undefined ? Number(opts.startTime) : now();
      super(String(name), 'mark', start, 0, opts.detail === undefined ? null : structuredClone(opts.detail));
    }
  }
  class PerformanceMeasure extends PerformanceEntry {}
  function markTime(name) {
    if (typeof name === 'number') return name;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].entryType === 'mark' && entries[i].name === name) return entries[i].startTime;
    }
    const e = new Error(`The "${name}" performance mark has not been set`);
    e.name = 'SyntaxError';
    e.code = 12;
    throw e;
  }
  // Entries are listed by start time, as in Node.
  const sorted = (list) => list.sort((a, b) => a.startTime - b.startTime);
  const byName = (name, type) => sorted(entries.filter((e) => e.name === name && (type === undefined || e.entryType === type)));
  const performance = {
    now,
    timeOrigin,
    mark(name, opts) {
      const m = new PerformanceMark(name, opts);
      if (record) entries.push(m);
      return m;
    },
    measure(name, startOrOpts, endMark) {
      let start = 0, end, detail = null;
      if (startOrOpts !== null && typeof startOrOpts === 'object') {
        if (startOrOpts.start !== undefined) start = markTime(startOrOpts.start);
        if (startOrOpts.end !== undefined) end = markTime(startOrOpts.end);
        else if (startOrOpts.duration !== undefined) end = start + Number(startOrOpts.duration);
        if (startOrOpts.detail !== undefined) detail = structuredClone(startOrOpts.detail);
      } else if (startOrOpts !== undefined) {
        start = markTime(startOrOpts);
      }
      if (endMark !== undefined) end = markTime(endMark);
      if (end === undefined) end = now();
      const m = new PerformanceMeasure(String(name), 'measure', start, end - start, detail);
      if (record) entries.push(m);
      return m;
    },
    getEntries: () => sorted(entries.slice()),
    getEntriesByName: byName,
    getEntriesByType: (type) => sorted(entries.filter((e) => e.entryType === type)),
    clearMarks(name) { entries = entries.filter((e) => e.entryType !== 'mark' || (name !== undefined && e.name !== name)); },
    clearMeasures(name) { entries = entries.filter((e) => e.entryType !== 'measure' || (name !== undefined && e.name !== name)); },
    clearResourceTimings() {},
    setResourceTimingBufferSize() {},
    timerify: (fn) => fn,
    eventLoopUtilization: () => ({ idle: 0, active: 0, utilization: 0 }),
    toJSON() { return { nodeTiming: {}, timeOrigin, eventLoopUtilization: { idle: 0, active: 0, utilization: 0 } }; },
  };
  class PerformanceObserver {
    constructor(callback) { this.callback = callback; }
    observe() {}
    disconnect() {}
    takeRecords() { return []; }
    static get supportedEntryTypes() { return ['function', 'gc', 'http', 'http2', 'mark', 'measure', 'net', 'resource']; }
  }
  const histogram = () => ({
    min: 0, max: 0, mean: 0, stddev: 0, count: 0, exceeds: 0, percentiles: new Map(),
    percentile: () => 0, reset() {}, enable: () => true, disable: () => true, record() {}, recordDelta() {},
  });
  class Performance {}
  Object.setPrototypeOf(performance, Performance.prototype);
  class PerformanceObserverEntryList {
    getEntries() { return []; }
    getEntriesByName() { return []; }
    getEntriesByType() { return []; }
  }
  class PerformanceResourceTiming extends PerformanceEntry {}
  return {
    Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure, PerformanceObserver,
    PerformanceObserverEntryList, PerformanceResourceTiming,
    monitorEventLoopDelay: histogram, createHistogram: histogram, performance, constants: {},
  };
})

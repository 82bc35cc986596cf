// node:events: the prelude's EventEmitter, with the module-level helpers.
(function (native, require) {
  'use strict';
  const EventEmitter = native.prelude.EventEmitter;
  if (!EventEmitter.errorMonitor) {
    EventEmitter.errorMonitor = Symbol('events.errorMonitor');
    EventEmitter.captureRejectionSymbol = Symbol.for('nodejs.rejection');
    EventEmitter.captureRejections = false;
    EventEmitter.listenerCount = (em, name) => em.listenerCount(name);
    EventEmitter.getEventListeners = (em, name) => em.listeners(name);
    EventEmitter.setMaxListeners = () => {};
    class EventTarget {
      #l = new Map();
      addEventListener(t, fn) { if (!this.#l.has(t)) this.#l.set(t, []); this.#l.get(t).push(fn); }
      removeEventListener(t, fn) { const l = this.#l.get(t); if (l) this.#l.set(t, l.filter((f) => f !== fn)); }
      dispatchEvent(ev) { for (const fn of (this.#l.get(ev.type) || []).slice()) (typeof fn === 'function' ? fn : fn.handleEvent).call(this, ev); return true; }
    }
    class Event { constructor(type, opts = {}) { this.type = type; this.bubbles = !!opts.bubbles; this.cancelable = !!opts.cancelable; this.defaultPrevented = false; this.timeStamp = Date.now(); } preventDefault() { this.defaultPrevented = true; } stopPropagation() {} }
    EventEmitter.EventTarget = EventTarget;
    EventEmitter.Event = Event;
  }
  return EventEmitter;
})

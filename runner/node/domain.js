// node:domain, Node's deprecated error domains: enough for the packages that still use them
// (@sentry/node 7 keeps its hub on domain.active): create, run, bind, intercept, add, remove,
// enter, exit, and domain.active. A domain is active while a function it runs or binds runs, and,
// when that returns a promise, until it settles (async_hooks.js says why). Errors thrown inside
// run() are not routed to the domain's 'error' event: they propagate as they would without it.
// The module is per owner of a runtime (node.go: owned).
(function (native, require) {
  'use strict';
  const EventEmitter = require('events');
  const stack = [];
  // domain.active is an accessor of the exports, which are frozen (node.go: hardened).
  let active = null;
  const isThenable = (v) => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';

  function Domain() {
    EventEmitter.call(this);
    this.members = [];
  }
  Object.setPrototypeOf(Domain.prototype, EventEmitter.prototype);
  Object.setPrototypeOf(Domain, EventEmitter);
  Domain.prototype.members = undefined;
  Domain.prototype._errorHandler = function (er) {
    if (typeof er === 'object' && er !== null) {
      er.domain = this;
      er.domainThrown = true;
    }
    return this.emit('error', er);
  };
  Domain.prototype.enter = function () {
    active = this;
    stack.push(this);
  };
  Domain.prototype.exit = function () {
    const i = stack.lastIndexOf(this);
    if (i === -1) return;
    stack.splice(i);
    active = stack[stack.length - 1];
  };
  Domain.prototype.add = function (ee) {
    if (ee.domain === this) return;
    if (ee.domain) ee.domain.remove(ee);
    ee.domain = this;
    this.members.push(ee);
  };
  Domain.prototype.remove = function (ee) {
    ee.domain = null;
    const i = this.members.indexOf(ee);
    if (i !== -1) this.members.splice(i, 1);
  };
  // As in Node, a throw leaves the domain entered.
  Domain.prototype.run = function (fn, ...args) {
    this.enter();
    const r = fn.apply(this, args);
    if (isThenable(r)) {
      const exit = () => this.exit();
      Promise.resolve(r).then(exit, exit);
    } else {
      this.exit();
    }
    return r;
  };
  Domain.prototype.intercept = function (cb) {
    const self = this;
    function intercepted(er, ...args) {
      if (er) {
        if (typeof er === 'object') {
          er.domainBound = cb;
          er.domainThrown = false;
          er.domain = self;
        }
        self.emit('error', er);
        return;
      }
      return self.run(() => cb.apply(this, args));
    }
    intercepted.domain = this;
    return intercepted;
  };
  Domain.prototype.bind = function (cb) {
    const self = this;
    function bound(...args) {
      return self.run(() => cb.apply(this, args));
    }
    bound.domain = this;
    return bound;
  };
  const createDomain = function createDomain() { return new Domain(); };
  return {
    get _stack() { return stack; },
    Domain,
    createDomain,
    create: createDomain,
    get active() { return active; },
  };
})

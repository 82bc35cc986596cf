// node:diagnostics_channel, as Node 20 has it: named channels, subscribe and publish, bound stores
// (runStores) and tracing channels (traceSync, tracePromise, traceCallback). Channels are
// per owner of a runtime (node.go: owned): an action and a module it pins never see each other's
// messages.
(function (native, require) {
  'use strict';
  const apply = Reflect.apply;
  const nextTick = native.process.nextTick;
  function argError(name, type, value) {
    const e = new TypeError(`The "${name}" argument must be of type ${type}. Received ${value === null ? 'null' : typeof value === 'function' ? 'function ' + value.name : 'type ' + typeof value + ' (' + String(value) + ')'}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }
  const channels = new Map();

  class Channel {
    constructor(name) {
      this._subscribers = [];
      this._stores = new Map();
      this.name = name;
    }
    static [Symbol.hasInstance](instance) {
      return instance !== null && typeof instance === 'object' && typeof instance.name !== 'undefined' && Array.isArray(instance._subscribers);
    }
    subscribe(subscription) {
      if (typeof subscription !== 'function') throw argError('subscription', 'function', subscription);
      this._subscribers = [...this._subscribers, subscription];
    }
    unsubscribe(subscription) {
      const i = this._subscribers.indexOf(subscription);
      if (i === -1) return false;
      const next = this._subscribers.slice();
      next.splice(i, 1);
      this._subscribers = next;
      return true;
    }
    bindStore(store, transform) {
      this._stores.set(store, transform);
    }
    unbindStore(store) {
      return this._stores.delete(store);
    }
    get hasSubscribers() {
      return this._subscribers.length > 0 || this._stores.size > 0;
    }
    publish(data) {
      const subs = this._subscribers;
      for (let i = 0; i < subs.length; i++) {
        try {
          apply(subs[i], undefined, [data, this.name]);
        } catch (err) {
          nextTick(() => { throw err; });
        }
      }
    }
    runStores(data, fn, thisArg, ...args) {
      let run = () => {
        this.publish(data);
        return apply(fn, thisArg, args);
      };
      for (const [store, transform] of this._stores) {
        const next = run;
        run = () => {
          let value = data;
          if (typeof transform === 'function') {
            try {
              value = transform(data);
            } catch (err) {
              nextTick(() => { throw err; });
              return next();
            }
          }
          return store.run(value, next);
        };
      }
      return run();
    }
  }
  Object.defineProperty(Channel.prototype, Symbol.toStringTag, { value: 'Channel', configurable: true });

  function channel(name) {
    const c = channels.get(name);
    if (c !== undefined) return c;
    if (typeof name !== 'string' && typeof name !== 'symbol') throw argError('channel', 'string or symbol', name);
    const n = new Channel(name);
    channels.set(name, n);
    return n;
  }
  function hasSubscribers(name) {
    const c = channels.get(name);
    return c !== undefined && c.hasSubscribers;
  }
  function subscribe(name, subscription) {
    channel(name).subscribe(subscription);
  }
  function unsubscribe(name, subscription) {
    return channel(name).unsubscribe(subscription);
  }

  const traceEvents = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];
  class TracingChannel {
    constructor(nameOrChannels) {
      if (typeof nameOrChannels === 'string') {
        for (const e of traceEvents) this[e] = channel(`tracing:${nameOrChannels}:${e}`);
      } else if (nameOrChannels !== null && typeof nameOrChannels === 'object') {
        for (const e of traceEvents) {
          const c = nameOrChannels[e];
          if (!(c instanceof Channel)) throw argError(`nameOrChannels.${e}`, 'Channel', c);
          this[e] = c;
        }
      } else {
        throw argError('nameOrChannels', 'string or object', nameOrChannels);
      }
    }
    get hasSubscribers() {
      return traceEvents.some((e) => this[e].hasSubscribers);
    }
    subscribe(handlers) {
      for (const e of traceEvents) if (handlers[e]) this[e].subscribe(handlers[e]);
    }
    unsubscribe(handlers) {
      let done = true;
      for (const e of traceEvents) {
        if (handlers[e] && !this[e].unsubscribe(handlers[e])) done = false;
      }
      return done;
    }
    traceSync(fn, context = {}, thisArg, ...args) {
      const { start, end, error } = this;
      return start.runStores(context, () => {
        try {
          const result = apply(fn, thisArg, args);
          context.result = result;
          return result;
        } catch (err) {
          context.error = err;
          error.publish(context);
          throw err;
        } finally {
          end.publish(context);
        }
      });
    }
    tracePromise(fn, context = {}, thisArg, ...args) {
      const { start, end, asyncStart, asyncEnd, error } = this;
      function reject(err) {
        context.error = err;
        error.publish(context);
        asyncStart.publish(context);
        asyncEnd.publish(context);
        return Promise.reject(err);
      }
      function resolve(result) {
        context.result = result;
        asyncStart.publish(context);
        asyncEnd.publish(context);
        return result;
      }
      return start.runStores(context, () => {
        try {
          let promise = apply(fn, thisArg, args);
          if (!(promise instanceof Promise)) promise = Promise.resolve(promise);
          return promise.then(resolve, reject);
        } catch (err) {
          context.error = err;
          error.publish(context);
          throw err;
        } finally {
          end.publish(context);
        }
      });
    }
    traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
      const { start, end, asyncStart, asyncEnd, error } = this;
      const callback = args.at(position);
      if (typeof callback !== 'function') throw argError('callback', 'function', callback);
      function wrappedCallback(err, res) {
        if (err) {
          context.error = err;
          error.publish(context);
        } else {
          context.result = res;
        }
        const self = this, cbArgs = arguments;
        asyncStart.runStores(context, () => {
          try {
            return apply(callback, self, cbArgs);
          } finally {
            asyncEnd.publish(context);
          }
        });
      }
      args.splice(position, 1, wrappedCallback);
      return start.runStores(context, () => {
        try {
          return apply(fn, thisArg, args);
        } catch (err) {
          context.error = err;
          error.publish(context);
          throw err;
        } finally {
          end.publish(context);
        }
      });
    }
  }
  function tracingChannel(nameOrChannels) {
    return new TracingChannel(nameOrChannels);
  }

  return { channel, hasSubscribers, subscribe, tracingChannel, unsubscribe, Channel };
})

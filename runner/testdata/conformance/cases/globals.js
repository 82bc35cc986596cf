// The globals: structuredClone, EventTarget and Event, Blob, File, FormData, TextEncoder and
// TextDecoder, AbortController, Headers, Request and Response, and the names Node defines.
for (const name of ['structuredClone', 'EventTarget', 'Event', 'CustomEvent', 'Blob', 'File', 'FormData', 'TextEncoder', 'TextDecoder', 'AbortController',
  'AbortSignal', 'Headers', 'Request', 'Response', 'fetch', 'URL', 'URLSearchParams', 'atob', 'btoa', 'queueMicrotask', 'setImmediate', 'Buffer',
  'process', 'global', 'crypto', 'performance', 'DOMException', 'BroadcastChannel', 'MessageChannel', 'ReadableStream', 'WritableStream',
  'TransformStream', 'TextDecoderStream', 'CompressionStream', 'WebAssembly', 'Intl', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry',
  'AggregateError', 'navigator', 'require', 'module', 'exports', '__filename', '__dirname'])
  test('typeof ' + name, () => typeof globalThis[name]);
test('global is globalThis', () => global === globalThis);

// structuredClone
for (const [k, v] of Object.entries({ number: 1, string: 's', object: { a: [1, { b: 2 }] }, date: new Date(Date.UTC(2020, 0, 1)), regexp: /x/gi,
  map: new Map([[1, { a: 1 }]]), set: new Set([1, 2]), 'typed array': new Uint8Array([1, 2]), arraybuffer: new Uint16Array([258]).buffer,
  'boxed string': new String('b'), bigint: 5n, 'sparse array': [1, , 3], 'nested undefined': { a: undefined }, 'negative zero': -0, nan: NaN }))
  test('structuredClone ' + k, () => structuredClone(v));
test('structuredClone cycle', () => { const o = { n: 1 }; o.self = o; const c = structuredClone(o); return [c !== o, c.self === c]; });
test('structuredClone error', () => { const c = structuredClone(new RangeError('r')); return [c instanceof RangeError, c.message, c.name]; });
test('structuredClone function throws', () => { try { structuredClone({ f() {} }); } catch (e) { return [e.name, e.constructor.name]; } });
test('structuredClone symbol throws', () => { try { structuredClone(Symbol('s')); } catch (e) { return e.name; } });
test('structuredClone drops prototype', () => { class A { constructor() { this.x = 1; } } const c = structuredClone(new A()); return [Object.getPrototypeOf(c) === Object.prototype, c.x]; });
test('structuredClone getter value', () => structuredClone({ get g() { return 7; } }));
test('structuredClone transfer', () => { const b = new Uint8Array([1]).buffer; const c = structuredClone(b, { transfer: [b] }); return [b.byteLength, c.byteLength]; });
test('structuredClone no args', () => { try { structuredClone(); } catch (e) { return [e.name, e.code]; } });

// EventTarget and Event
test('EventTarget dispatch', () => { const t = new EventTarget(); const o = []; t.addEventListener('x', (e) => o.push([e.type, e.target === t, e.currentTarget === t, e.eventPhase])); const r = t.dispatchEvent(new Event('x')); return [r, o]; });
test('EventTarget once', () => { const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++, { once: true }); t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('x')); return n; });
test('EventTarget duplicate listener', () => { const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', f); t.addEventListener('x', f); t.dispatchEvent(new Event('x')); return n; });
test('EventTarget remove', () => { const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', f); t.removeEventListener('x', f); t.dispatchEvent(new Event('x')); return n; });
test('EventTarget handleEvent object', () => { const t = new EventTarget(); let got; t.addEventListener('x', { handleEvent(e) { got = e.type; } }); t.dispatchEvent(new Event('x')); return got; });
test('EventTarget preventDefault', () => { const t = new EventTarget(); t.addEventListener('x', (e) => e.preventDefault()); return [t.dispatchEvent(new Event('x', { cancelable: true })), t.dispatchEvent(new Event('x'))]; });
test('EventTarget stopImmediatePropagation', () => { const t = new EventTarget(); const o = []; t.addEventListener('x', (e) => { o.push(1); e.stopImmediatePropagation(); }); t.addEventListener('x', () => o.push(2)); t.dispatchEvent(new Event('x')); return o; });
test('EventTarget signal', () => { const t = new EventTarget(); const ac = new AbortController(); let n = 0; t.addEventListener('x', () => n++, { signal: ac.signal }); ac.abort(); t.dispatchEvent(new Event('x')); return n; });
test('EventTarget subclass', () => { class T extends EventTarget {} const t = new T(); let n = 0; t.addEventListener('x', () => n++); t.dispatchEvent(new Event('x')); return [n, t instanceof EventTarget]; });
test('Event properties', () => { const e = new Event('t', { bubbles: true, cancelable: true, composed: true }); return [e.type, e.bubbles, e.cancelable, e.composed, e.defaultPrevented, e.isTrusted, typeof e.timeStamp, e.target]; });
test('Event without type', () => { try { new Event(); } catch (e) { return [e.name, e.code]; } });
test('CustomEvent detail', () => new CustomEvent('c', { detail: { a: 1 } }).detail);
test('dispatch non-event', () => { try { new EventTarget().dispatchEvent({ type: 'x' }); } catch (e) { return [e.name, e.code]; } });
test('Event toStringTag', () => Object.prototype.toString.call(new Event('x')));

// Blob and File
test('Blob text', async () => { const b = new Blob(['ab', new Uint8Array([99]), new Blob(['d'])], { type: 'Text/Plain' }); return [b.size, b.type, await b.text()]; });
test('Blob arrayBuffer', async () => new Uint8Array(await new Blob(['hé']).arrayBuffer()));
test('Blob slice', async () => { const b = new Blob(['hello world']); const s = b.slice(-5, -1, 'x/y'); return [s.size, s.type, await s.text()]; });
test('Blob empty', () => [new Blob().size, new Blob().type]);
test('Blob bad type chars', () => new Blob([], { type: 'a\u00e9' }).type);
test('Blob endings', async () => await new Blob(['a\nb'], { endings: 'native' }).text());
test('Blob stream', async () => { const r = new Blob(['xyz']).stream().getReader(); const { value } = await r.read(); return value; });
test('Blob toStringTag', () => Object.prototype.toString.call(new Blob([])));
test('File', () => { const f = new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 42 }); return [f.name, f.size, f.type, f.lastModified, f instanceof Blob]; });
test('File requires name', () => { try { new File(['x']); } catch (e) { return e.name; } });

// FormData
test('FormData entries', () => { const f = new FormData(); f.append('a', '1'); f.append('a', '2'); f.set('b', 'x'); return [[...f], f.getAll('a'), f.get('b'), f.has('c')]; });
test('FormData delete', () => { const f = new FormData(); f.append('a', '1'); f.append('b', '2'); f.delete('a'); return [...f.keys()]; });
test('FormData blob becomes File', () => { const f = new FormData(); f.append('file', new Blob(['x'], { type: 't/p' })); const v = f.get('file'); return [v.constructor.name, v.name, v.type, v.size]; });
test('FormData blob with name', () => { const f = new FormData(); f.append('file', new Blob(['x']), 'n.txt'); return f.get('file').name; });
test('FormData number value', () => { const f = new FormData(); f.append('n', 1); return typeof f.get('n'); });
test('FormData in Request', async () => { const f = new FormData(); f.append('a', 'b c'); const r = new Request('http://h/', { method: 'POST', body: f }); const text = await r.text(); return [/^multipart\/form-data; boundary=/.test(r.headers.get('content-type')), text.includes('name="a"'), text.includes('b c')]; });
test('FormData roundtrip via Response', async () => { const f = new FormData(); f.append('a', '1'); f.append('f', new Blob(['zz'], { type: 'text/plain' }), 'z.txt'); const back = await new Response(f).formData(); return [back.get('a'), back.get('f').name, await back.get('f').text()]; });
test('urlencoded formData', async () => [...(await new Response('a=1&b=x+y', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData())]);

// TextEncoder and TextDecoder
test('TextEncoder', () => new TextEncoder().encode('hé😀\uD800'));
test('TextEncoder encodeInto', () => { const u = new Uint8Array(4); return [new TextEncoder().encodeInto('héllo', u), u]; });
test('TextEncoder encoding', () => new TextEncoder().encoding);
test('TextDecoder utf8', () => new TextDecoder().decode(new Uint8Array([0x68, 0xc3, 0xa9, 0xff])));
test('TextDecoder fatal', () => { try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); } catch (e) { return [e.name, e.code]; } });
test('TextDecoder BOM', () => [new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length]);
test('TextDecoder stream', () => { const t = new TextDecoder(); return [t.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), t.decode(new Uint8Array([0xac]))]; });
test('TextDecoder utf-16le', () => new TextDecoder('utf-16le').decode(new Uint8Array([0x68, 0, 0x69, 0])));
test('TextDecoder latin1 label', () => [new TextDecoder('latin1').encoding, new TextDecoder('latin1').decode(new Uint8Array([0x80, 0xe9]))]);
test('TextDecoder unknown label', () => { try { new TextDecoder('nope'); } catch (e) { return [e.name, e.code]; } });
test('TextDecoder of ArrayBuffer and DataView', () => [new TextDecoder().decode(new Uint8Array([0x61]).buffer), new TextDecoder().decode(new DataView(new Uint8Array([0x62]).buffer))]);

// AbortController, DOMException, Headers
test('AbortController', () => { const ac = new AbortController(); const o = []; ac.signal.addEventListener('abort', () => o.push('abort')); ac.signal.onabort = () => o.push('onabort'); ac.abort(); ac.abort(); return [o, ac.signal.aborted, ac.signal.reason.name, ac.signal.reason.code]; });
test('AbortController reason', () => { const ac = new AbortController(); ac.abort('why'); return ac.signal.reason; });
test('AbortSignal.abort', () => { const s = AbortSignal.abort(); return [s.aborted, s.reason.name]; });
test('AbortSignal throwIfAborted', () => { try { AbortSignal.abort(new TypeError('t')).throwIfAborted(); } catch (e) { return e.name; } });
test('AbortSignal.timeout', async () => { const s = AbortSignal.timeout(1); await new Promise((r) => setTimeout(r, 20)); return [s.aborted, s.reason.name]; });
test('AbortSignal.any', () => typeof AbortSignal.any);
test('DOMException', () => { const e = new DOMException('m', 'NotFoundError'); return [e.name, e.message, e.code, e instanceof Error]; });
test('Headers', () => { const h = new Headers({ 'X-A': '1', b: '2' }); h.append('x-a', '3'); h.set('C', ' 4 '); return [[...h], h.get('X-A'), h.has('b')]; });
test('Headers set-cookie', () => { const h = new Headers(); h.append('set-cookie', 'a=1'); h.append('set-cookie', 'b=2'); return [h.get('set-cookie'), typeof h.getSetCookie === 'function' ? h.getSetCookie() : 'absent']; });
test('Headers invalid name', () => { try { new Headers({ 'a b': '1' }); } catch (e) { return e.name; } });
test('Response json', async () => { const r = Response.json({ a: 1 }, { status: 201 }); return [r.status, r.ok, r.headers.get('content-type'), await r.json()]; });
test('Response defaults', () => { const r = new Response('x'); return [r.status, r.statusText, r.type, r.redirected, r.bodyUsed, r.headers.get('content-type')]; });
test('Request defaults', () => { const r = new Request('http://h/a'); return [r.method, r.url, r.redirect, r.credentials, r.cache]; });
test('Request relative URL', () => { try { new Request('/a'); } catch (e) { return e.name; } });
test('Response body used twice', async () => { const r = new Response('x'); await r.text(); try { await r.text(); } catch (e) { return e.name; } });
// DOMException, the text codecs, AbortSignal and Response.formData in more detail.
test('DOMException details', () => { const e = new DOMException('m', { name: 'AbortError', cause: 7 }); return [e.name, e.code, e.cause, Object.prototype.toString.call(e), Object.getOwnPropertyNames(e), e.stack.split('\n')[0], DOMException.ABORT_ERR, e.DATA_CLONE_ERR, new DOMException().name, new DOMException('x', 'Custom').code]; });
test('DOMException from atob', () => { try { atob('@@'); } catch (e) { return [e instanceof DOMException, e instanceof Error, e.message]; } });
test('AbortSignal reasons', () => { const a = AbortSignal.abort(); return [a.reason instanceof DOMException, a.reason.name, a.reason.message]; });
test('AbortSignal.any aborts with the first reason', () => { const a = new AbortController(), b = new AbortController(); const s = AbortSignal.any([a.signal, b.signal]); b.abort('why'); a.abort('late'); return [s.aborted, s.reason]; });
test('AbortSignal once listener', () => { const ac = new AbortController(); let n = 0; ac.signal.addEventListener('abort', () => n++, { once: true }); ac.signal.onabort = null; ac.abort(); return [n, ac.signal.onabort]; });
test('TextEncoder encodeInto partial', () => { const u = new Uint8Array(5); return [new TextEncoder().encodeInto('a€😀', u), Array.from(u)]; });
test('TextDecoder utf-16be and BOM', () => [new TextDecoder('utf-16be').decode(new Uint8Array([0xfe, 0xff, 0, 0x68])), new TextDecoder('utf-16le').decode(new Uint8Array([0xff, 0xfe, 0x68, 0])), new TextDecoder('utf-16le').decode(new Uint8Array([0x68, 0, 0x69]))]);
test('TextDecoder labels', () => ['UTF8', ' unicode-1-1-utf-8 ', 'ucs-2', 'ascii', 'l1', 'x-cp1252'].map((l) => new TextDecoder(l).encoding));
test('TextDecoder utf-16 lone surrogate', () => new TextDecoder('utf-16le').decode(new Uint8Array([0x00, 0xd8, 0x41, 0x00])));
test('TextDecoder stream utf-16le', () => { const t = new TextDecoder('utf-16le'); return [t.decode(new Uint8Array([0x68]), { stream: true }), t.decode(new Uint8Array([0x00]))]; });
test('TextDecoder maximal subparts', () => new TextDecoder().decode(new Uint8Array([0xf0, 0x9f, 0x41, 0xe2, 0x82, 0xc0])));
test('TextDecoder attributes', () => { const t = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); return [t.encoding, t.fatal, t.ignoreBOM]; });
test('Response formData multipart by hand', async () => { const body = '--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue 1\r\n--XX\r\nContent-Disposition: form-data; name="f"; filename="n.bin"\r\nContent-Type: application/x-thing\r\n\r\nab\r\ncd\r\n--XX--\r\n'; const fd = await new Response(body, { headers: { 'content-type': 'multipart/form-data; boundary=XX' } }).formData(); const f = fd.get('f'); return [fd.get('a'), f.name, f.type, await f.text(), f instanceof File]; });
test('Response formData wrong type', async () => { try { await new Response('x').formData(); } catch (e) { return e.name; } });
test('Request more defaults', () => { const r = new Request('http://h/a', { credentials: 'include', cache: 'no-store', mode: 'same-origin' }); return [r.credentials, r.cache, r.mode]; });
test('Response statusText given', () => [new Response(null, { status: 404 }).statusText, new Response(null, { status: 201, statusText: 'Made' }).statusText]);
test('performance mark and measure', () => { performance.mark('conf-a'); const m = performance.measure('conf-m', 'conf-a'); return [m.entryType, m.name, performance.getEntriesByName('conf-a').length, typeof performance.now()]; });
test('buffer File', () => require('buffer').File === File && require('buffer').Blob === Blob);

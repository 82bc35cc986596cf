// node:tty: nothing is a terminal.
(function (native, require) {
  'use strict';
  const stub = () => { throw new Error('tty streams are not available to actions'); };
  return { isatty: () => false, ReadStream: stub, WriteStream: stub };
})

// node:os with fixed values: nothing here describes the host that runs the daemon.
(function (native, require) {
  'use strict';
  const cpu = { model: 'actionsd', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  const os = {
    EOL: '\n',
    devNull: '/dev/null',
    arch: () => 'x64',
    platform: () => 'linux',
    type: () => 'Linux',
    release: () => '6.0.0',
    version: () => '#1 SMP',
    machine: () => 'x86_64',
    hostname: () => 'localhost',
    homedir: () => '/home/actions',
    tmpdir: () => '/tmp',
    endianness: () => 'LE',
    uptime: () => 0,
    loadavg: () => [0, 0, 0],
    totalmem: () => 1073741824,
    freemem: () => 536870912,
    availableParallelism: () => 1,
    cpus: () => [{ ...cpu, times: { ...cpu.times } }],
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 1000, gid: 1000, username: 'actions', homedir: '/home/actions', shell: null }),
    getPriority: () => 0,
    setPriority: () => { throw new Error('os.setPriority is not available to actions'); },
    constants: Object.freeze({ signals: Object.freeze({}), errno: Object.freeze({}), priority: Object.freeze({}) }),
  };
  return os;
})

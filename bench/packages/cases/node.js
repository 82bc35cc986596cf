// Runs one case under Node: node node.js <case> <input.json> <iters> <warm>; prints
// {"cpu_ms", "wall_ms", "check"} of the timed runs (CPU: user + system of the process, every
// thread). Packages resolve through NODE_PATH (the driver's npm install).
'use strict';
const [, , name, inputFile, iters, warm] = process.argv;
const input = JSON.parse(require('fs').readFileSync(inputFile, 'utf8'));
const harness = require('./harness.js');
const c = require('./' + name + '.js');
const st = harness.prepare(c, input, Number(warm));
const u0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const check = harness.timed(c, st, Number(iters));
const t1 = process.hrtime.bigint();
const u1 = process.cpuUsage(u0);
process.stdout.write(JSON.stringify({ cpu_ms: (u1.user + u1.system) / 1000, wall_ms: Number(t1 - t0) / 1e6, check }) + '\n');

// An RSA-1024 key pair with node-forge from a fixed-seed PRNG, so that both engines search the
// same primes: the prime search is modular exponentiation on jsbn big integers.
'use strict';
const forge = require('node-forge');

exports.setup = () => ({});
exports.run = () => {
  const prng = forge.random.createInstance();
  prng.seedFileSync = (n) => forge.util.fillString('s', n);
  const kp = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001, prng });
  return forge.pki.publicKeyToPem(kp.publicKey);
};

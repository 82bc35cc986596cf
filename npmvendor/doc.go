// Package npmvendor resolves, verifies, vendors and bundles the npm dependencies of actions and
// action modules (SPEC §2, §5).
//
// What it provides:
//   - Registries: where packages come from (daemon config, NPM_CONFIG_REGISTRY, .npmrc of the
//     repository then of the user, then the npm CLI's own setting), with `@scope:registry` lines and
//     `//host/path/:_authToken` credentials. No registry host is written in this package.
//   - Resolver: npm's semver rules (deps.dev's semver.NPM) and npm's version picking (engines.node
//     against the emulated Node version), over the abbreviated metadata read as npm reads it
//     (metadata.go: a field of an odd shape never fails a package), into a lockfile.Lock: every package of every owner's tree with name,
//     version, integrity and the tarball's path relative to its registry. PinManifest rewrites
//     `latest` and ranges in module.yaml/action.yaml to the exact versions chosen.
//   - Installer: installs one owner from the lock only: each tarball is fetched once (from the
//     repository's vendor/npm/ when present, else its registry), verified against its integrity,
//     extracted safely into a content-addressed cache (temp folder + rename), and the owner's
//     dependency set is bundled by esbuild into CommonJS chunks for goja (jsdeps.Bundle), cached
//     by content on disk and in memory. Packages resolve as Node resolves them (noderesolve.go);
//     a require of nothing installed becomes one that throws MODULE_NOT_FOUND when it runs
//     (jsdeps.Bundle.Missing), and a set that does not bundle is a BundleError naming the
//     package and the chain to it.
//   - Vendor: copies the locked tarballs into vendor/npm/.
//   - Check: what a lock says against what a manifest declares, for validate and status.
//   - LockRepo, CheckManifests, ReadLock: `actionsd lock` and `vendor` on a working tree's
//     manifests (resolve, pin the manifests, then write actionsd.lock; check the lock).
//
// What it does not do: read git (gitstore does), run JavaScript (runner does) or decide when to
// install (sync does). No install script of any package is ever run.
package npmvendor

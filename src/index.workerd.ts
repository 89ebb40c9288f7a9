// The `workerd` export condition's entry (Cloudflare Workers, wrangler, miniflare): the same
// public API as ./index.ts, built with ./core/default-core.workerd.ts in place of the inlined
// core, so the WebAssembly core arrives as an imported, already compiled module.
export * from './index';

// The `edge-light` export condition's entry (Next.js Edge routes and middleware, Vercel Edge
// Functions): the same public API as ./index.ts, built with ./core/default-core.edge-light.ts in
// place of the inlined core, so the WebAssembly core arrives as an imported, already compiled
// module (edge runtimes, once deployed, refuse to compile WebAssembly from bytes).
export * from './index';

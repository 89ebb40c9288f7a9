// A `.wasm` import as Workers bundlers (wrangler, miniflare's CompiledWasm rule) provide it.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

// A `.wasm?module` import as Next.js provides it in Edge bundles (webpack and Turbopack).
declare module '*.wasm?module' {
  const module: WebAssembly.Module;
  export default module;
}

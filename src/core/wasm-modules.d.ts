// A `.wasm` import as Workers bundlers (wrangler, miniflare's CompiledWasm rule) provide it.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** Package entry point ('wasmnet', 'wasmnet/onnx', …) → its source file, relative to the repository root. */
export declare const entryPoints: Record<string, string>;

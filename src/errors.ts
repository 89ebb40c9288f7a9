// Typed errors. Every message names the offending value and what was expected, and every call
// that throws one leaves the network exactly as it was before the call.

/** Base class of every error wasmnet throws on purpose. */
export class WasmnetError extends Error {
  // Each class names itself with a string literal rather than its constructor's name, which a
  // minifying bundler would shorten.
  /** Always `'WasmnetError'` (a string, so it survives minification). */
  override name: string = 'WasmnetError';
}

/** An option or configuration value is unknown, missing, out of range or of the wrong type. */
export class ConfigError extends WasmnetError {
  /** Always `'ConfigError'` (a string, so it survives minification). */
  override name = 'ConfigError';
}

/** Data or weights have the wrong shape: row counts, column counts, ragged rows, lengths. */
export class ShapeError extends WasmnetError {
  /** Always `'ShapeError'` (a string, so it survives minification). */
  override name = 'ShapeError';
}

/** Data contains a value that is not a finite number (NaN, Infinity, a string, ...). */
export class DataError extends WasmnetError {
  /** Always `'DataError'` (a string, so it survives minification). */
  override name = 'DataError';
}

/** The loss or the gradients became NaN or infinite during training. The network keeps the
 *  last weights that were finite (the failing update is never applied). */
export class DivergenceError extends WasmnetError {
  /** Always `'DivergenceError'` (a string, so it survives minification). */
  override name = 'DivergenceError';
  /** 0-based epoch index (as passed to `onEpochEnd`), or -1 outside `fit`. */
  readonly epoch: number;
  /** 0-based batch index within the epoch, or -1 outside `fit`. */
  readonly batch: number;
  /** The non-finite loss (or the finite loss whose gradients overflowed). */
  readonly loss: number;
  /** Made by training when it diverges; the message says where and suggests a lower learning rate. */
  constructor(message: string, epoch: number, batch: number, loss: number) {
    super(message);
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
  }
}

/** The WebAssembly core could not be loaded (call `init()` with a module where compiling
 *  bytes is forbidden, e.g. Cloudflare Workers). */
export class InitError extends WasmnetError {
  /** Always `'InitError'` (a string, so it survives minification). */
  override name = 'InitError';
}

/** Saved model data that cannot be read: not a wasmnet model, truncated, corrupted, from a
 *  newer format version, or with weights that do not fit the architecture it describes. */
export class FormatError extends WasmnetError {
  /** Always `'FormatError'` (a string, so it survives minification). */
  override name = 'FormatError';
}

/** The network needs more memory than its backend can give it: a layer or a batch too large.
 *  Thrown before anything changes (the arena, its layout and the weights stay as they were).
 *  Both backends cap an arena at {@link MemoryLimitError.limit} bytes (4 GiB, WebAssembly's
 *  32-bit address space); a runtime that refuses to grow memory below that cap is reported the
 *  same way. Loading a saved model that would need too much throws a {@link FormatError}. */
export class MemoryLimitError extends WasmnetError {
  override name = 'MemoryLimitError';
  /** Bytes the arena would need. */
  readonly bytes: number;
  /** The most bytes this arena could have: the backend's cap, or what the runtime granted. */
  readonly limit: number;
  constructor(message: string, bytes: number, limit: number) {
    super(message);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** A worker thread of a network with `threads` > 1 failed (it threw or exited). The call that
 *  reports it did nothing: the network is as it was after its last completed batch, and its
 *  next call starts new workers. */
export class ThreadError extends WasmnetError {
  override name = 'ThreadError';
}

/** Saving or loading at a destination failed for a reason outside the model's content: not found,
 *  an HTTP error status, storage quota exceeded, no such storage in this runtime. The message
 *  names the destination and the cause; `destination` is it, `status` the HTTP status if any. */
export class IOError extends WasmnetError {
  /** Always `'IOError'` (a string, so it survives minification). */
  override name = 'IOError';
  /** Where the model was being saved to or loaded from. */
  readonly destination: string;
  /** The HTTP status, when the cause is an HTTP response. */
  readonly status?: number;
  constructor(message: string, destination: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.destination = destination;
    if (status !== undefined) this.status = status;
  }
}

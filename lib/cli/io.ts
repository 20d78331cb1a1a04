/**
 * Deno-only helpers of the CLI: reading files with errors that name the file,
 * writing text to stdout and stderr.
 *
 * @module
 */

import { FileAccessError, IgvmToolError, namingFile } from "../errors.ts";

/** Turns a Deno file-system error into a one-line reason. */
export function describeFsError(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  if (e instanceof Deno.errors.NotADirectory) return "not a directory";
  if (e instanceof Deno.errors.NotCapable) {
    const kind = /Requires (\w+) access/.exec(e.message)?.[1] ?? "read";
    const where = kind === "write" ? " for the output's folder" : "";
    return `${kind} access not granted (run deno with --allow-${kind}${where})`;
  }
  if (e instanceof Error) return e.message.split("\n")[0];
  return String(e);
}

/** Runs `fn`, turning file-system errors into {@link FileAccessError}s naming `path`. */
export function withFile<T>(path: string, what: string, fn: () => T): T {
  try {
    return namingFile(path, fn);
  } catch (e) {
    // Only file-system failures become file errors; ours (now naming the file), usage errors
    // and bugs pass through.
    if (e instanceof IgvmToolError || !Object.values(Deno.errors).some((c) => e instanceof c)) {
      throw e;
    }
    throw new FileAccessError(path, `cannot ${what}: ${describeFsError(e)}`);
  }
}

/**
 * The bytes of `path`, read to its end but never more than `max` of them (a
 * FIFO or a device has no size to check first); undefined when it holds more.
 * File-system errors are thrown as they are (wrap the call in {@link withFile}).
 *
 * @example
 * ```ts
 * import { readAtMost } from "./io.ts";
 * readAtMost("testdata/sample.igvm", 16); // undefined: the file is larger
 * ```
 */
export function readAtMost(path: string, max: number): Uint8Array | undefined {
  using file = Deno.openSync(path, { read: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = new Uint8Array(Math.min(1 << 16, max + 1 - total));
    const n = file.readSync(chunk);
    if (n === null || n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) return undefined;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Reads the small input file `path` (a key, a certificate, a report) through
 * {@link withFile}: at most `max` bytes, so that a FIFO or `/dev/zero` is an
 * error and not an endless read. A larger file throws `tooLarge()` (naming
 * `path`).
 *
 * @example
 * ```ts
 * import { readFileAtMost } from "./io.ts";
 * import { FileAccessError } from "../errors.ts";
 * const tooLarge = () => new FileAccessError("testdata/sample.igvm", "too large");
 * readFileAtMost("testdata/sample.igvm", "read sample", 1 << 20, tooLarge).length > 0; // true
 * ```
 */
export function readFileAtMost(
  path: string,
  what: string,
  max: number,
  tooLarge: () => IgvmToolError,
): Uint8Array {
  return withFile(path, what, () => {
    const bytes = readAtMost(path, max);
    if (bytes === undefined) throw tooLarge();
    return bytes;
  });
}

/**
 * Reads `buf.length` bytes of `file` at `offset` (as many reads as it takes);
 * returns how many it got: fewer only where the file ends first.
 *
 * @example
 * ```ts
 * import { readFullyAt } from "./io.ts";
 * using file = Deno.openSync("testdata/sample.igvm");
 * readFullyAt(file, new Uint8Array(4), 0); // 4
 * ```
 */
export function readFullyAt(file: Deno.FsFile, buf: Uint8Array, offset: number): number {
  file.seekSync(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

const encoder = new TextEncoder();

/** Writes all of `text` to stdout. */
function writeStdout(text: string): void {
  writeAll(Deno.stdout, encoder.encode(text));
}

/** Writes all of `text` to stderr. */
function writeStderr(text: string): void {
  writeAll(Deno.stderr, encoder.encode(text));
}

function writeAll(w: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  try {
    while (off < data.length) off += w.writeSync(data.subarray(off));
  } catch (e) {
    // A reader that went away (`| head`) is not an error of ours: stop writing quietly.
    if (e instanceof Deno.errors.BrokenPipe) return;
    throw new OutputError(`cannot write output: ${describeFsError(e)}`);
  }
}

/** Writing to stdout or stderr failed (e.g. a full disk). */
export class OutputError extends IgvmToolError {
  /** Creates the error. */
  constructor(message: string) {
    super(message, "output");
    this.name = "OutputError";
  }
}

/** Where the CLI writes: stdout and stderr. Tests pass their own. */
export interface CliIo {
  /** Writes `text` to standard output. */
  stdout(text: string): void;
  /** Writes `text` to standard error. */
  stderr(text: string): void;
}

/** The process's stdout and stderr. */
export const denoIo: CliIo = { stdout: writeStdout, stderr: writeStderr };

/** What a command gets: the output so far (printed on error too) and the streams. */
export interface CommandContext {
  /** Stdout text collected so far; the driver prints it before an error message. */
  readonly out: string[];
  /** The streams the command writes to. */
  readonly io: CliIo;
  /** `--json` was given: the command prints one JSON object instead of text. */
  readonly json?: boolean;
  /**
   * With `--json`: the result so far; when the command then fails, the driver
   * prints it with an `error` member added.
   */
  partial?: Record<string, unknown>;
}

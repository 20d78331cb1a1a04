/**
 * What `bench/bench.ts` is built from: the benchmark file's model and writer,
 * the count of bytes a measurement hashes, a timed `deno run` under
 * `/usr/bin/time -v`, and `openssl speed`.
 *
 * @module
 */

import { layoutIgvm } from "../lib/igvm/serializer.ts";
import { pageData, snpFile, snpVpContext } from "../tests/builder.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { readPayload } from "../lib/igvm/source.ts";
import { platformMask } from "../lib/igvm/select.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";

/** Bytes in a MiB. */
export const MiB = 1024 * 1024;
const TIME = "/usr/bin/time";

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function haveTime(): boolean {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
}
/** Whether `/usr/bin/time` is there (for the peak RSS). */
export const HAVE_TIME: boolean = haveTime();

/** A model with `random` MiB of random pages, `zero` MiB of pages without data. */
export function largeModel(randomMiB: number, zeroMiB: number): IgvmFile {
  const pages = Math.floor((randomMiB * MiB) / 4096);
  const data = new Uint8Array(pages * 4096);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const directives: DirectiveHeader[] = [];
  let gpa = 0x100000n;
  for (let i = 0; i < pages; i++, gpa += 0x1000n) {
    directives.push(pageData(gpa, 1, data.subarray(i * 4096, (i + 1) * 4096)));
  }
  for (let i = 0; i < (zeroMiB * MiB) / 4096; i++, gpa += 0x1000n) {
    directives.push(pageData(gpa, 1, null));
  }
  for (let i = 0; i < 16; i++, gpa += 0x1000n) {
    directives.push(pageData(gpa, 1, null, PageDataFlags.UNMEASURED));
  }
  directives.push(pageData(gpa, 1, null, 0, PageDataType.SECRETS));
  directives.push(pageData(gpa + 0x1000n, 1, null, 0, PageDataType.CPUID_DATA));
  const vmsa = new Uint8Array(4096);
  new DataView(vmsa.buffer).setBigUint64(0x3b0, 1n, true);
  directives.push(snpVpContext(0xFFFFFFFFF000n, 1, vmsa));
  return snpFile(directives, 0x30000n);
}

/** Writes `file` with the project's serializer, piece by piece. */
export function writeModel(file: IgvmFile, path: string): number {
  const layout = layoutIgvm(file);
  const out = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    const all = (b: Uint8Array) => {
      for (let off = 0; off < b.length;) off += out.writeSync(b.subarray(off));
    };
    all(layout.headers);
    for (const piece of layout.data) {
      const bytes = readPayload(piece.payload, file.source);
      if (bytes.length === piece.size) all(bytes);
      else {
        const padded = new Uint8Array(piece.size);
        padded.set(bytes.subarray(0, piece.size));
        all(padded);
      }
    }
  } finally {
    out.close();
  }
  return layout.size;
}

/** Bytes SHA-384 hashes as page contents (SNP, coconut rules): measured pages with data, VMSAs, one zero page. */
export function hashedBytes(path: string): number {
  const file = parseIgvm(Deno.readFileSync(path));
  const mask = platformMask(file, PlatformType.SEV_SNP) ?? 0;
  let bytes = 0;
  let zero = false;
  for (const d of file.directives) {
    if (d.type === "SnpVpContext") bytes += 4096;
    if (d.type !== "PageData" || (d.compatibilityMask & mask) === 0) continue;
    if (d.dataType !== PageDataType.NORMAL || (d.flags & PageDataFlags.UNMEASURED)) continue;
    if (d.data === null) zero = true;
    else bytes += 4096;
  }
  return bytes + (zero ? 4096 : 0);
}

/** One timed run. */
export interface Run {
  readonly ms: number;
  readonly rssKiB: number;
  readonly stdout: string;
}

/** Runs `deno run --allow-read SCRIPT ...args` once, under /usr/bin/time -v when present. */
export async function runDeno(script: string, args: string[]): Promise<Run> {
  const denoArgs = ["run", "--allow-read", script, ...args];
  const cmd = HAVE_TIME
    ? new Deno.Command(TIME, {
      args: ["-v", Deno.execPath(), ...denoArgs],
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(Deno.execPath(), { args: denoArgs, stdout: "piped", stderr: "piped" });
  const t0 = performance.now();
  const out = await cmd.output();
  const ms = performance.now() - t0;
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${script} ${args.join(" ")} failed:\n${stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return {
    ms,
    rssKiB: m ? Number(m[1]) : NaN,
    stdout: new TextDecoder().decode(out.stdout).trim(),
  };
}

/** Peak RSS fallback without /usr/bin/time: an in-process run (includes this script's heap). */
export async function inProcessRss(path: string): Promise<number> {
  const { runCli } = await import("../lib/cli/run.ts");
  await runCli([path, "measure", "-b"], { stdout: () => {}, stderr: () => {} });
  return Deno.memoryUsage().rss / 1024;
}

/** How `openssl speed` runs. */
export interface OpensslOptions {
  /** Processes (`-multi`); 1: a single process. */
  readonly processes: number;
  /** Divide by wall-clock time (`-elapsed`) rather than by the CPU time the processes got. */
  readonly elapsed: boolean;
  /** Seconds per measurement (`-seconds`). */
  readonly seconds: number;
}

/**
 * `openssl speed -evp sha384 -bytes 4096 [-multi N] [-elapsed]`, in MiB/s
 * (all processes together). OpenSSL divides by the user CPU time its
 * processes got unless `-elapsed`: on a busy machine only the wall-clock
 * rate is what the machine offered in that time.
 */
export async function opensslMiBs(o: OpensslOptions): Promise<number> {
  const args = ["speed", "-evp", "sha384", "-bytes", "4096", "-seconds", String(o.seconds)];
  if (o.processes > 1) args.push("-multi", String(o.processes));
  if (o.elapsed) args.push("-elapsed");
  const out = await new Deno.Command("openssl", { args, stdout: "piped", stderr: "null" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /^sha384\s+([\d.]+)k/m.exec(text);
  if (!m) throw new Error(`cannot parse openssl speed output:\n${text}`);
  return (Number(m[1]) * 1000) / MiB;
}

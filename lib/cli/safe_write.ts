/**
 * Writes an output file safely: into a temporary file in the output's folder,
 * then renamed into place. On any failure the temporary file is removed, so
 * there is never a partial output file and an existing one stays untouched.
 * An output path that is a symbolic link is written through, as the original's
 * `File::create` does: the file it points to is replaced and the link stays.
 *
 * @module
 */

import { describeFsError } from "./io.ts";
import { FileAccessError } from "../errors.ts";
import { IgvmToolError } from "../errors.ts";

/**
 * Calls `write(file)` on a temporary file next to `path`, then renames it to `path`.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./safe_write.ts";
 * const out = `${Deno.makeTempDirSync()}/out.bin`;
 * await writeFileAtomic(out, (f) => { f.writeSync(new Uint8Array([1])); });
 * Deno.readFileSync(out); // Uint8Array [1]
 * ```
 */
export async function writeFileAtomic(
  given: string,
  write: (file: Deno.FsFile) => void | Promise<void>,
): Promise<void> {
  // Errors name the path as given; the bytes go where it leads.
  const path = linkTarget(given);
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  let tmp: string;
  let file: Deno.FsFile;
  try {
    // Created like any output file (0666 less the umask), not 0600 as makeTempFile would,
    // so a signed image stays readable by a loader running as another user.
    tmp = `${dir}/.igvmmeasure-${crypto.randomUUID()}.tmp`;
    file = Deno.openSync(tmp, { write: true, createNew: true, mode: 0o666 });
    const mode = existingMode(path);
    if (mode !== undefined) {
      try {
        Deno.chmodSync(tmp, mode);
      } catch (e) {
        file.close();
        Deno.removeSync(tmp);
        throw e;
      }
    }
  } catch (e) {
    throw new FileAccessError(given, `cannot create output file: ${describeFsError(e)}`);
  }
  try {
    try {
      await write(file);
    } finally {
      file.close();
    }
    try {
      Deno.renameSync(tmp, path);
    } catch (e) {
      throw new FileAccessError(given, `cannot write output file: ${describeFsError(e)}`);
    }
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // already gone
    }
    // Our own errors pass through; anything else failed while writing.
    if (e instanceof IgvmToolError) throw e;
    throw new FileAccessError(given, `cannot write output file: ${describeFsError(e)}`);
  }
}

/** The permission bits of an existing regular file at `path`, kept when it is replaced. */
function existingMode(path: string): number | undefined {
  try {
    const st = Deno.statSync(path);
    return st.isFile && st.mode !== null ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

/** Writes all of `bytes` to an open file. */
export function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

/**
 * Where writing `path` should put the bytes: `path` itself, or for a symbolic
 * link the file it points to (followed link by link, so a link to a file that
 * does not exist yet creates that file, as `File::create` would).
 */
function linkTarget(path: string): string {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!Deno.lstatSync(current).isSymlink) return current;
      link = Deno.readLinkSync(current);
    } catch {
      return current; // does not exist (yet), or cannot be inspected: write it as named
    }
    if (link.startsWith("/")) current = link;
    else {
      const slash = current.lastIndexOf("/");
      current = slash < 0 ? link : `${current.slice(0, slash + 1)}${link}`;
    }
  }
  return current; // a loop of links: the write fails and says so
}

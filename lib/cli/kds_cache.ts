/**
 * `--cache DIR`: KDS answers kept as files under a folder, so that repeated
 * verifications do not ask AMD's rate-limited KDS again. Keys are relative
 * paths (`vcek/v1/Milan/cert_chain.pem`); files are written to a temporary
 * name and renamed into place.
 *
 * @module
 */

import type { KdsCache } from "../verify/attestation/kds.ts";
import { describeFsError } from "./io.ts";
import { FileAccessError } from "../errors.ts";

/**
 * A {@link KdsCache} over a folder (created when first written).
 *
 * @example
 * ```ts
 * import { DirectoryKdsCache } from "./kds_cache.ts";
 * const cache = new DirectoryKdsCache(await Deno.makeTempDir());
 * await cache.put("vcek/v1/Milan/crl.der", new Uint8Array([0x30, 0]));
 * (await cache.get("vcek/v1/Milan/crl.der"))?.length; // 2
 * ```
 */
export class DirectoryKdsCache implements KdsCache {
  /** The folder. */
  readonly dir: string;

  /** A cache in `dir`. */
  constructor(dir: string) {
    this.dir = dir.replace(/\/+$/, "") || "/";
  }

  private path(key: string): string {
    const parts = key.split("/");
    if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\"))) {
      throw new FileAccessError(
        this.dir,
        `cache key ${JSON.stringify(key)} is not a relative path`,
      );
    }
    return `${this.dir}/${key}`;
  }

  /** The stored bytes, or undefined when there are none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.path(key);
    try {
      return await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw new FileAccessError(path, `cannot read the KDS cache: ${describeFsError(e)}`);
    }
  }

  /** Stores `bytes` under `key`. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    const dir = path.slice(0, path.lastIndexOf("/"));
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeFile(tmp, bytes);
      await Deno.rename(tmp, path);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw new FileAccessError(path, `cannot write the KDS cache: ${describeFsError(e)}`);
    }
  }
}

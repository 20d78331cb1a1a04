/**
 * Launch digests by the rules of COCONUT-SVSM's `igvmmeasure`
 * (coconut-svsm/svsm `tools/igvmmeasure/src/igvm_measure.rs`), byte for byte:
 * SEV-SNP (SHA-384 PAGE_INFO chain) and its SEV / SEV-ES mode (SHA-256 over
 * the page data stream).
 *
 * Where these rules differ from microsoft/igvm's `measurement/snp.rs`
 * ("crate") and QEMU's loader (`backends/igvm.c`, "QEMU"), the place is marked
 * `DIFF:` below. docs/semantics.md lists every difference with its sources.
 *
 * @module
 */

import {
  PAGE_SIZE_2M,
  PAGE_SIZE_4K,
  PageDataFlags,
  PageDataType,
  PlatformType,
} from "../igvm/defs.ts";
import type { IgvmFile, IgvmSource, PageData, Payload, SnpVpContext } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { platformMask } from "../igvm/select.ts";
import { createHasher, type Hasher } from "../hash.ts";
import { createPageHasher, zeroPageSha384 } from "./wasm_sha384.ts";
import { SnpDigest, SnpPageType } from "./page_info.ts";
import { hashPagesAhead, isFilePage } from "./page_hashes.ts";
import { type LogKind, PageLog } from "./verbose_log.ts";
import { kvmCheckVmsa, kvmVmsaOrderError } from "./kvm_check.ts";

/**
 * The AMD platforms the original measures.
 *
 * @example
 * ```ts
 * import { type AmdPlatform, measureCoconut, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const platform: AmdPlatform = "sev-snp";
 * console.log(measureCoconut(file, { platform }).digest.length); // 48
 * ```
 */
export type AmdPlatform = "sev-snp" | "sev-es" | "sev";

/**
 * Options of {@link measureCoconut}, the original's global options.
 *
 * @example
 * ```ts
 * import { type CoconutOptions, measureCoconut, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const lines: string[] = [];
 * const options: CoconutOptions = { nativeZero: true, log: (line) => lines.push(line) };
 * const { digest } = measureCoconut(file, options);
 * console.log(digest.toHex().toUpperCase(), lines.length);
 * ```
 */
export interface CoconutOptions {
  /** Platform to measure for (default `"sev-snp"`). */
  readonly platform?: AmdPlatform;
  /** `-n`: measure pages without data as SNP ZERO pages instead of normal pages of zeros. */
  readonly nativeZero?: boolean;
  /** `-c`: apply the original's four QEMU/KVM checks. */
  readonly checkKvm?: boolean;
  /** `-v`: receives the original's verbose page log, line by line. */
  readonly log?: (line: string) => void;
}

/**
 * Result of a measurement.
 *
 * @example
 * ```ts
 * import { type CoconutMeasurement, measureCoconut, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const m: CoconutMeasurement = measureCoconut(file);
 * if (m.idBlockLd && m.idBlockLd.toHex() !== m.digest.toHex()) console.log("ID block LD differs");
 * console.log(m.digest.toHex().toUpperCase(), m.compatibilityMask);
 * ```
 */
export interface CoconutMeasurement {
  /** The launch digest: 48 bytes for SEV-SNP, 32 (SHA-256) for SEV and SEV-ES. */
  readonly digest: Uint8Array;
  /** The compatibility mask of the measured platform's header. */
  readonly compatibilityMask: number;
  /** LD of the last SNP ID block matching the platform, if any. */
  readonly idBlockLd?: Uint8Array;
}

const PLATFORM_TYPES: Record<AmdPlatform, number> = {
  "sev-snp": PlatformType.SEV_SNP,
  "sev-es": PlatformType.SEV_ES,
  "sev": PlatformType.SEV,
};

/** The original's message when the file has no header for the platform. */
export const NOT_COMPATIBLE = "IGVM file is not compatible with the specified platform.";

const PAGE_4K = BigInt(PAGE_SIZE_4K);

/** Pads bytes in hand that are shorter than a page (only built files have them). */
function fullPage(data: Uint8Array): Uint8Array {
  if (data.length === PAGE_SIZE_4K) return data;
  const page = new Uint8Array(PAGE_SIZE_4K);
  page.set(data.subarray(0, PAGE_SIZE_4K));
  return page;
}

/**
 * Reads the page bytes of a payload: bytes in hand as they are, a file range into
 * `scratch` (the result is valid until the next read; callers consume it at once).
 */
function pageBytes(
  payload: Payload,
  source: IgvmSource | undefined,
  scratch: Uint8Array,
): Uint8Array {
  if (payload instanceof Uint8Array) return fullPage(payload);
  if (source === undefined) {
    throw new MeasurementError(
      `file payload at offset ${payload.offset} (${payload.length} bytes) has no source to read from`,
    );
  }
  return fullPage(source.read(payload.offset, payload.length, scratch));
}

/**
 * File offsets of the 4 KiB page ranges whose SHA-384 the SNP loop below will ask for, in
 * order (measured NORMAL pages with file data, then every VMSA as it comes), so that they
 * can be hashed ahead ({@link hashPagesAhead}). Only a hint: a page not found here at its
 * turn is hashed in place, so the rules stay in the loop alone.
 */
function plannedPageHashes(file: IgvmFile, mask: number): Float64Array {
  const offsets: number[] = [];
  for (const d of file.directives) {
    if (d.type === "PageData") {
      if (
        (d.compatibilityMask & mask) !== 0 && d.dataType === PageDataType.NORMAL &&
        (d.flags & (PageDataFlags.UNMEASURED | PageDataFlags.IS_2MB_PAGE)) === 0 &&
        isFilePage(d.data)
      ) offsets.push(d.data.offset);
    } else if (d.type === "SnpVpContext" && isFilePage(d.vmsa)) offsets.push(d.vmsa.offset);
  }
  return Float64Array.from(offsets);
}

/**
 * Measures `file` exactly as the original `igvmmeasure` does.
 *
 * Throws {@link MeasurementError} with the original's message when the file
 * has no header for the platform or a KVM check fails, and for a 2 MiB page
 * that carries data (the original crashes there).
 *
 * @example
 * ```ts
 * import { parseIgvm } from "../igvm/parser.ts";
 * import { measureCoconut } from "./coconut.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const { digest } = measureCoconut(file, { platform: "sev-snp" });
 * console.log(digest.toHex().toUpperCase());
 * ```
 */
export function measureCoconut(file: IgvmFile, options: CoconutOptions = {}): CoconutMeasurement {
  const platform = options.platform ?? "sev-snp";
  const mask = platformMask(file, PLATFORM_TYPES[platform]);
  if (mask === undefined) throw new MeasurementError(NOT_COMPATIBLE, true);
  const snp = platform === "sev-snp";
  const nativeZero = options.nativeZero ?? false;
  const checkKvm = options.checkKvm ?? false;
  const log = options.log ? new PageLog(options.log) : undefined;
  const chain = new SnpDigest();
  const stream: Hasher | undefined = snp ? undefined : createHasher("sha256");
  let vmsaCount = 0;
  let idBlockLd: Uint8Array | undefined;
  const scratch = new Uint8Array(PAGE_SIZE_4K);
  const pages = createPageHasher(1); // its digest view is reused: the chain copies it at once

  // Page contents hashed ahead (the CLI's file source: in batches, with worker threads for
  // large files), or in place.
  const ahead = snp ? hashPagesAhead(file.source, () => plannedPageHashes(file, mask)) : undefined;
  const pageHash = (payload: Payload): Uint8Array =>
    ahead?.take(payload) ?? pages.hashPage(pageBytes(payload, file.source, scratch));

  const measurePage4k = (gpa: bigint, flags: number, dataType: number, data: Payload | null) => {
    if (!snp) {
      // DIFF: SEV/SEV-ES hash every page's data whatever its type and flags; a page without
      // data adds nothing (QEMU's LAUNCH_UPDATE_DATA hashes 4 KiB of zeros, and skips
      // unmeasured pages); the result is GCTX.LD, not the reported (HMAC) measurement.
      log?.page("Normal", gpa, PAGE_4K);
      if (data) stream!.update(pageBytes(data, file.source, scratch));
      return;
    }
    let kind: LogKind;
    switch (dataType) {
      case PageDataType.NORMAL:
        if (flags & PageDataFlags.UNMEASURED) {
          kind = "Unmeasured";
          chain.extend(SnpPageType.UNMEASURED, gpa);
        } else if (data === null) {
          if (nativeZero) {
            // DIFF: `-n` measures SNP ZERO pages; the crate and QEMU always measure a
            // NORMAL page of 4096 zero bytes (which is what the default does here too).
            kind = "Zero";
            chain.extend(SnpPageType.ZERO, gpa);
          } else {
            kind = "Normal";
            chain.extend(SnpPageType.NORMAL, gpa, zeroPageSha384());
          }
        } else {
          // DIFF: the `shared` flag is ignored (so does QEMU); the crate skips shared pages.
          kind = "Normal";
          chain.extend(SnpPageType.NORMAL, gpa, pageHash(data));
        }
        break;
      case PageDataType.SECRETS:
        kind = "Secrets";
        chain.extend(SnpPageType.SECRETS, gpa);
        break;
      case PageDataType.CPUID_DATA:
      case PageDataType.CPUID_XF:
        kind = "Cpuid";
        chain.extend(SnpPageType.CPUID, gpa);
        break;
      default:
        // DIFF: unknown data types are skipped (the crate measures them as NORMAL, QEMU
        // refuses them); the parser refuses types above 3 anyway.
        return;
    }
    log?.page(kind, gpa, PAGE_4K);
  };

  const measurePage = (
    d: PageData | { gpa: bigint; flags: number; dataType: number; data: null },
  ) => {
    const large = (d.flags & PageDataFlags.IS_2MB_PAGE) !== 0;
    if (d.data === null) {
      // DIFF: a 2 MiB page is 512 consecutive 4 KiB measurements here and in KVM;
      // the crate measures one 4 KiB page at its GPA.
      const pages = large ? PAGE_SIZE_2M / PAGE_SIZE_4K : 1;
      for (let i = 0; i < pages; i++) {
        measurePage4k(d.gpa + BigInt(i) * PAGE_4K, d.flags, d.dataType, null);
      }
      return;
    }
    if (large) {
      // The parser reads only 4 KiB of a page's data, and the original asserts that a
      // 2 MiB page has 2 MiB of it, so it panics here. We refuse the file instead.
      throw new MeasurementError(
        `2 MiB page at GPA 0x${
          d.gpa.toString(16)
        } carries file data, which IGVM parsers read only ` +
          "4 KiB of; the original igvmmeasure crashes on this file",
        false,
      );
    }
    measurePage4k(d.gpa, d.flags, d.dataType, d.data);
  };

  const measureVmsa = (d: SnpVpContext) => {
    if (checkKvm) kvmCheckVmsa(vmsaCount, d.gpa, pageBytes(d.vmsa, file.source, scratch));
    log?.page("VMSA", d.gpa, PAGE_4K);
    if (snp) chain.extend(SnpPageType.VMSA, d.gpa, pageHash(d.vmsa));
    else stream!.update(pageBytes(d.vmsa, file.source, scratch));
    vmsaCount++;
  };

  try {
    for (const d of file.directives) {
      switch (d.type) {
        case "PageData":
          // DIFF: any-bit mask test (QEMU too); the crate requires all bits. Equivalent for
          // files whose platform masks have one bit each, which the parser enforces.
          if ((d.compatibilityMask & mask) !== 0) measurePage(d);
          break;
        case "ParameterInsert":
          if ((d.compatibilityMask & mask) !== 0) {
            if (checkKvm && vmsaCount > 0) throw kvmVmsaOrderError();
            // DIFF: one UNMEASURED 4 KiB page at the GPA; the crate, OpenVMM and QEMU
            // measure the whole parameter area (number_of_bytes / 4096 pages).
            measurePage({
              gpa: d.gpa,
              flags: PageDataFlags.UNMEASURED,
              dataType: PageDataType.NORMAL,
              data: null,
            });
          }
          break;
        case "SnpVpContext":
          // DIFF: the VP context's compatibility mask is not tested at all, so VMSAs for
          // every platform are measured; the crate measures only matching ones. KVM
          // measures each vCPU's VMSA at launch finish, after all pages, at GPA
          // 0xFFFFFFFFF000 (see kvm_check.ts).
          measureVmsa(d);
          break;
        case "SnpIdBlock":
          // The last matching ID block wins (QEMU refuses more than one).
          if ((d.compatibilityMask & mask) !== 0) idBlockLd = d.ld;
          break;
        default:
          break;
      }
    }
  } finally {
    ahead?.close();
  }
  log?.finish();
  const digest = snp ? chain.digest : stream!.digest();
  return { digest, compatibilityMask: mask, idBlockLd };
}

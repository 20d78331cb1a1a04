/**
 * Resource bounds by construction: files whose headers claim gigabytes (or
 * 2^60 bytes) fail, or finish, without allocating or looping in proportion
 * to the claim. Asserts the outcome and that resident memory grows by less
 * than {@link RSS_BOUND}; never asserts on wall time.
 *
 * @module
 */

import { coconut, crateTdx, crateVbs, openvmmSnp } from "../measure_helpers.ts";
import { parseIgvm } from "../../lib/igvm/parser.ts";
import { serializeIgvm } from "../../lib/igvm/serializer.ts";
import { pageData, platform } from "../builder.ts";
import type { DirectiveHeader, IgvmFile, InitializationHeader } from "../../lib/igvm/types.ts";
import { IgvmFormatError, KeyError, MeasurementError } from "../../lib/errors.ts";
import { MAX_SYNTHESIZED_PAGES } from "../../lib/measure/crate_rules.ts";
import { parsePrivateKeyPem } from "../../lib/snp/keys.ts";
import { assertEquals, assertMatch, assertOk, assertThrowsMatch } from "../assert.ts";
import { fixCrc, walk } from "../fuzz_helpers.ts";

const MiB = 1024 * 1024;
/** Largest resident-memory growth a hostile file may cause. */
const RSS_BOUND = 64 * MiB;

/** Runs `fn` and asserts resident memory grew by less than the bound. */
function withinMemory<T>(label: string, fn: () => T): T {
  const before = Deno.memoryUsage().rss;
  const result = fn();
  const grown = Deno.memoryUsage().rss - before;
  assertOk(grown < RSS_BOUND, `${label}: rss grew by ${(grown / MiB).toFixed(1)} MiB`);
  return result;
}

function file(
  platformType: number,
  directives: DirectiveHeader[],
  initializations: InitializationHeader[] = [{
    type: "GuestPolicy",
    policy: 0x30000n,
    compatibilityMask: 1,
  }],
): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(platformType, 0x1)],
    initializations,
    directives: [pageData(0x1000n, 0x1, new Uint8Array(4096).fill(1)), ...directives],
  };
}

function hugeArea(index: number, numberOfBytes: bigint, gpa = 0x100000n): DirectiveHeader[] {
  return [
    { type: "ParameterArea", numberOfBytes, parameterAreaIndex: index, initialData: null },
    { type: "ParameterInsert", gpa, compatibilityMask: 0x1, parameterAreaIndex: index },
  ];
}

Deno.test("resource bounds: a parameter area of 2^60 bytes is refused at once by every crate measurement", () => {
  for (
    const [type, measure] of [[2, openvmmSnp], [3, crateTdx], [1, crateVbs]] as const
  ) {
    const bytes = serializeIgvm(file(type, hugeArea(0, 1n << 60n)));
    withinMemory(`platform ${type}`, () => {
      // The reference parser accepts the file (no initial data, size 4 KiB-aligned) ...
      const parsed = parseIgvm(bytes);
      // ... and its measurement would loop over 2^48 pages; ours refuses before the first one.
      assertThrowsMatch(
        () => measure(parsed),
        MeasurementError,
        /parameter area 0 claims 281474976710656 pages/,
      );
    });
  }
  // COCONUT measures one page per parameter insert, whatever the area's size.
  const parsed = parseIgvm(serializeIgvm(file(2, hugeArea(0, 1n << 60n))));
  assertEquals(coconut(parsed).digest.length, 48);
});

Deno.test("resource bounds: an area that claims terabytes fails without looping", () => {
  for (const n of [0x10000000000n, 0x7ffffffffffff000n]) {
    for (const [type, measure] of [[2, openvmmSnp], [3, crateTdx]] as const) {
      const parsed = parseIgvm(serializeIgvm(file(type, hugeArea(0, n, 0xfffffffff000n))));
      withinMemory(`platform ${type}, size 0x${n.toString(16)}`, () => {
        assertThrowsMatch(() => measure(parsed), MeasurementError, /claims \d+ pages/);
      });
    }
  }
});

Deno.test("resource bounds: an area that wraps past 2^64 measures nothing, at once", () => {
  // The crate's release build iterates an empty range (crate_wraparound_test.ts has the digest).
  const n = 0xfffffffffffff000n;
  for (const [type, measure] of [[2, openvmmSnp], [3, crateTdx]] as const) {
    const parsed = parseIgvm(serializeIgvm(file(type, hugeArea(0, n, 0xfffffffff000n))));
    withinMemory(`platform ${type}, size 0x${n.toString(16)}`, () => {
      assertEquals(measure(parsed).length, 48);
    });
  }
});

Deno.test("resource bounds: many medium parameter areas share one page budget", () => {
  const areaPages = BigInt(MAX_SYNTHESIZED_PAGES.snp / 16); // 20 of them exceed the budget
  const directives = Array.from(
    { length: 20 },
    (_, i) => hugeArea(i, areaPages * 4096n, BigInt(i) << 36n),
  ).flat();
  const parsed = parseIgvm(serializeIgvm(file(2, directives)));
  withinMemory("budget", () => {
    const e = assertThrowsMatch(
      () => openvmmSnp(parsed),
      MeasurementError,
      new RegExp(`parameter area 16 claims ${areaPages} pages`),
    );
    assertMatch(e.message, new RegExp(`at most ${MAX_SYNTHESIZED_PAGES.snp} pages`));
  });
  // Within the budget, the measurement finishes.
  const ok = parseIgvm(serializeIgvm(file(2, directives.slice(0, 2 * 2))));
  assertEquals(openvmmSnp(ok).length, 48);
});

Deno.test("resource bounds: a VBS error range of 4 GiB is refused at once", () => {
  // ErrorRange cannot be serialized (the crate's serializer has todo!() there): patch a
  // ParameterInsert (same 16-byte body size) into ERROR_RANGE {gpa, mask, size_bytes}.
  const bytes = serializeIgvm(file(1, hugeArea(0, 0x1000n), []));
  const insert = walk(bytes).headers.find((h) => h.type === 0x303)!;
  const v = new DataView(bytes.buffer);
  v.setUint32(insert.at, 0x30d, true);
  v.setUint32(insert.at + 8 + 12, 0xfffff000, true);
  fixCrc(bytes);
  const parsed = parseIgvm(bytes);
  assertEquals(parsed.directives.at(-1)!.type, "ErrorRange");
  withinMemory("error range", () => {
    assertThrowsMatch(
      () => crateVbs(parsed),
      MeasurementError,
      /error range at GPA 0x100000 claims 1048575 pages/,
    );
  });
});

Deno.test("resource bounds: size and length fields claiming gigabytes fail in the parser", () => {
  const base = serializeIgvm(file(2, hugeArea(0, 0x2000n)));
  const cases: Array<[string, (b: Uint8Array, v: DataView) => void, RegExp]> = [
    [
      "variable_header_size 0xFFFFFFF0",
      (_b, v) => v.setUint32(12, 0xfffffff0, true),
      /InvalidFixedHeader/,
    ],
    [
      "total_file_size 0xFFFFFFFF",
      (_b, v) => v.setUint32(16, 0xffffffff, true),
      /InvalidFixedHeader/,
    ],
    [
      "header length 0xFFFFFFFF",
      (b, v) => v.setUint32(walk(b).headers[0].at + 4, 0xffffffff, true),
      /InvalidVariableHeaderType/,
    ],
    [
      "parameter area 0xFFFFFFFF000 bytes at a file offset",
      (b, v) => {
        const h = walk(b).headers.find((x) => x.type === 0x301)!;
        v.setBigUint64(h.at + 8, 0xfffffffff000n, true);
        v.setUint32(h.at + 8 + 12, 0x1000, true);
      },
      /InvalidDataSize/,
    ],
  ];
  for (const [name, patch, code] of cases) {
    const b = base.slice();
    patch(b, new DataView(b.buffer));
    fixCrc(b);
    withinMemory(name, () => {
      const e = assertThrowsMatch(() => parseIgvm(b), IgvmFormatError) as IgvmFormatError;
      assertMatch(e.code, code, name);
    });
  }
});

Deno.test("resource bounds: a VBS VP context claiming 2^32-1 registers fails before reading them", () => {
  const ctx: DirectiveHeader = {
    type: "X64VbsVpContext",
    vtl: 0,
    registers: [{ name: 0x00020010, value: new Uint8Array(16) }],
    compatibilityMask: 0x1,
  };
  const b = serializeIgvm(file(1, [ctx], []));
  const h = walk(b).headers.find((x) => x.type === 0x304)!;
  const v = new DataView(b.buffer);
  const at = v.getUint32(h.at + 8 + 12, true);
  v.setUint32(at, 0xffffffff, true); // register_count (file data: CRC unchanged)
  withinMemory("vbs registers", () => {
    const e = assertThrowsMatch(() => parseIgvm(b), IgvmFormatError) as IgvmFormatError;
    assertEquals(e.code, "InvalidBinaryDirectiveHeader(InvalidDataSize)");
  });
});

Deno.test("resource bounds: serializing a built parameter area of 2^60 bytes fails without allocating it", () => {
  const built = file(2, [{
    type: "ParameterArea",
    numberOfBytes: 1n << 60n,
    parameterAreaIndex: 0,
    initialData: new Uint8Array([1]),
  }]);
  withinMemory("serialize", () => {
    const e = assertThrowsMatch(() => serializeIgvm(built), IgvmFormatError) as IgvmFormatError;
    assertEquals(e.code, "FileDataSectionTooLarge");
  });
});

Deno.test("resource bounds: thousands of relocation regions and VP contexts validate in linear work", () => {
  const n = 10000;
  const inits: InitializationHeader[] = Array.from({ length: n }, (_, i) => ({
    type: "RelocatableRegion",
    compatibilityMask: 1,
    relocationAlignment: 0x1000n,
    relocationRegionGpa: BigInt(n - i) * 0x2000n, // descending: worst case for a sorted insert
    relocationRegionSize: 0x1000n,
    minimumRelocationGpa: 0n,
    maximumRelocationGpa: 0x1000n,
    isVtl2: false,
    applyRipOffset: false,
    applyGdtrOffset: false,
    vpIndex: 0,
    vtl: 0,
  }));
  const value = new Uint8Array(16);
  const contexts: DirectiveHeader[] = Array.from({ length: n }, () => ({
    type: "X64VbsVpContext",
    vtl: 1,
    registers: [{ name: 0x00020010, value }],
    compatibilityMask: 1,
  }));
  const bytes = serializeIgvm(file(1, contexts, inits));
  withinMemory("relocations", () => {
    const e = assertThrowsMatch(() => parseIgvm(bytes), IgvmFormatError) as IgvmFormatError;
    assertEquals(e.code, "NoMatchingVpContext");
  });
  // One context of the right VTL satisfies them all.
  const ok = serializeIgvm(
    file(1, [...contexts, { ...contexts[0], vtl: 0 } as DirectiveHeader], inits),
  );
  assertEquals(parseIgvm(ok).initializations.length, n);
});

Deno.test("resource bounds: a 60 MB key file of BEGIN lines is refused without scanning it", () => {
  const flood = "-----BEGIN EC PRIVATE KEY-----\n".repeat(2_000_000);
  withinMemory("key", () => {
    assertThrowsMatch(() => parsePrivateKeyPem(flood), KeyError, /too large for a PEM key/);
  });
});

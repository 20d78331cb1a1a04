/**
 * `--fetch` against a KDS of the test's own on 127.0.0.1 (never AMD's): the
 * URLs asked for (those go-sev-guest and CCF assert for the real reports),
 * the cache folder, and failures (HTTP errors, oversized answers). Needs
 * `--allow-net=127.0.0.1` (as `deno task test` grants).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { derBlocks, encodePem } from "../lib/x509/pem.ts";
import { amdName, crl } from "./der_writer.ts";
import {
  AMD_CHAIN,
  AT_ARG,
  cli,
  makeReport,
  nonEmptyLines,
  REAL,
  tempFiles,
  testPki,
} from "./attestation_helpers.ts";

/** A tiny KDS: path+query → body (or a status), recording every request. */
async function withKds(
  routes: Record<string, Uint8Array | string | number>,
  fn: (base: string, asked: string[]) => Promise<void>,
): Promise<void> {
  const asked: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const u = new URL(req.url);
    const key = u.pathname + u.search;
    asked.push(key);
    const r = routes[key];
    if (r === undefined) return new Response("not found", { status: 404, statusText: "Not Found" });
    if (typeof r === "number") return new Response("no", { status: r });
    return new Response(typeof r === "string" ? r : r.slice());
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, asked);
  } finally {
    await server.shutdown();
  }
}

Deno.test("fetch: a real Milan report fetches its VCEK by the asserted URL, the cert_chain and the CRL", async () => {
  const c = REAL[0];
  const vcekDer = derBlocks(Deno.readFileSync(c.vcek), "CERTIFICATE")[0];
  const pki = await testPki();
  // No AMD-signed CRL is available offline: the test's CRL is refused (not signed by AMD's ARK).
  const forged = await crl({
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    signer: pki.keys.ark.privateKey,
  });
  await withKds({
    [c.kdsPath]: vcekDer,
    "/vcek/v1/Milan/cert_chain": Deno.readFileSync(AMD_CHAIN.Milan),
    "/vcek/v1/Milan/crl": forged,
  }, async (base, asked) => {
    const r = await cli([
      c.report,
      "report",
      "--fetch",
      "--kds-url",
      base,
      "--at",
      AT_ARG,
      "--json",
    ]);
    assertEquals(asked, [c.kdsPath, "/vcek/v1/Milan/cert_chain", "/vcek/v1/Milan/crl"]);
    const o = JSON.parse(r.stdout);
    assertEquals(r.code, 1);
    const failed = o.checks.filter((x: { status: string }) => x.status === "fail");
    assertEquals(failed.map((x: { name: string }) => x.name), ["revocation"]);
    assertMatch(
      failed[0].detail,
      /CRL of ARK-Milan \(http:\/\/127\.0\.0\.1:\d+\/vcek\/v1\/Milan\/crl\) is not signed by ARK-Milan/,
    );
    assertEquals(o.certificates[0].source, base + c.kdsPath);
    assertEquals(o.certificates[1].source, `${base}/vcek/v1/Milan/cert_chain`);
  });
});

Deno.test("fetch: a generated chain served by the test KDS verifies with --root; --cache answers the second run", async () => {
  const pki = await testPki();
  const report = await makeReport({}, pki.keys.leaf.privateKey);
  const chip = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff).toHex();
  const vcekPath = `/vcek/v1/Milan/${chip}?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115`;
  const crlDer = await crl({
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    nextUpdate: new Date("2026-07-01T00:00:00Z"),
    signer: pki.keys.ark.privateKey,
  });
  const dir = await tempFiles({ "r.bin": report, "ark.der": pki.ark });
  try {
    await withKds({
      [vcekPath]: pki.leaf,
      "/vcek/v1/Milan/cert_chain": encodePem("CERTIFICATE", pki.ask) +
        encodePem("CERTIFICATE", pki.ark),
      "/vcek/v1/Milan/crl": crlDer,
    }, async (base, asked) => {
      const args = [
        `${dir}/r.bin`,
        "report",
        "--fetch",
        "--kds-url",
        `${base}/`,
        "--cache",
        `${dir}/cache`,
        "--root",
        `${dir}/ark.der`,
        "--at",
        AT_ARG,
      ];
      const first = await cli(args);
      assertEquals(first.code, 0, first.stderr);
      assertMatch(first.stdout, /pass {2}revocation: not revoked/);
      assertEquals(asked.length, 3);
      assertEquals(
        Deno.readFileSync(
          `${dir}/cache/vcek/v1/Milan/${chip}/blSPL-3_teeSPL-0_snpSPL-8_ucodeSPL-115.der`,
        ),
        pki.leaf,
      );
      assertOk(Deno.statSync(`${dir}/cache/vcek/v1/Milan/cert_chain.pem`).isFile);
      assertEquals(Deno.readFileSync(`${dir}/cache/vcek/v1/Milan/crl.der`), crlDer);
      const second = await cli(args);
      assertEquals(second.code, 0, second.stderr);
      assertEquals(asked.length, 3, "everything came from the cache");
      // Past the cached CRL's nextUpdate, the CRL is fetched again (and is still stale: a failure).
      const later = await cli([...args.slice(0, -1), "2026-08-01T00:00:00Z"]);
      assertEquals(asked.slice(3), ["/vcek/v1/Milan/crl"]);
      assertEquals(later.code, 1);
      assertMatch(later.stderr, /revocation: .* out of date/);
      // A given --vcek and --crl are not fetched again.
      await Deno.writeFile(`${dir}/vcek.der`, pki.leaf);
      await Deno.writeFile(`${dir}/c.crl`, crlDer);
      const n = asked.length;
      const given = await cli([
        `${dir}/r.bin`,
        "report",
        "--fetch",
        "--kds-url",
        base,
        "--vcek",
        `${dir}/vcek.der`,
        "--crl",
        `${dir}/c.crl`,
        "--root",
        `${dir}/ark.der`,
        "--at",
        AT_ARG,
      ]);
      assertEquals(given.code, 0, given.stderr);
      assertEquals(asked.slice(n), ["/vcek/v1/Milan/cert_chain"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetch: HTTP errors, a closed port and oversized answers are one line naming the report and URL", async () => {
  const c = REAL[2];
  await withKds(
    { [c.kdsPath]: 429, "/vcek/v1/Turin/cert_chain": new Uint8Array((1 << 20) + 1) },
    async (base) => {
      const r = await cli([c.report, "report", "--fetch", "--kds-url", base]);
      assertEquals(r.code, 1);
      assertEquals(nonEmptyLines(r.stderr), [
        `Error: ${c.report}: cannot fetch ${base}${c.kdsPath}: HTTP 429 Too Many Requests (AMD's KDS limits requests: use --cache and retry later)`,
      ]);
      const dir = await tempFiles({});
      try {
        // With the VCEK given, the chain is fetched: its answer is too large.
        const big = await cli([c.report, "report", "--fetch", "--kds-url", base, "--vcek", c.vcek]);
        assertEquals(big.code, 1);
        assertMatch(
          big.stderr,
          /^Error: .*turin_attestation_report\.bin: .*\/vcek\/v1\/Turin\/cert_chain: answer .*larger than 1048576/,
        );
        const miss = await cli([
          c.report,
          "report",
          "--fetch",
          "--kds-url",
          base,
          "--vcek",
          c.vcek,
          "--chain",
          AMD_CHAIN.Turin,
        ]);
        assertMatch(miss.stderr, /cannot fetch .*\/vcek\/v1\/Turin\/crl: HTTP 404 Not Found/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
  const closed = await cli([c.report, "report", "--fetch", "--kds-url", "http://127.0.0.1:9"]);
  assertEquals(closed.code, 1);
  assertMatch(
    closed.stderr,
    /^Error: .*: cannot fetch http:\/\/127\.0\.0\.1:9\/vcek\/v1\/Turin\/59790fb1c39f35c1\?fmcSPL=1/,
  );
  assertEquals(nonEmptyLines(closed.stderr).length, 1);
  // A version 2 report cannot be located without --product.
  const v2 = await cli([REAL[3].report, "report", "--fetch", "--kds-url", "http://127.0.0.1:9"]);
  assertMatch(
    v2.stderr,
    /cannot locate the VCEK on the KDS: a version 2 report does not say which product/,
  );
});

Deno.test("fetch: an answer that is not a certificate is refused in one line and never cached", async () => {
  const c = REAL[0];
  const vcekDer = derBlocks(Deno.readFileSync(c.vcek), "CERTIFICATE")[0];
  const dir = await tempFiles({});
  try {
    const cache = `${dir}/cache`;
    const args = (base: string) => [
      c.report,
      "report",
      "--fetch",
      "--kds-url",
      base,
      "--cache",
      cache,
      "--at",
      AT_ARG,
    ];
    // A proxy's login page where the VCEK should be.
    await withKds({ [c.kdsPath]: "<html>please log in</html>" }, async (base) => {
      const r = await cli(args(base));
      assertEquals(r.code, 1);
      assertEquals(nonEmptyLines(r.stderr).length, 1, r.stderr);
      assertMatch(r.stderr, /^Error: .*: http:\/\/127\.0\.0\.1:\d+\/.*: not a usable answer: /);
      assertOk(!r.stderr.includes("    at "), "no stack trace");
    });
    // The next run asks again (the bad answer was not kept) and gets the VCEK.
    await withKds({
      [c.kdsPath]: vcekDer,
      "/vcek/v1/Milan/cert_chain": Deno.readFileSync(AMD_CHAIN.Milan),
      "/vcek/v1/Milan/crl": 404,
    }, async (base, asked) => {
      await cli(args(base));
      assertEquals(asked[0], c.kdsPath);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

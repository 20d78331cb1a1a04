/**
 * Where the `report` command takes its certificates from, end to end
 * (in-process through runCli): `--certs DIR` in snpguest's layout, `--chain`
 * with KDS's cert_chain, `--root` trusting a generated chain, `--crl`
 * revoking its ASK, `--at` past the leaf; and that main.ts loads the X.509
 * and attestation code only when a command needs it (not in its static
 * graph, and not read at start-up: deno.json's lazy dynamic imports).
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
  testPki,
  withTempFiles,
} from "./attestation_helpers.ts";

Deno.test("report CLI: --certs DIR in snpguest's layout (PEM or DER), and bad folders", async () => {
  const c = REAL[0];
  const [ask, ark] = derBlocks(Deno.readFileSync(AMD_CHAIN.Milan), "CERTIFICATE");
  const vcek = derBlocks(Deno.readFileSync(c.vcek), "CERTIFICATE")[0];
  await withTempFiles({
    "ark.pem": encodePem("CERTIFICATE", ark),
    "ask.pem": encodePem("CERTIFICATE", ask),
    "vcek.der": vcek,
  }, async (dir) => {
    const r = await cli([c.report, "report", "--certs", dir, "--at", AT_ARG, "--json"]);
    assertEquals(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assertEquals(o.certificates.map((x: { source: string }) => x.source), [
      `${dir}/vcek.der`,
      `${dir}/ask.pem`,
      `${dir}/ark.pem`,
    ]);
    await Deno.writeFile(`${dir}/ark.der`, ark);
    const both = await cli([c.report, "report", "--certs", dir]);
    assertEquals([both.code, both.stderr], [
      1,
      `Error: ${dir}: both ark.pem and ark.der exist; keep one\n`,
    ]);
  });
  await withTempFiles({ "readme.txt": "x" }, async (dir) => {
    const r = await cli([c.report, "report", "--certs", dir]);
    assertEquals([r.code, r.stderr], [
      1,
      `Error: ${dir}: has none of ark, ask, asvk, vcek, vlek, crl (.pem or .der)\n`,
    ]);
    const gone = await cli([c.report, "report", "--certs", `${dir}/nope`]);
    assertEquals([gone.code, gone.stderr], [
      1,
      `Error: ${dir}/nope: cannot read certificate folder: no such file\n`,
    ]);
  });
});

Deno.test("report CLI: --chain with KDS's cert_chain; another product's chain fails the chain check", async () => {
  const c = REAL[2];
  const ok = await cli([
    c.report,
    "report",
    "--vcek",
    c.vcek,
    "--chain",
    AMD_CHAIN.Turin,
    "--at",
    AT_ARG,
  ]);
  assertEquals(ok.code, 0, ok.stderr);
  assertOk(ok.stdout.includes(`ASK   CN=SEV-Turin (${AMD_CHAIN.Turin})`));
  const bad = await cli([
    c.report,
    "report",
    "--vcek",
    c.vcek,
    "--chain",
    AMD_CHAIN.Milan,
    "--at",
    AT_ARG,
  ]);
  assertEquals(bad.code, 1);
  assertMatch(
    bad.stderr,
    /^Error: .*: cert-chain: SEV-Milan \(.*ask_ark_milan\.pem\) did not issue SEV-VCEK/,
  );
});

Deno.test("report CLI: --root trusts a generated chain; --crl (DER or PEM) revoking its ASK fails; --at past the leaf", async () => {
  const pki = await testPki();
  const report = await makeReport({}, pki.keys.leaf.privateKey);
  const base = {
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    nextUpdate: new Date("2026-12-01T00:00:00Z"),
    signer: pki.keys.ark.privateKey,
  };
  const revoking = await crl({
    ...base,
    revoked: [{ serial: pki.askSerial, date: base.thisUpdate }],
  });
  const clean = encodePem("X509 CRL", await crl(base));
  await withTempFiles({
    "r.bin": report,
    "vcek.der": pki.leaf,
    "chain.pem": encodePem("CERTIFICATE", pki.ask) + encodePem("CERTIFICATE", pki.ark),
    "ark.der": pki.ark,
    "bad.crl": revoking,
    "good.crl": clean,
  }, async (d) => {
    const args = [
      `${d}/r.bin`,
      "report",
      "--vcek",
      `${d}/vcek.der`,
      "--chain",
      `${d}/chain.pem`,
      "--at",
      AT_ARG,
    ];
    const untrusted = await cli(args);
    assertEquals(untrusted.code, 1);
    assertMatch(untrusted.stderr, /cert-chain: ARK-Milan \(.*chain\.pem\) is not a trusted root/);
    const trusted = [...args, "--root", `${d}/ark.der`];
    assertEquals((await cli(trusted)).code, 0);
    assertEquals((await cli([...trusted, "--crl", `${d}/good.crl`])).code, 0);
    const revoked = await cli([...trusted, "--crl", `${d}/good.crl`, "--crl", `${d}/bad.crl`]);
    assertEquals(revoked.code, 1);
    assertEquals(nonEmptyLines(revoked.stderr).length, 1);
    assertMatch(
      revoked.stderr,
      /revocation: SEV-Milan \(.*chain\.pem\) \(serial 0x010001\) is revoked by the CRL of ARK-Milan \(.*bad\.crl\)/,
    );
    const expired = await cli([
      ...trusted.slice(0, -4),
      "--root",
      `${d}/ark.der`,
      "--at",
      "2030-01-01T00:00:01Z",
    ]);
    assertEquals(expired.code, 1);
    assertMatch(
      expired.stderr,
      /validity: at 2030-01-01T00:00:01Z: SEV-VCEK \(.*vcek\.der\) expired on 2030-01-01T00:00:00Z/,
    );
  });
});

/** Static imports of `file`, recursively (dynamic `import()` calls are not followed). */
function staticGraph(file: URL, seen = new Set<string>()): Set<string> {
  if (seen.has(file.href)) return seen;
  seen.add(file.href);
  const src = Deno.readTextFileSync(file);
  for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)) {
    if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue;
    staticGraph(new URL(m[1], file), seen);
  }
  return seen;
}

Deno.test("start-up: main.ts loads no X.509 or attestation code until a command needs it", () => {
  const graph = [...staticGraph(new URL("../main.ts", import.meta.url))];
  assertOk(
    graph.some((f) => f.endsWith("lib/cli/attestation_options.ts")),
    "option declarations are static",
  );
  const heavy = graph.filter((f) =>
    f.includes("/lib/x509/") || f.includes("/lib/verify/attestation/")
  );
  assertEquals(heavy, []);
});

Deno.test("start-up: deno run main.ts reads the modules behind dynamic imports only when they run", async () => {
  // deno.json's "unstable": ["lazy-dynamic-imports"]; Deno's debug log names each module it reads.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-L", "debug", "--allow-read", "main.ts", "--help"],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assertOk(out.success);
  const read = [
    ...new TextDecoder().decode(out.stderr).matchAll(/fetch_no_follow - specifier: (\S+?),?\s/g),
  ].map((m) => m[1]);
  assertOk(read.some((s) => s.endsWith("/lib/cli/run.ts")), "the debug log names the modules read");
  const deferred = read.filter((s) =>
    /\/lib\/(x509|verify|inspect)\/|\/lib\/cli\/(sign|verify|inspect|report)_command\.ts$|^npm:/
      .test(s)
  );
  assertEquals(deferred, []);
});

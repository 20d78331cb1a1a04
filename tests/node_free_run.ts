/**
 * Run by node_free_test.ts in a process of its own: records whether anything
 * reads the `process` global (which loads Deno's Node compatibility layer, as
 * `node:crypto` does), then runs the CLI with the arguments given and prints
 * its output and `node: loaded` or `node: not loaded`.
 */

const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
let loaded = false;
if (descriptor?.get === undefined) throw new Error("the process global is not a lazy getter here");
Object.defineProperty(globalThis, "process", {
  ...descriptor,
  get() {
    loaded = true;
    return descriptor.get!.call(this);
  },
});

const { runCli } = await import("../lib/cli/run.ts");
const out: string[] = [];
const code = await runCli(Deno.args, { stdout: (s) => out.push(s), stderr: (s) => out.push(s) });
console.log(out.join("").trim());
console.log(`exit ${code}, node: ${loaded ? "loaded" : "not loaded"}`);

/// <reference lib="dom" />
/**
 * The page's entry: wires the file inputs, drop zones, options, progress bar
 * and cancel button to a Web Worker (`worker.ts`) that does all the reading,
 * parsing, hashing and verifying, and renders what it answers. The worker's
 * code comes inside this script (`build.ts` puts it in `IGVM_WORKER_SOURCE`)
 * and is started from a `blob:` URL: starting a worker loads nothing, and
 * the worker runs under the page's Content-Security-Policy.
 *
 * State for automated checks: `main[data-state]` is `idle`, `measuring`,
 * `done`, `cancelled` or `error`.
 *
 * @module
 */

import type { Json } from "../lib/inspect/inspect_file.ts";
import type { DigestLine } from "../lib/inspect/inspect_text.ts";
import type { Reply, Request } from "./protocol.ts";
import { mapModel } from "./map_layout.ts";
import { renderMap } from "./map_view.ts";
import { inspectTextBlock, inspectView } from "./inspect_view.ts";
import { digestsView } from "./digests_view.ts";
import { verifyView } from "./verify_view.ts";

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => {
  const e = document.querySelector<T>(selector);
  if (e === null) throw new Error(`the page has no ${selector}`);
  return e;
};

const ui = {
  main: $("main"),
  igvm: $<HTMLInputElement>("input[data-input=igvm]"),
  report: $<HTMLInputElement>("input[data-input=report]"),
  vcek: $<HTMLInputElement>("input[data-input=vcek]"),
  nativeZero: $<HTMLInputElement>("#native-zero"),
  checkKvm: $<HTMLInputElement>("#check-kvm"),
  semantics: $<HTMLSelectElement>("#semantics"),
  progress: $<HTMLProgressElement>("#progress"),
  progressText: $("#progress-text"),
  cancel: $<HTMLButtonElement>("#cancel"),
  status: $("#status"),
  error: $("[data-error]"),
  digests: $("#digests"),
  map: $("#map"),
  inspect: $("#inspect"),
  verifyResult: $("[data-verify-result]"),
};

/** One IGVM file being measured (or measured) by one worker. */
interface Job {
  readonly worker: Worker;
  readonly file: File;
  info?: Json;
  digests?: readonly DigestLine[];
}

let job: Job | undefined;
let workerUrl: string | undefined;

function workerScript(): string {
  if (workerUrl) return workerUrl;
  const source = (globalThis as { IGVM_WORKER_SOURCE?: string }).IGVM_WORKER_SOURCE;
  if (typeof source !== "string") {
    throw new Error("this page was not built (run deno task web:build)");
  }
  workerUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return workerUrl;
}

function setState(state: string, status: string): void {
  ui.main.dataset.state = state;
  ui.status.textContent = status;
}

/** What the error shown is about: the IGVM file, or the report. */
let errorAbout: "measure" | "verify" = "measure";

function showError(line: string, about: "measure" | "verify" = "measure"): void {
  errorAbout = about;
  ui.error.textContent = line;
  ui.error.hidden = line === "";
}

function busy(on: boolean): void {
  ui.progress.hidden = !on;
  ui.progressText.hidden = !on;
  ui.cancel.hidden = !on;
  if (on) {
    ui.progress.removeAttribute("value"); // indeterminate until the first count
    ui.progressText.textContent = "";
  }
}

function section(box: HTMLElement, visible: boolean): void {
  box.closest("section")!.hidden = !visible;
}

function drawMap(): void {
  if (!job?.info) return;
  renderMap(ui.map, mapModel(job.info), ui.map.clientWidth || 900);
}

function measure(file: File): void {
  job?.worker.terminate();
  showError("");
  for (const box of [ui.digests, ui.map, ui.inspect]) {
    box.replaceChildren();
    section(box, false);
  }
  clearVerification();
  const worker = new Worker(workerScript(), { type: "module", name: "igvm-measure" });
  const current: Job = { worker, file };
  job = current;
  worker.onmessage = (e: MessageEvent<Reply>) => {
    if (job === current) onReply(current, e.data);
  };
  worker.onerror = (e: ErrorEvent) => {
    if (job !== current) return;
    e.preventDefault();
    fail(
      e.message
        ? `Error: ${file.name}: internal error: ${e.message}`
        : location.protocol === "file:"
        ? "Error: opened from disk (file://), this page cannot start its worker: serve the folder " +
          "(deno task web, or any static web server) and open it over http://"
        : `Error: ${file.name}: internal error: the page's worker did not start`,
    );
  };
  busy(true);
  setState("measuring", `Reading ${file.name}…`);
  post(worker, {
    type: "measure",
    file,
    nativeZero: ui.nativeZero.checked,
    checkKvm: ui.checkKvm.checked,
  });
}

function post(worker: Worker, request: Request): void {
  worker.postMessage(request);
}

function fail(line: string): void {
  busy(false);
  showError(line);
  setState("error", "");
}

function onReply(current: Job, reply: Reply): void {
  switch (reply.type) {
    case "inspected":
      current.info = reply.info;
      section(ui.map, true);
      section(ui.inspect, true);
      drawMap();
      ui.inspect.replaceChildren(inspectView(reply.info));
      setState("measuring", `Hashing ${current.file.name}…`);
      break;
    case "progress": {
      ui.progress.max = Math.max(1, reply.total);
      ui.progress.value = reply.done;
      const pct = reply.total ? Math.floor((100 * reply.done) / reply.total) : 100;
      ui.progressText.textContent = `${pct} % (${reply.done.toLocaleString("en")} of ` +
        `${reply.total.toLocaleString("en")} pages hashed)`;
      break;
    }
    case "digests":
      current.digests = reply.digests;
      busy(false);
      section(ui.digests, true);
      ui.digests.replaceChildren(digestsView(reply.digests, (t) => ui.status.textContent = t));
      ui.inspect.append(inspectTextBlock(current.file.name, current.info!, reply.digests));
      setState("done", `Measured ${current.file.name}.`);
      verify();
      break;
    case "verified":
      ui.verifyResult.replaceChildren(...verifyView(reply));
      ui.verifyResult.dataset.verified = String(reply.verified);
      break;
    case "error":
      if (reply.during === "measure") fail(reply.line);
      else {
        showError(reply.line, "verify");
        ui.verifyResult.replaceChildren(note(`Could not compare: ${reply.line}`));
      }
  }
}

function cancel(): void {
  if (!job || job.digests) return;
  job.worker.terminate();
  job = undefined;
  busy(false);
  setState(
    "cancelled",
    "Cancelled: the digests were not computed. Choose the file again to measure it.",
  );
  ui.igvm.focus();
}

function note(text: string): HTMLElement {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

function clearVerification(): void {
  delete ui.verifyResult.dataset.verified;
  ui.verifyResult.replaceChildren();
}

/** Compares the chosen report with the measured file, when both are there. */
function verify(): void {
  clearVerification();
  if (errorAbout === "verify") showError("");
  const report = ui.report.files?.[0];
  if (!report) return;
  if (!job) {
    ui.verifyResult.append(note("Choose the IGVM file above too: the report is compared with it."));
    return;
  }
  if (!job.digests) {
    ui.verifyResult.append(note("The report will be compared once the IGVM file is measured."));
    return;
  }
  ui.verifyResult.append(note("Comparing…"));
  post(job.worker, {
    type: "verify",
    report,
    vcek: ui.vcek.files?.[0],
    semantics: ui.semantics.value === "openvmm" ? "openvmm" : "coconut",
  });
}

/** Puts `files` into `input` (as if chosen there) and runs its change handler. */
function choose(input: HTMLInputElement, files: File[]): void {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  input.files = dt.files;
  input.dispatchEvent(new Event("change"));
}

/** A dropped certificate: PEM text or DER (a SEQUENCE with a long length). */
async function looksLikeCertificate(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 32).arrayBuffer());
  const text = new TextDecoder().decode(head);
  return text.includes("-----BEGIN") || (head[0] === 0x30 && head[1] === 0x82);
}

function dropZone(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

function wire(): void {
  // A file dropped outside the drop zones must not replace the page.
  addEventListener("dragover", (e) => e.preventDefault());
  addEventListener("drop", (e) => e.preventDefault());
  ui.igvm.addEventListener("change", () => {
    const file = ui.igvm.files?.[0];
    if (file) measure(file);
  });
  for (const option of [ui.nativeZero, ui.checkKvm]) {
    option.addEventListener("change", () => job && measure(job.file));
  }
  ui.cancel.addEventListener("click", cancel);
  for (const input of [ui.report, ui.vcek, ui.semantics]) {
    input.addEventListener("change", verify);
  }
  dropZone($("[data-drop=igvm]"), (files) => choose(ui.igvm, files.slice(0, 1)));
  dropZone($("[data-drop=verify]"), async (files) => {
    for (const f of files) {
      choose((await looksLikeCertificate(f)) ? ui.vcek : ui.report, [f]);
    }
  });
  let resize: ReturnType<typeof setTimeout> | undefined;
  addEventListener("resize", () => {
    clearTimeout(resize);
    resize = setTimeout(drawMap, 150);
  });
  setState("idle", "");
}

wire();

/**
 * The page's Web Worker: parses the chosen IGVM file through
 * {@link fileSource} (slices, never the whole file), sends what `inspect`
 * shows, then measures every digest with progress messages, and answers
 * verification requests about the same file. The page terminates the worker
 * to cancel; one worker serves one file.
 *
 * @module
 */

import { parseIgvm } from "../lib/igvm/parser.ts";
import { inspectFile } from "../lib/inspect/inspect_file.ts";
import { namingFile } from "../lib/errors.ts";
import { fileSource, readWhole } from "./file_source.ts";
import { digestLines } from "../lib/inspect/digest_lines.ts";
import { errorLine } from "./error_line.ts";
import { type MeasuredImage, verifyReport } from "./verify.ts";
import type { MeasureRequest, Reply, Request, VerifyRequest } from "./protocol.ts";

/** The parts of a dedicated worker's global scope used here. */
interface WorkerScope {
  postMessage(message: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;

/** Least time between two progress messages (ms): the page repaints no faster anyway. */
const PROGRESS_INTERVAL = 50;

let image: MeasuredImage | undefined;

function measure(request: MeasureRequest): void {
  const name = request.file.name;
  try {
    const file = namingFile(name, () => parseIgvm(fileSource(request.file)));
    scope.postMessage({ type: "inspected", info: inspectFile(file) });
    let last = 0;
    const digests = digestLines(file, {
      nativeZero: request.nativeZero,
      checkKvm: request.checkKvm,
      progress: (done, total) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL && done < total) return;
        last = now;
        scope.postMessage({ type: "progress", done, total });
      },
    });
    image = { name, file, digests, nativeZero: request.nativeZero };
    scope.postMessage({ type: "digests", digests });
  } catch (e) {
    scope.postMessage({ type: "error", during: "measure", line: errorLine(e, name) });
  }
}

async function verify(request: VerifyRequest): Promise<void> {
  if (image === undefined) {
    const line = "Error: no measured IGVM file to compare the report with";
    scope.postMessage({ type: "error", during: "verify", line });
    return;
  }
  try {
    const named = (f: File) => ({ name: f.name, bytes: readWhole(f) });
    scope.postMessage(
      await verifyReport(image, {
        report: named(request.report),
        vcek: request.vcek && named(request.vcek),
        semantics: request.semantics,
      }),
    );
  } catch (e) {
    scope.postMessage({ type: "error", during: "verify", line: errorLine(e, image.name) });
  }
}

scope.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request.type === "measure") measure(request);
  else void verify(request);
};

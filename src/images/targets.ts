// The labs a task works on: lab ids listed in an input, and/or the labs of a labs file. Checked without Azure.
import { labId, parseLabId } from "../azure/ids";
import { InputError } from "../errors";
import { parseLabsFile } from "./labs-file";
import { listEntries } from "./selection";

export interface TargetLab {
  subscriptionId: string;
  resourceGroup: string;
  labName: string;
  id: string;
  /** From the labs file (undefined = every image). */
  imagePaths?: string[];
  /** The input that named the lab, for errors. */
  input: string;
}

export interface TargetInputs {
  /** Lab ids, one per line or separated by commas. */
  labIds?: string;
  labsFile?: { path: string; text: string };
  names: { labIds: string; labsFile: string };
}

/**
 * The union of the listed labs and the labs file's labs, each once. A lab listed by id gets every image, even when
 * the labs file restricts it with ImagePaths.
 */
export function readTargetLabs(inputs: TargetInputs): TargetLab[] {
  const byId = new Map<string, TargetLab>();
  for (const entry of listEntries(inputs.labIds)) {
    if (!entry.startsWith("/")) {
      throw new InputError(inputs.names.labIds, `'${entry.slice(0, 80)}' is not a lab resource id. List lab ids (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.DevTestLab/labs/{lab}), one per line, or use a labs file.`);
    }
    const ref = parseLabId(entry, inputs.names.labIds);
    const id = labId(ref);
    byId.set(id.toLowerCase(), { ...ref, id, input: inputs.names.labIds });
  }
  if (inputs.labsFile) {
    for (const entry of parseLabsFile(inputs.labsFile.text, { input: inputs.names.labsFile, path: inputs.labsFile.path })) {
      if (byId.has(entry.id.toLowerCase())) continue;
      byId.set(entry.id.toLowerCase(), { ...entry, input: inputs.names.labsFile });
    }
  }
  return [...byId.values()];
}

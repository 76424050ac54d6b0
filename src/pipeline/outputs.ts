// Output variables. Always isOutput=true, so a later job or stage can read them as
// dependencies.<job>.outputs['<step>.<name>'] (Microsoft's DTL tasks set them without it).
import * as tl from "azure-pipelines-task-lib/task";
import { registerSecret } from "./secrets";

export interface TaskOutputs {
  /** Sets an output variable; a secret one is masked and only readable as a secret later. */
  set(name: string, value: string, options?: { secret?: boolean }): void;
  /** What was set in this run, for the summary. Secret values are not kept. */
  readonly values: ReadonlyMap<string, string>;
}

export function createTaskOutputs(): TaskOutputs {
  const values = new Map<string, string>();
  return {
    values,
    set(name, value, options = {}) {
      if (options.secret) registerSecret(value);
      // A value with a line break would end the logging command early and the rest would print as a log line.
      const single = value.replace(/\r\n|[\r\n]/g, " ");
      tl.setVariable(name, single, options.secret ?? false, true);
      values.set(name, options.secret ? "***" : single);
    },
  };
}

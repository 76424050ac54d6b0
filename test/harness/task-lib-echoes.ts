// task-lib's getters echo what they return in a debug line: tl.getVariable writes "<name>=<value>", tl.getInput
// "<input>=<value>", tl.getEndpointAuthorizationParameter "<id> auth param <key> = <value>" — secrets included,
// and a task cannot read them any other way. For values the agent masks from the job's start (secret variables,
// service connection credentials, inputs filled from them) those lines never show, so the leak check lets exactly
// these echoes through. A literal secret typed into an input is not masked by the agent: its echo stays a leak.
import type { VsoCommand } from "./commands";
import { toEnvName, type AgentMaskedValues } from "./env";

export function taskLibEchoesOfMaskedValues(
  commands: readonly VsoCommand[],
  masked: AgentMaskedValues,
  inputs: Record<string, string>,
): Set<VsoCommand> {
  const maskedValues = new Set([...Object.values(masked.variables), ...masked.endpointParameters.map((p) => p.value)]);
  const secretVariableByEnvName = new Map(Object.entries(masked.variables).map(([name, value]) => [toEnvName(name), value]));
  const inputByEnvName = new Map(Object.entries(inputs).map(([name, value]) => [toEnvName(name), value]));
  const echoes = new Set<VsoCommand>();
  for (const command of commands) {
    if (command.name !== "task.debug") continue;
    const data = command.data;
    const endpointEcho = /^(.+?) auth param (.+?) = (.*)$/s.exec(data);
    if (endpointEcho) {
      const [, endpoint = "", key = "", value] = endpointEcho;
      const known = masked.endpointParameters.some(
        (p) => p.endpoint.toLowerCase() === endpoint.toLowerCase() && p.key.toLowerCase() === key.toLowerCase() && p.value === value,
      );
      if (known) echoes.add(command);
      continue;
    }
    const eq = data.indexOf("=");
    if (eq <= 0) continue;
    const name = toEnvName(data.substring(0, eq));
    const value = data.substring(eq + 1);
    if (secretVariableByEnvName.get(name) === value || (inputByEnvName.get(name) === value && maskedValues.has(value))) {
      echoes.add(command);
    }
  }
  return echoes;
}

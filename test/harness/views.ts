// What the agent makes of a task's commands: the task result, variables, registered secrets, issues, progress and
// the rest. Rules follow the agent's command handlers, including the ones that surprise task authors:
// - task.complete results merge worst-wins (a later "Succeeded" does not undo "Failed"), and a result the agent
//   cannot parse (task-lib's "Cancelled" among them: the agent spells it "Canceled") fails the command, which
//   fails the task;
// - once a variable is secret, later writes to it stay secret;
// - flags are .NET Boolean.TryParse: "true"/"false" in any case, anything else is false.
import type { VsoCommand } from "./commands";

export const agentTaskResults = ["Succeeded", "SucceededWithIssues", "Failed", "Canceled", "Skipped", "Abandoned"] as const;
export type AgentTaskResult = (typeof agentTaskResults)[number];

export interface TaskCompletion {
  /** The result property as written (may be one the agent rejects). */
  result: string | undefined;
  message: string;
  done: boolean;
}

export interface TaskOutcome {
  /**
   * The task result the agent records from the commands: every task.complete merged worst-wins, Failed when a
   * command was rejected (see `commandErrors`), undefined when the task never called task.complete.
   */
  result: AgentTaskResult | undefined;
  /** Message of the last task.complete (what the agent shows as the current operation). */
  message: string | undefined;
  /** Every task.complete, in order. */
  completions: TaskCompletion[];
}

export interface SetVariable {
  name: string;
  value: string;
  isOutput: boolean;
  /** Secret as the agent sees it: issecret=true, or the variable was already secret. */
  isSecret: boolean;
  isReadOnly: boolean;
  command: VsoCommand;
}

export type SecretRegistration = "task.setsecret" | "task.setvariable" | "task.settaskvariable" | "task.setendpoint";

export interface RegisteredSecret {
  value: string;
  via: SecretRegistration;
  /** The variable or endpoint field it was registered through, if any. */
  name?: string;
  command: VsoCommand;
}

export interface Issue {
  type: string;
  message: string;
  source?: string;
  sourcePath?: string;
  lineNumber?: string;
  columnNumber?: string;
  code?: string;
  properties: Record<string, string>;
}

export interface Progress {
  /** The percentage, undefined when not a whole number. */
  value: number | undefined;
  text: string;
}

export interface Attachment {
  type: string | undefined;
  name: string | undefined;
  path: string;
}

export interface EndpointUpdate {
  id: string | undefined;
  field: string | undefined;
  key: string | undefined;
  value: string;
}

/** A command the agent would reject (it logs an error and fails the task). */
export interface CommandError {
  command: VsoCommand;
  reason: string;
}

export interface CommandViews {
  result: TaskOutcome;
  variables: SetVariable[];
  secretsRegistered: RegisteredSecret[];
  issues: Issue[];
  /** Messages of error issues, in order. */
  errors: string[];
  /** Messages of warning issues, in order. */
  warnings: string[];
  progress: Progress[];
  /** Paths given to task.uploadsummary (the runner adds their content). */
  summaryPaths: string[];
  debug: string[];
  logDetails: VsoCommand[];
  endpointUpdates: EndpointUpdate[];
  prependedPaths: string[];
  uploadedFiles: string[];
  attachments: Attachment[];
  /** Commands in an area or with an event the harness does not model (recorded, not judged). */
  otherCommands: VsoCommand[];
  commandErrors: CommandError[];
}

const severity: Record<AgentTaskResult, number> = {
  Succeeded: 0,
  SucceededWithIssues: 1,
  Failed: 2,
  Canceled: 3,
  Skipped: 4,
  Abandoned: 5,
};

/** .NET Enum.TryParse<TaskResult>: exact (case-sensitive) names or the numeric value. */
export function parseAgentTaskResult(text: string | undefined): AgentTaskResult | undefined {
  const trimmed = (text ?? "").trim();
  if (/^\d+$/.test(trimmed)) return agentTaskResults[Number(trimmed)];
  return agentTaskResults.find((name) => name === trimmed);
}

/** The agent's TaskResultUtil.MergeTaskResults: the worse result wins; anything worse than Failed sticks. */
export function mergeTaskResults(current: AgentTaskResult | undefined, coming: AgentTaskResult): AgentTaskResult {
  if (current === undefined) return coming;
  if (severity[current] > severity.Failed) return current;
  return severity[coming] >= severity[current] ? coming : current;
}

/** .NET Boolean.TryParse, with false for anything it rejects. */
export function parseAgentBoolean(text: string | undefined): boolean {
  return (text ?? "").trim().toLowerCase() === "true";
}

const variableKey = (name: string) => name.toLowerCase();

/**
 * Builds the views from the commands in output order. `secretVariableNames` are the variables the job already
 * holds as secret (the test's secret variables), so writes to them count as secret like the agent counts them.
 */
export function buildCommandViews(commands: readonly VsoCommand[], secretVariableNames: Iterable<string> = []): CommandViews {
  const views: CommandViews = {
    result: { result: undefined, message: undefined, completions: [] },
    variables: [],
    secretsRegistered: [],
    issues: [],
    errors: [],
    warnings: [],
    progress: [],
    summaryPaths: [],
    debug: [],
    logDetails: [],
    endpointUpdates: [],
    prependedPaths: [],
    uploadedFiles: [],
    attachments: [],
    otherCommands: [],
    commandErrors: [],
  };
  const secretVariables = new Set([...secretVariableNames].map(variableKey));
  const reject = (command: VsoCommand, reason: string) => views.commandErrors.push({ command, reason });
  const registerSecret = (command: VsoCommand, via: SecretRegistration, name?: string): void => {
    if (command.data === "") return; // the agent ignores an empty secret
    if (/[\r\n]/.test(command.data)) {
      reject(command, "secrets cannot contain multiple lines");
      return;
    }
    views.secretsRegistered.push({ value: command.data, via, ...(name !== undefined ? { name } : {}), command });
  };

  for (const command of commands) {
    const p = command.properties;
    switch (command.area.toLowerCase() === "task" ? command.event.toLowerCase() : undefined) {
      case "complete": {
        views.result.completions.push({ result: p.result, message: command.data, done: parseAgentBoolean(p.done) });
        views.result.message = command.data;
        const parsed = parseAgentTaskResult(p.result);
        if (p.result === undefined || p.result === "" || parsed === undefined) {
          reject(command, `invalid task result "${p.result ?? ""}" (the agent knows ${agentTaskResults.join(", ")})`);
        } else {
          views.result.result = mergeTaskResults(views.result.result, parsed);
        }
        break;
      }
      case "setvariable": {
        const name = p.variable;
        if (!name) {
          reject(command, "task.setvariable without a variable name");
          break;
        }
        const isSecret = parseAgentBoolean(p.issecret) || secretVariables.has(variableKey(name));
        if (isSecret) {
          const before = views.commandErrors.length;
          registerSecret(command, "task.setvariable", name);
          if (views.commandErrors.length > before) break;
          secretVariables.add(variableKey(name));
        }
        views.variables.push({
          name,
          value: command.data,
          isOutput: parseAgentBoolean(p.isoutput),
          isSecret,
          isReadOnly: parseAgentBoolean(p.isreadonly),
          command,
        });
        break;
      }
      case "settaskvariable":
        if (parseAgentBoolean(p.issecret)) registerSecret(command, "task.settaskvariable", p.variable);
        views.otherCommands.push(command);
        break;
      case "setsecret":
        registerSecret(command, "task.setsecret");
        break;
      case "issue":
      case "logissue": {
        const type = p.type;
        if (type === undefined) break; // the agent warns "Can't create TaskIssue" and records nothing
        const kind = type.toLowerCase();
        if (kind !== "error" && kind !== "warning") {
          reject(command, `issue type "${type}" is neither error nor warning`);
          break;
        }
        const issue: Issue = { type: kind, message: command.data, properties: p };
        if (p.source !== undefined) issue.source = p.source;
        if (p.sourcepath !== undefined) issue.sourcePath = p.sourcepath;
        if (p.linenumber !== undefined) issue.lineNumber = p.linenumber;
        if (p.columnnumber !== undefined) issue.columnNumber = p.columnnumber;
        if (p.code !== undefined) issue.code = p.code;
        views.issues.push(issue);
        (kind === "error" ? views.errors : views.warnings).push(command.data);
        break;
      }
      case "setprogress": {
        const value = p.value !== undefined && /^\s*-?\d+\s*$/.test(p.value) ? Number(p.value) : undefined;
        views.progress.push({ value, text: command.data });
        break;
      }
      case "uploadsummary":
        views.summaryPaths.push(command.data);
        break;
      case "debug":
        views.debug.push(command.data);
        break;
      case "logdetail":
        views.logDetails.push(command);
        break;
      case "setendpoint":
        views.endpointUpdates.push({ id: p.id, field: p.field, key: p.key, value: command.data });
        if ((p.field ?? "").toLowerCase() === "authparameter") registerSecret(command, "task.setendpoint", p.key);
        break;
      case "prependpath":
        if (command.data === "") reject(command, "task.prependpath without a path");
        else views.prependedPaths.push(command.data);
        break;
      case "uploadfile":
        views.uploadedFiles.push(command.data);
        break;
      case "addattachment":
        views.attachments.push({ type: p.type, name: p.name, path: command.data });
        break;
      default:
        views.otherCommands.push(command);
    }
  }
  if (views.commandErrors.length > 0) {
    views.result.result = mergeTaskResults(views.result.result, "Failed");
  }
  return views;
}

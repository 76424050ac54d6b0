// The agent harness: run a bundled task as the Azure Pipelines agent does and see what the agent would see.
//
//   import { forEachNode, runTask } from "../harness";
//   forEachNode((node) => {
//     it("deletes the VM", async () => {
//       const run = await runTask({ task: "LabVmDelete", node, inputs: { azureSubscription: id, LabVmId: vmId },
//         endpoints: [endpoint], env: { NODE_EXTRA_CA_CERTS: caCertPath } });
//       assert.equal(run.result.result, "Succeeded");
//     });
//   });
export { runTask, startTask, defaultTimeoutMs, TaskTimeoutError } from "./run";
export type { RunTaskOptions, TaskRunResult, TaskRunHandle, UploadedSummary } from "./run";
export { nodeRuntimes, nodeRuntime, forEachNode } from "./runtimes";
export type { NodeRuntime } from "./runtimes";
export {
  parseCommandLine,
  parseCommands,
  splitOutputLines,
  unescapeCommandValue,
  escapeCommandProperty,
  escapeCommandData,
  formatCommand,
} from "./commands";
export type { VsoCommand } from "./commands";
export { LineSplitter } from "./lines";
export type { OutputLine, OutputStream } from "./lines";
export { buildCommandViews, mergeTaskResults, parseAgentTaskResult, parseAgentBoolean, agentTaskResults } from "./views";
export type {
  AgentTaskResult,
  TaskOutcome,
  TaskCompletion,
  SetVariable,
  RegisteredSecret,
  Issue,
  Progress,
  Attachment,
  EndpointUpdate,
  CommandError,
  CommandViews,
} from "./views";
export { buildTaskEnvironment, createAgentFolders, defaultVariables, expandMacros, toEnvName, defaultCollectionUri } from "./env";
export type { ServiceEndpoint, TaskEnvironmentOptions, TaskEnvironment, AgentFolders } from "./env";
export { findSecretLeaks, maskSecrets, secretForms, describeLeaks, SecretLeakError } from "./secrets";
export type { SecretSource, SecretLeak, LeakForm } from "./secrets";
export { agentCancelDelays } from "./cancel";
export type { CancelDelays, CancellationRecord, SentSignal } from "./cancel";
export { readTaskJson, resolveInputs, findInput } from "./task-json";
export type { TaskJson, TaskJsonInput, InputValue } from "./task-json";
export { builtTask, repoRoot } from "./paths";
export { bundleTask } from "./bundle";
export type { BundledTask } from "./bundle";

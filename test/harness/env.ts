// The environment the agent gives a task's node process: inputs, service connections, variables and secrets,
// named and encoded as the agent names them, on top of the agent's own environment. Nothing the test process
// happens to carry under the agent's prefixes leaks in (a suite running inside a real pipeline has plenty).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { resolveInputs, findInput, type InputValue, type TaskJson } from "./task-json";
import type { SecretSource } from "./secrets";

export interface ServiceEndpoint {
  /** The connection's GUID: the value a connectedService input holds. */
  id: string;
  url: string;
  /** e.g. ServicePrincipal, ManagedServiceIdentity, WorkloadIdentityFederation. */
  scheme: string;
  /** Authorization parameters, e.g. serviceprincipalid, serviceprincipalkey, tenantid, authenticationType. */
  parameters?: Record<string, string>;
  /** Endpoint data, e.g. subscriptionId, environmentAuthorityUrl. */
  data?: Record<string, string>;
}

export interface TaskEnvironmentOptions {
  taskDefinition?: TaskJson;
  /** By input name or alias; values are strings as in YAML (numbers and booleans are stringified). */
  inputs?: Record<string, InputValue>;
  /** Inputs (by name or alias) whose values are secrets, for the leak check. */
  secretInputs?: string[];
  endpoints?: ServiceEndpoint[];
  /** Pipeline variables by name ("system.debug", "Build.BuildId", "myVar"); they override the defaults. */
  variables?: Record<string, string>;
  /** Secret pipeline variables by name: given as SECRET_<NAME> and listed in VSTS_SECRET_VARIABLES. */
  secrets?: Record<string, string>;
  /** Sets system.debug=true. */
  debug?: boolean;
  /** AccessToken of the SystemVssConnection endpoint (a random one when not given). */
  systemAccessToken?: string;
  /** The organisation URL (System.CollectionUri and the SystemVssConnection URL). */
  collectionUri?: string;
  /** Extra environment, applied last; undefined removes a variable (e.g. NODE_EXTRA_CA_CERTS: caCertPath). */
  env?: Record<string, string | undefined>;
}

export interface AgentFolders {
  workFolder: string;
  tempDirectory: string;
  buildDirectory: string;
  sourcesDirectory: string;
  artifactsDirectory: string;
  binariesDirectory: string;
}

export interface TaskEnvironment {
  env: Record<string, string>;
  /** Input name → value as given to the task (after alias mapping, defaults and $(macro) expansion). */
  inputs: Record<string, string>;
  /** Every variable the task sees, by its pipeline name. */
  variables: Record<string, string>;
  /** Values that must not be printed, for the leak check. */
  secrets: SecretSource[];
  /** The values the agent itself masks from the job's start (task-lib echoes them in debug lines). */
  agentMasked: AgentMaskedValues;
}

export interface AgentMaskedValues {
  /** Secret variables by name. */
  variables: Record<string, string>;
  /** Secret authorization parameters of every service connection, SystemVssConnection's AccessToken included. */
  endpointParameters: Array<{ endpoint: string; key: string; value: string }>;
}

/** Variable prefixes the agent owns; never inherited from the test process. */
const agentOwnedPrefixes = ["INPUT_", "ENDPOINT_", "SECRET_", "SECUREFILE_", "VSTS_", "SYSTEM_", "AGENT_", "BUILD_", "RELEASE_", "TASK_"];
const agentOwnedNames = ["SYSTEM", "TF_BUILD", "COMMAND_CORRELATION_ID"];

/** Authorization parameters that identify rather than authenticate; every other one is a secret. */
const publicEndpointParameters = new Set([
  "tenantid",
  "serviceprincipalid",
  "authenticationtype",
  "scope",
  "role",
  "accesstokentype",
  "msiclientid",
  "workloadidentityfederationissuer",
  "workloadidentityfederationsubject",
]);

export const defaultCollectionUri = "https://dev.azure.com/harness/";
export const defaultAgentVersion = "4.265.1";

/** The agent's env form of a name: "." and " " become "_", upper-cased. */
export function toEnvName(name: string): string {
  return name.replace(/[. ]/g, "_").toUpperCase();
}

/** Creates the agent's folder layout under a fresh root (the agent's _work folder). */
export function createAgentFolders(workFolder: string): AgentFolders {
  const folders: AgentFolders = {
    workFolder,
    tempDirectory: join(workFolder, "_temp"),
    buildDirectory: join(workFolder, "1"),
    sourcesDirectory: join(workFolder, "1", "s"),
    artifactsDirectory: join(workFolder, "1", "a"),
    binariesDirectory: join(workFolder, "1", "b"),
  };
  for (const dir of Object.values(folders)) mkdirSync(dir, { recursive: true });
  return folders;
}

/** The variables every job has, pointing at this run's folders. */
export function defaultVariables(folders: AgentFolders, taskJson: TaskJson | undefined, collectionUri: string): Record<string, string> {
  return {
    "Agent.Id": "1",
    "Agent.Name": "harness-agent",
    "Agent.Version": defaultAgentVersion,
    "Agent.OS": ({ linux: "Linux", darwin: "Darwin", win32: "Windows_NT" } as Record<string, string>)[process.platform] ?? process.platform,
    "Agent.OSArchitecture": process.arch === "arm64" ? "ARM64" : "X64",
    "Agent.JobName": "Job",
    "Agent.JobStatus": "Succeeded",
    "Agent.WorkFolder": folders.workFolder,
    "Agent.TempDirectory": folders.tempDirectory,
    "Agent.BuildDirectory": folders.buildDirectory,
    "Build.BuildId": "1",
    "Build.BuildNumber": "1",
    "Build.DefinitionName": "harness",
    "Build.SourcesDirectory": folders.sourcesDirectory,
    "Build.ArtifactStagingDirectory": folders.artifactsDirectory,
    "Build.BinariesDirectory": folders.binariesDirectory,
    "System.DefaultWorkingDirectory": folders.sourcesDirectory,
    "System.ArtifactsDirectory": folders.artifactsDirectory,
    "System.CollectionUri": collectionUri,
    "System.TeamFoundationCollectionUri": collectionUri,
    "System.TaskDefinitionsUri": collectionUri,
    "System.TeamProject": "harness",
    "System.TeamProjectId": randomUUID(),
    "System.HostType": "build",
    "System.ServerType": "Hosted",
    "System.Culture": "en-US",
    "System.JobId": randomUUID(),
    "System.PlanId": randomUUID(),
    "System.TimelineId": randomUUID(),
    "Task.DisplayName": taskJson?.friendlyName ?? taskJson?.name ?? "task",
  };
}

/** The agent's macro expansion of input values: $(name) of a known variable, one pass, unknown ones kept. */
export function expandMacros(value: string, variables: Record<string, string>): string {
  const byKey = new Map(Object.entries(variables).map(([name, v]) => [name.toLowerCase(), v]));
  return value.replace(/\$\(([^()]+)\)/g, (macro, name: string) => byKey.get(name.toLowerCase()) ?? macro);
}

/** Builds the task's environment. `folders` are this run's agent folders (see createAgentFolders). */
export function buildTaskEnvironment(options: TaskEnvironmentOptions, folders: AgentFolders): TaskEnvironment {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    const upper = name.toUpperCase();
    if (value === undefined || agentOwnedNames.includes(upper) || agentOwnedPrefixes.some((p) => upper.startsWith(p))) continue;
    env[name] = value;
  }
  const secrets: SecretSource[] = [];
  const agentMasked: AgentMaskedValues = { variables: Object.fromEntries(Object.entries(options.secrets ?? {})), endpointParameters: [] };
  const collectionUri = options.collectionUri ?? defaultCollectionUri;

  // Variables: defaults, then the test's, keyed case-insensitively like the agent's variable dictionary.
  const publicVariables = new Map<string, [string, string]>();
  const setPublic = (name: string, value: string) => publicVariables.set(name.toLowerCase(), [name, value]);
  for (const [name, value] of Object.entries(defaultVariables(folders, options.taskDefinition, collectionUri))) setPublic(name, value);
  if (options.debug) setPublic("System.Debug", "true");
  for (const [name, value] of Object.entries(options.variables ?? {})) setPublic(name, value);
  const secretVariables = Object.entries(options.secrets ?? {});
  const givenVariables = new Set(Object.keys(options.variables ?? {}).map((name) => name.toLowerCase()));
  for (const [name] of secretVariables) {
    if (givenVariables.has(name.toLowerCase())) throw new Error(`Variable "${name}" is given both as a variable and as a secret`);
    publicVariables.delete(name.toLowerCase());
  }
  for (const [name, value] of publicVariables.values()) env[toEnvName(name)] = value;
  env.VSTS_PUBLIC_VARIABLES = JSON.stringify([...publicVariables.values()].map(([name]) => name));
  for (const [name, value] of secretVariables) {
    env[`SECRET_${toEnvName(name)}`] = value;
    secrets.push({ label: `secret variable ${name}`, value });
  }
  env.VSTS_SECRET_VARIABLES = JSON.stringify(secretVariables.map(([name]) => name));
  const variables = Object.fromEntries([...[...publicVariables.values()], ...secretVariables]);

  // Inputs: alias → name, defaults, then macros expanded against the job's variables.
  const inputs = resolveInputs(options.taskDefinition, options.inputs);
  for (const [name, value] of Object.entries(inputs)) {
    inputs[name] = expandMacros(value, variables);
    env[`INPUT_${toEnvName(name)}`] = inputs[name];
  }
  for (const key of options.secretInputs ?? []) {
    const name = options.taskDefinition ? findInput(options.taskDefinition, key)?.name : key;
    const value = name === undefined ? undefined : inputs[name];
    if (value === undefined) throw new Error(`secretInputs names "${key}", which is not an input of the task`);
    secrets.push({ label: `secret input ${name}`, value });
  }

  // Service connections, plus the SystemVssConnection every job has.
  const systemAccessToken = options.systemAccessToken ?? randomBytes(26).toString("base64url");
  const endpoints: Array<ServiceEndpoint & { key: string }> = [
    ...(options.endpoints ?? []).map((endpoint) => ({ ...endpoint, key: endpoint.id })),
    { key: "SYSTEMVSSCONNECTION", id: "SystemVssConnection", url: collectionUri, scheme: "OAuth", parameters: { AccessToken: systemAccessToken } },
  ];
  for (const endpoint of endpoints) {
    const parameters = endpoint.parameters ?? {};
    env[`ENDPOINT_URL_${endpoint.key}`] = endpoint.url;
    env[`ENDPOINT_AUTH_${endpoint.key}`] = JSON.stringify({ parameters, scheme: endpoint.scheme });
    env[`ENDPOINT_AUTH_SCHEME_${endpoint.key}`] = endpoint.scheme;
    for (const [key, value] of Object.entries(parameters)) {
      env[`ENDPOINT_AUTH_PARAMETER_${endpoint.key}_${toEnvName(key)}`] = value;
      if (!publicEndpointParameters.has(key.toLowerCase())) {
        secrets.push({ label: `endpoint ${endpoint.id} parameter ${key}`, value });
        agentMasked.endpointParameters.push({ endpoint: endpoint.key, key, value });
      }
    }
    for (const [key, value] of Object.entries(endpoint.data ?? {})) env[`ENDPOINT_DATA_${endpoint.key}_${toEnvName(key)}`] = value;
  }

  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return { env, inputs, variables, secrets, agentMasked };
}

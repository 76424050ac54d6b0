// Test doubles for the environment domain: a lab's environments, repositories and deployments held in memory behind
// sinon stubs shaped like the SDK clients, and a staging store that records what it is asked to do.
import type { ArmTemplate, ArtifactSource, DtlEnvironment } from "@azure/arm-devtestlabs";
import type { DeploymentExtended } from "@azure/arm-resources";
import sinon from "sinon";
import type { AzureClients } from "../../../src/azure/clients";
import type { StagingStore } from "../../../src/environments";
import type { LabContext } from "../../../src/lab/context";
import { asyncItems, donePoller, FakeClock, notFound, recordingLog, type RecordingLog } from "../lab/fakes";

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const RG = "factory-rg";
export const LAB = "factory";
export const LAB_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.DevTestLab/labs/${LAB}`;
export const ME = "31000000-0000-4000-8000-000000000001";
export const OTHER = "31000000-0000-4000-8000-000000000002";
export const REPO = "Public Environment Repo";
export const TEMPLATE_ID = `${LAB_ID}/artifactSources/${REPO}/armTemplates/WebApp`;
export const envIdOf = (name: string, user = ME) => `${LAB_ID}/users/${user}/environments/${name}`;
export const rgIdOf = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${LAB}-${name}-123456`;

export interface FakeLabState {
  /** "user/name" (lower case) → environment. */
  environments: Map<string, DtlEnvironment>;
  deployments: Map<string, DeploymentExtended>;
  creates: number;
  deletes: number;
}

/** A lab in memory: environments (created Succeeded unless `createState` says otherwise), one repository, deployments. */
export function fakeLab(options: { createState?: (name: string, attempt: number) => string; deleteError?: (attempt: number) => unknown; createError?: (attempt: number) => unknown } = {}) {
  const state: FakeLabState = { environments: new Map(), deployments: new Map(), creates: 0, deletes: 0 };
  const key = (user: string, name: string) => `${user === "@me" ? ME : user}/${name}`.toLowerCase();
  const sources: ArtifactSource[] = [{ id: `${LAB_ID}/artifactsources/public environment repo`, name: REPO, displayName: "Public Environment Repo" }, { id: `${LAB_ID}/artifactsources/team`, name: "team", displayName: "Team templates" }];
  const templates: ArmTemplate[] = [{ id: TEMPLATE_ID, name: "WebApp", displayName: "Web App", contents: { parameters: { siteName: { type: "string" } }, resources: [] } }];
  const dtl = {
    labs: {
      get: sinon.stub().resolves({ id: LAB_ID, name: LAB, location: "westeurope", artifactsStorageAccount: `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RG}/providers/microsoft.storage/storageaccounts/afactory123` }),
      listBySubscription: sinon.stub().callsFake(() => asyncItems([{ id: LAB_ID, name: LAB, location: "westeurope" }])),
    },
    artifactSources: { list: sinon.stub().callsFake(() => asyncItems(sources)) },
    armTemplates: {
      list: sinon.stub().callsFake((_rg: string, _lab: string, source: string) => asyncItems(source === REPO ? templates : [])),
      get: sinon.stub().callsFake(async (_rg: string, _lab: string, source: string, name: string) => {
        const found = source === REPO ? templates.find((t) => t.name?.toLowerCase() === name.toLowerCase()) : undefined;
        if (!found) throw notFound();
        return found;
      }),
    },
    environments: {
      get: sinon.stub().callsFake(async (_rg: string, _lab: string, user: string, name: string) => {
        const found = state.environments.get(key(user, name));
        if (!found) throw notFound();
        return found;
      }),
      list: sinon.stub().callsFake((_rg: string, _lab: string, user: string) => asyncItems([...state.environments.entries()].filter(([k]) => user === "@all" || k.startsWith(`${(user === "@me" ? ME : user).toLowerCase()}/`)).map(([, e]) => e))),
      beginCreateOrUpdate: sinon.stub().callsFake(async (_rg: string, _lab: string, user: string, name: string, body: DtlEnvironment) => {
        state.creates++;
        const error = options.createError?.(state.creates);
        const environment: DtlEnvironment = {
          ...body,
          id: envIdOf(name, user === "@me" ? ME : user),
          name,
          resourceGroupId: rgIdOf(name),
          createdByUser: "pipeline",
          provisioningState: options.createState?.(name, state.creates) ?? "Succeeded",
        };
        state.environments.set(key(user, name), environment);
        if (!error) state.deployments.set(name.toLowerCase(), { id: `${rgIdOf(name)}/providers/Microsoft.Resources/deployments/${name}`, name, properties: { provisioningState: "Succeeded", outputs: { url: { type: "String", value: `https://${name}.example` } } } });
        return donePoller(environment, error);
      }),
      beginDelete: sinon.stub().callsFake(async (_rg: string, _lab: string, user: string, name: string) => {
        state.deletes++;
        const error = options.deleteError?.(state.deletes);
        if (!error) state.environments.delete(key(user, name));
        return donePoller<void>(undefined, error);
      }),
    },
  };
  const resources = {
    deployments: {
      listByResourceGroup: sinon.stub().callsFake(() => asyncItems([...state.deployments.values()])),
      beginCreateOrUpdate: sinon.stub().callsFake(async (_rg: string, name: string) => {
        const deployment: DeploymentExtended = { id: name, name, properties: { provisioningState: "Succeeded", outputs: { echoed: { type: "String", value: "ok" } } } };
        state.deployments.set(name.toLowerCase(), deployment);
        return donePoller(deployment);
      }),
      cancel: sinon.stub().resolves(),
      exportTemplate: sinon.stub().callsFake(async (_rg: string, name: string) => ({ template: { name, resources: [] } })),
    },
    deploymentOperations: { list: sinon.stub().callsFake(() => asyncItems([])) },
  };
  return { dtl, resources, state };
}

export type FakeLab = ReturnType<typeof fakeLab>;

export function environmentContext(lab: FakeLab, options: { signal?: AbortSignal; clock?: FakeClock; log?: RecordingLog } = {}): LabContext & { log: RecordingLog; clock: FakeClock } {
  const clients = { devTestLabs: () => lab.dtl, resources: () => lab.resources } as unknown as AzureClients;
  return { clients, signal: options.signal ?? new AbortController().signal, log: options.log ?? recordingLog(), clock: options.clock ?? new FakeClock(), pollIntervalMs: 1 };
}

/** A staging store that keeps blobs in memory and records the calls; `failUpload` fails the n-th upload. */
export function fakeStore(options: { failUpload?: number; onUpload?: () => void } = {}) {
  const blobs = new Map<string, string>();
  const containers = new Set<string>();
  const calls: string[] = [];
  let uploads = 0;
  const store: StagingStore = {
    accountName: "afactory123",
    containerUrl: (container) => `https://afactory123.blob.core.windows.net/${container}`,
    createContainer: async (container) => {
      calls.push(`create ${container}`);
      containers.add(container);
    },
    upload: async (container, blob, content) => {
      uploads++;
      options.onUpload?.();
      if (uploads === options.failUpload) throw new Error("upload failed");
      calls.push(`upload ${blob}`);
      blobs.set(`${container}/${blob}`, content.toString("utf8"));
    },
    deleteBlob: async (container, blob) => {
      calls.push(`delete ${blob}`);
      blobs.delete(`${container}/${blob}`);
    },
    deleteContainer: async (container) => {
      calls.push(`delete container ${container}`);
      containers.delete(container);
      // As in Azure, the container's blobs go with it.
      for (const key of [...blobs.keys()]) if (key.startsWith(`${container}/`)) blobs.delete(key);
    },
    readOnlySas: async () => {
      calls.push("sas");
      return "sv=2025-01-05&spr=https&sr=c&sp=r&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";
    },
  };
  return { store, blobs, containers, calls };
}

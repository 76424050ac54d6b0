// What each recording presumes and what the replay leaves out, stated as data.
// - setup: resources that existed before the recording started (made by the recorder's preparers or by earlier
//   runs), created through ARM before the replay. The replay seed (seed.json) supplies the rest: the recorded
//   subscription and tenant (scrubbed to the zero GUID), the lab labtest/cliautomationlab in westus, and a
//   principal whose object id is the recorded azure-cli user's, so "owner" filters and claims mean the same.
// - aliases: names the recorder rewrote in request URIs but not in the bodies and headers it recorded.
// - outOfScope: recorded requests the replay does not send, with the reason.
import type { RecordedExchange } from "./recordings";

export const recordedSubscription = "00000000-0000-0000-0000-000000000000";
export const recordedUserObjectId = "d44a2991-98c6-47c3-b59b-2b30d72cfcc2";

const lab = `/subscriptions/${recordedSubscription}/resourceGroups/labtest/providers/Microsoft.DevTestLab/labs/cliautomationlab`;
const dtlVersion = "2018-09-15";
const resourcesVersion = "2021-04-01";

export interface SetupRequest {
  method: "PUT" | "POST" | "PATCH";
  /** ARM path without query. */
  path: string;
  apiVersion: string;
  body?: unknown;
  /** Why the recording needs it. */
  why: string;
}

export interface Scenario {
  setup?: SetupRequest[];
  aliases?: Record<string, string>;
}

function labVm(name: string, properties: Record<string, unknown>, why: string): SetupRequest {
  return {
    method: "PUT",
    path: `${lab}/virtualmachines/${name}`,
    apiVersion: dtlVersion,
    why,
    body: {
      location: "westus",
      properties: {
        size: "Standard_DS1_v2",
        userName: "replayuser",
        password: "Replay-Passw0rd!",
        isAuthenticationWithSshKey: false,
        disallowPublicIpAddress: true,
        storageType: "Standard",
        galleryImageReference: { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" },
        ...properties,
      },
    },
  };
}

function customImageFromVm(name: string, vm: string, why: string): SetupRequest {
  return {
    method: "PUT",
    path: `${lab}/customimages/${name}`,
    apiVersion: dtlVersion,
    why,
    body: { properties: { vm: { sourceVmId: `${lab}/virtualmachines/${vm}`, linuxOsInfo: { linuxOsState: "NonDeprovisioned" } } } },
  };
}

function resourceGroup(name: string, why: string): SetupRequest {
  return { method: "PUT", path: `/subscriptions/${recordedSubscription}/resourcegroups/${name}`, apiVersion: resourcesVersion, body: { location: "westus" }, why };
}

export const scenarios: Record<string, Scenario> = {
  "azure-cli-test_lab_custom_image.yaml": {
    setup: [
      labVm("linuxvm1", { allowClaim: true }, "the recording starts by reading this existing claimable VM and captures an image from it"),
      customImageFromVm("cusimg1", "linuxvm1", "listed by the recording's custom image list"),
      customImageFromVm("image_cmdrg52nv", "linuxvm1", "listed by the recording's custom image list"),
    ],
  },
  "azure-cli-test_lab_environment_mgmt.yaml": {
    // azure-cli's recorder replaced the deployment name in URIs with "mock-deployment" but kept "lab_template" in
    // the response body and in the Azure-AsyncOperation URL.
    aliases: { lab_template: "mock-deployment" },
  },
  "azure-cli-test_lab_vm.yaml": {
    setup: [
      labVm("ubuntuvm5367", { allowClaim: false, ownerObjectId: recordedUserObjectId }, "owned by the recorded user: listed by the ownerObjectId filter"),
      labVm("linuxvm1", { allowClaim: false, ownerObjectId: recordedUserObjectId }, "owned by the recorded user: listed by the ownerObjectId filter"),
    ],
  },
  "test_mgmt_devtestlabs.pyTestMgmtDevTestLabstest_devtestlabs.json": {
    setup: [resourceGroup("47fa2cc0", "made by the SDK test's resource group preparer, outside the recording")],
  },
  "test_mgmt_devtestlabs.test_devtestlabs.yaml": {
    setup: [resourceGroup("test_mgmt_devtestlabs_test_devtestlabs34410fc3", "made by the SDK test's resource group preparer, outside the recording")],
  },
};

export interface OutOfScopeRule {
  reason: string;
  applies(exchange: RecordedExchange): boolean;
}

export const outOfScope: OutOfScopeRule[] = [
  {
    reason: "Entra ID sign-in of the recorded client: the replay signs in at the emulator's own token endpoint",
    applies: (exchange) => exchange.url.hostname.startsWith("login."),
  },
  {
    reason: "Microsoft Graph (azure-cli reads /v1.0/me for the owner filter): not part of the emulator",
    applies: (exchange) => exchange.url.hostname === "graph.microsoft.com",
  },
  {
    reason: "DTL hibernate: exists only in the unpublished 2018-10-15-preview API and is outside the emulator's scope (DESIGN: start, stop, restart, applyArtifacts, claim)",
    applies: (exchange) => /\/virtualmachines\/[^/]+\/hibernate$/i.test(exchange.url.pathname),
  },
  {
    reason: "answered 409 ScopeLocked because of a management lock on the recorder's resource group; Microsoft.Authorization locks are outside the emulator's scope",
    applies: (exchange) => exchange.status === 409 && (exchange.responseBody ?? "").includes('"ScopeLocked"'),
  },
];

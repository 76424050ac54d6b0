// The validator is real: starting from exchanges Azure really answered (which pass), each deliberate break of
// the swagger contract is reported, with the operation, the rule and where the spec states it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadRecording, recordingsDir } from "../emulator/replay/recordings";
import type { TrafficEntry } from "./entry";
import { exchangeAsEntry } from "./recorded-traffic";
import { formatReport } from "./report";
import { validateTraffic, type TrafficReport } from "./validate";

const customImageRecording = loadRecording(join(recordingsDir, "azure-cli-test_lab_custom_image.yaml"));

/** A recorded exchange as a traffic entry: 0 = VM GET, 1 = custom image PUT (201), 2 = operation status GET. */
function recorded(index: number): TrafficEntry {
  const exchange = customImageRecording.exchanges[index];
  if (exchange === undefined) throw new Error(`no exchange ${index}`);
  return exchangeAsEntry(exchange);
}

function withResponse(entry: TrafficEntry, change: (body: Record<string, unknown>) => void): TrafficEntry {
  const body = JSON.parse(entry.responseBody ?? "{}") as Record<string, unknown>;
  change(body);
  return { ...entry, responseBody: JSON.stringify(body) };
}

function properties(body: Record<string, unknown>): Record<string, unknown> {
  return body["properties"] as Record<string, unknown>;
}

async function check(entry: TrafficEntry): Promise<TrafficReport> {
  return validateTraffic([{ name: "broken", entries: [entry] }]);
}

function codes(report: TrafficReport): string[] {
  return report.violations.map((v) => `${v.side} ${v.code}${v.payloadPath ? ` ${v.payloadPath}` : ""}`);
}

describe("oav catches responses and requests that break the swagger", function () {
  this.timeout(60000);

  it("accepts the unmodified recorded exchanges", async function () {
    const report = await validateTraffic([{ name: "recorded", entries: [recorded(0), recorded(1), recorded(2)] }]);
    assert.equal(report.violations.length, 0, formatReport(report));
    assert.equal(report.validated, 3);
  });

  it("reports a VM missing its required properties object", async function () {
    const report = await check(withResponse(recorded(0), (body) => delete body["properties"]));
    assert.equal(report.violations.length, 1, formatReport(report));
    const [violation] = report.violations;
    assert.equal(violation?.operationId, "VirtualMachines_Get");
    assert.equal(violation?.side, "response");
    assert.match(violation?.message ?? "", /properties/);
  });

  it("reports a property of the wrong type", async function () {
    const report = await check(withResponse(recorded(0), (body) => (properties(body)["allowClaim"] = "yes")));
    assert.deepEqual(codes(report), ["response INVALID_TYPE $.properties.allowClaim"]);
    const [violation] = report.violations;
    assert.equal(violation?.schemaPath, "#/properties/allowClaim/type");
    assert.match(violation?.spec ?? "", /2018-09-15\/DTL\.json#\/definitions\/LabVirtualMachineProperties\/properties\/allowClaim/);
  });

  it("reports a value outside a closed enum (deployment mode)", async function () {
    // DTL's enums are all extensible (x-ms-enum modelAsString), which oav rightly does not enforce; Resources'
    // deployment mode is closed.
    const deployment = "/subscriptions/20000000-0000-4000-8000-000000000001/resourcegroups/factory-rg/providers/Microsoft.Resources/deployments/d1";
    const report = await check({
      method: "PUT",
      path: deployment,
      query: { "api-version": "2024-03-01" },
      status: 201,
      route: "arm",
      requestHeaders: { "content-type": "application/json" },
      requestBody: JSON.stringify({ properties: { mode: "Partial", template: {} } }),
      responseHeaders: { "content-type": "application/json; charset=utf-8", "azure-asyncoperation": "https://x/operationStatuses/1" },
      responseBody: JSON.stringify({ id: deployment, name: "d1", type: "Microsoft.Resources/deployments", properties: { mode: "Incremental", provisioningState: "Accepted" } }),
    });
    assert.deepEqual(codes(report), ["request ENUM_MISMATCH $.properties.mode"], formatReport(report));
    assert.equal(report.violations[0]?.operationId, "Deployments_CreateOrUpdate");
  });

  it("reports a property the swagger does not define", async function () {
    const report = await check(withResponse(recorded(0), (body) => (properties(body)["hibernationState"] = "Off")));
    assert.deepEqual(codes(report), ["response OBJECT_ADDITIONAL_PROPERTIES $.properties.hibernationState"]);
    assert.match(report.violations[0]?.message ?? "", /hibernationState/);
  });

  it("reports an undocumented status code", async function () {
    const report = await check({ ...recorded(0), status: 202 });
    assert.deepEqual(codes(report), ["response INVALID_RESPONSE_CODE"]);
  });

  it("reports an error body that is not ARM's {error: {code, message}}", async function () {
    const report = await check({ ...recorded(0), status: 404, responseBody: JSON.stringify({ code: "ResourceNotFound", message: "gone" }) });
    assert.deepEqual(codes(report).sort(), ["response OBJECT_ADDITIONAL_PROPERTIES $.code", "response OBJECT_ADDITIONAL_PROPERTIES $.message"]);
  });

  it("reports a wrongly typed operation status", async function () {
    const report = await check(withResponse(recorded(2), (body) => (body["status"] = 1)));
    assert.deepEqual(codes(report), ["response INVALID_TYPE $.status"]);
    assert.equal(report.violations[0]?.operationId, "Operations_Get");
  });

  it("reports a read-only property sent in a request", async function () {
    const entry = recorded(1);
    const body = JSON.parse(entry.requestBody ?? "{}") as Record<string, unknown>;
    properties(body)["provisioningState"] = "Succeeded";
    const report = await check({ ...entry, requestBody: JSON.stringify(body) });
    assert.deepEqual(codes(report), ["request READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST $.properties.provisioningState"]);
  });

  it("does not count a forbidden request the emulator rejected with 4xx, but does when it accepted it", async function () {
    const entry = recorded(1);
    const body = JSON.parse(entry.requestBody ?? "{}") as Record<string, unknown>;
    properties(body)["provisioningState"] = "Succeeded";
    const badRequest = JSON.stringify({ error: { code: "BadRequest", message: "provisioningState is read-only" } });
    const rejected = await check({ ...entry, requestBody: JSON.stringify(body), status: 400, responseBody: badRequest });
    assert.equal(rejected.violations.length, 0, formatReport(rejected));
    assert.deepEqual(rejected.rejected.map((v) => v.code), ["READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST"]);
    const malformed = await check({ ...entry, requestBody: "{not json", status: 400, responseBody: badRequest });
    assert.equal(malformed.violations.length, 0, formatReport(malformed));
    const accepted = await check({ ...entry, requestBody: "{not json" });
    assert.deepEqual(codes(accepted), ["request BODY_NOT_JSON"]);
    const badError = await check({ ...entry, requestBody: "{not json", status: 400, responseBody: JSON.stringify({ message: "bad" }) });
    assert.deepEqual(codes(badError), ["response OBJECT_ADDITIONAL_PROPERTIES $.message"], "the refusal itself is still validated");
  });

  it("reports a route no swagger operation has", async function () {
    const report = await check({ ...recorded(0), path: recorded(0).path.replace("/virtualmachines/", "/virtualmachinez/") });
    assert.deepEqual(codes(report), ["match OPERATION_NOT_FOUND_IN_CACHE"]);
  });

  it("reports an api-version the fixtures hold no swagger for", async function () {
    const report = await check({ ...recorded(0), query: { "api-version": "2099-01-01" } });
    assert.deepEqual(codes(report), ["match NO_SPEC_FOR_API_VERSION"]);
  });

  it("checks Resources 2025-03-01 (what @azure/arm-resources 6.1.0 sends) against the 2024-03-01 swagger", async function () {
    const resourceGroup: TrafficEntry = {
      method: "GET",
      path: "/subscriptions/20000000-0000-4000-8000-000000000001/resourcegroups/factory-rg",
      query: { "api-version": "2025-03-01" },
      status: 200,
      route: "arm",
      requestHeaders: {},
      responseHeaders: { "content-type": "application/json; charset=utf-8" },
      responseBody: JSON.stringify({
        id: "/subscriptions/20000000-0000-4000-8000-000000000001/resourceGroups/factory-rg",
        name: "factory-rg",
        type: "Microsoft.Resources/resourceGroups",
        properties: { provisioningState: "Succeeded" },
      }),
    };
    const report = await check(resourceGroup);
    assert.deepEqual(report.substitutions.map((s) => `${s.apiVersion} as ${s.validateAs}`), ["2025-03-01 as 2024-03-01"]);
    assert.deepEqual(codes(report), ["response OBJECT_MISSING_REQUIRED_PROPERTY $.location"], formatReport(report));
    assert.equal(report.violations[0]?.operationId, "ResourceGroups_Get");
  });

  it("checks Compute snapshots at 2025-01-02 (what @azure/arm-compute 23.3.0 sends) against the 2023-10-02 swagger", async function () {
    const snapshot = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap1";
    const entry: TrafficEntry = {
      method: "GET",
      path: snapshot,
      query: { "api-version": "2025-01-02" },
      status: 200,
      route: "arm",
      requestHeaders: {},
      responseHeaders: { "content-type": "application/json; charset=utf-8" },
      responseBody: JSON.stringify({
        id: snapshot,
        name: "snap1",
        type: "Microsoft.Compute/snapshots",
        location: "westeurope",
        properties: { creationData: { createOption: "Copy", sourceResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d" }, provisioningState: "Succeeded" },
      }),
    };
    const clean = await check(entry);
    assert.equal(clean.violations.length, 0, formatReport(clean));
    assert.deepEqual(Object.keys(clean.operations), ["Snapshots_Get [microsoft.compute 2025-01-02 as 2023-10-02]"]);
    const broken = await check({ ...entry, responseBody: JSON.stringify({ id: snapshot, name: "snap1", properties: { creationData: {} } }) });
    assert.deepEqual(codes(broken).sort(), ["response OBJECT_MISSING_REQUIRED_PROPERTY $.location", "response OBJECT_MISSING_REQUIRED_PROPERTY $.properties.creationData.createOption"]);
  });

  it("skips, and lists, traffic no official swagger describes", async function () {
    const base = recorded(0);
    const report = await validateTraffic([
      {
        name: "uncovered",
        entries: [
          { ...base, route: "token", method: "POST", path: "/tenant/oauth2/v2.0/token", query: {} },
          { ...base, path: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", query: { "api-version": "2023-09-01" } },
          { ...base, path: "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Resources/deployments/d/operationStatuses/123", query: { "api-version": "2024-03-01" } },
          // A resource group delete's Location: oav alone would take it for the generic /{resourceId} read.
          { ...base, status: 202, responseBody: undefined, path: "/subscriptions/s/operationresults/abc", query: { "api-version": "2025-03-01" } },
          { ...base, path: "/subscriptions", query: { "api-version": "2022-12-01" } },
          { ...base, status: 0 },
        ],
      },
    ]);
    assert.equal(report.violations.length, 0, formatReport(report));
    assert.deepEqual(report.skipped.map((group) => group.group).sort(), [
      "async-operation monitor URL",
      "fault: connection reset",
      "provider microsoft.network",
      "route token",
      "subscriptions and tenants listing",
    ]);
  });

  it("writes a report a person can act on: operation, request, rule and spec location", async function () {
    const report = await check(withResponse(recorded(0), (body) => (properties(body)["allowClaim"] = "yes")));
    const text = formatReport(report);
    assert.match(text, /VirtualMachines_Get \[microsoft\.devtestlab 2018-09-15\]: 1/);
    assert.match(text, /response INVALID_TYPE at \$\.properties\.allowClaim: Expected type boolean but found type string/);
    assert.match(text, /request: GET \/subscriptions\/.*\/virtualmachines\/linuxvm1\?api-version=2018-09-15 → 200/);
    assert.match(text, /schema: #\/properties\/allowClaim\/type in specification\/devtestlabs\/.*DTL\.json#\/definitions\/LabVirtualMachineProperties\/properties\/allowClaim \(line \d+\)/);
  });
});

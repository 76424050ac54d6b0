// The replay's judgement without an emulator: what counts as a mismatch, and how a recording becomes steps.
import assert from "node:assert/strict";
import { compareAnswer, compareFinalPoll, requestLeaves } from "./compare";
import type { HttpResponse } from "./http";
import { planReplay } from "./plan";
import type { RecordedExchange, Recording } from "./recordings";
import { outOfScope } from "./scenarios";

const vmId = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/lab/virtualmachines/vm";

function exchange(index: number, method: string, url: string, status: number, body?: unknown, headers: Record<string, string> = {}, requestBody?: unknown): RecordedExchange {
  return {
    index,
    method,
    url: new URL(url),
    requestHeaders: {},
    requestBody: requestBody === undefined ? undefined : JSON.stringify(requestBody),
    status,
    responseHeaders: headers,
    responseBody: body === undefined ? undefined : JSON.stringify(body),
  };
}

function answer(status: number, body?: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: body === undefined ? "" : JSON.stringify(body) };
}

const vm = { id: vmId.toLowerCase(), name: "vm", type: "Microsoft.DevTestLab/labs/virtualMachines", properties: { provisioningState: "Creating", size: "Standard_DS1_v2", allowClaim: true } };

describe("replay comparison", function () {
  it("accepts the same answer, ids compared without case, volatile properties ignored", function () {
    const recorded = exchange(0, "PUT", `https://management.azure.com${vmId}`, 201, vm, { "azure-asyncoperation": "https://x/op" }, { properties: { size: "Standard_DS1_v2", password: "p" } });
    const actual = answer(201, { ...vm, id: vmId, properties: { ...vm.properties, uniqueIdentifier: "other" } }, { "azure-asyncoperation": "https://y/op" });
    assert.deepEqual(compareAnswer(recorded, actual, requestLeaves(recorded.requestBody)), []);
  });

  it("reports status, LRO header presence, key properties and the properties the request set", function () {
    const recorded = exchange(0, "PUT", `https://management.azure.com${vmId}`, 201, vm, { "azure-asyncoperation": "https://x/op" }, { properties: { size: "Standard_DS1_v2" } });
    const actual = answer(200, { ...vm, name: "VM", properties: { provisioningState: "Succeeded", size: "Standard_B2s" } }, { location: "https://y/op", "retry-after": "1" });
    const fields = compareAnswer(recorded, actual, requestLeaves(recorded.requestBody)).map((d) => `${d.field}: ${d.recorded} → ${d.emulator}`);
    assert.deepEqual(fields, [
      "status code: 201 → 200",
      "azure-asyncoperation: present → absent",
      "location: absent → present",
      "retry-after: absent → present",
      "name: vm → VM",
      "properties.provisioningState: Creating → Succeeded",
      "properties.size: Standard_DS1_v2 → Standard_B2s",
    ]);
  });

  it("compares lists by the names they hold, and errors by code", function () {
    const list = exchange(0, "GET", `https://management.azure.com${vmId}s`, 200, { value: [{ name: "b" }, { name: "a" }] });
    assert.deepEqual(compareAnswer(list, answer(200, { value: [{ name: "a" }, { name: "b" }] }), []), []);
    assert.equal(compareAnswer(list, answer(200, { value: [{ name: "a" }] }), [])[0]?.field, "value[].name");
    const error = exchange(1, "GET", `https://management.azure.com${vmId}`, 404, { error: { code: "ResourceNotFound", message: "m" } });
    assert.deepEqual(compareAnswer(error, answer(404, { error: { code: "ResourceNotFound", message: "other words" } }), []), []);
    assert.equal(compareAnswer(error, answer(404, { error: { code: "NotFound", message: "m" } }), [])[0]?.field, "error.code");
  });

  it("flags a body where Azure sent none", function () {
    const recorded = exchange(0, "DELETE", `https://management.azure.com${vmId}`, 202, undefined, { "azure-asyncoperation": "a", location: "l" });
    assert.deepEqual(compareAnswer(recorded, answer(202, { status: "Running" }, { "azure-asyncoperation": "a", location: "l" }), []).map((d) => d.field), ["body"]);
  });

  it("judges a poll run by its final state and error code", function () {
    const last = exchange(5, "GET", "https://management.azure.com/op", 200, { status: "Failed", error: { code: "DeploymentFailed" } });
    assert.deepEqual(compareFinalPoll(last, answer(200, { status: "Failed", error: { code: "DeploymentFailed", message: "x" } })), []);
    assert.deepEqual(compareFinalPoll(last, answer(200, { status: "Succeeded" })).map((d) => d.field), ["status", "error.code"]);
  });
});

describe("replay plan", function () {
  const op = "https://management.azure.com/subscriptions/0/providers/Microsoft.DevTestLab/locations/westus/operations/1?api-version=2018-09-15";
  const hibernateOp = "https://management.azure.com/subscriptions/0/providers/Microsoft.DevTestLab/locations/westus/operations/2?api-version=2018-10-15-preview";
  const recording: Recording = {
    name: "r",
    file: "r",
    exchanges: [
      exchange(0, "PUT", `https://management.azure.com${vmId}?api-version=2018-09-15`, 201, vm, { "azure-asyncoperation": op }),
      exchange(1, "GET", `${op}&t=1`, 200, { status: "Running" }),
      exchange(2, "GET", `${op}&t=2`, 200, { status: "Running" }),
      exchange(3, "GET", `${op}&t=3`, 200, { status: "Succeeded" }),
      exchange(4, "GET", "https://graph.microsoft.com/v1.0/me", 200, {}),
      exchange(5, "POST", `https://management.azure.com${vmId}/hibernate?api-version=2018-10-15-preview`, 202, undefined, { "azure-asyncoperation": hibernateOp }),
      exchange(6, "GET", hibernateOp, 200, { status: "Succeeded" }),
      exchange(7, "GET", `https://management.azure.com${vmId}?api-version=2018-09-15`, 200, vm),
    ],
  };

  it("collapses a run of status polls, and leaves out what is out of scope with the polls it started", function () {
    const steps = planReplay(recording, {}, outOfScope).map((step) =>
      step.kind === "poll" ? `poll ${step.polls.map((p) => p.index).join(",")}` : `${step.kind} ${step.exchange.index}`,
    );
    assert.deepEqual(steps, ["send 0", "poll 1,2,3", "skip 4", "skip 5", "skip 6", "send 7"]);
  });

  it("applies the recorder's renames to URLs, bodies and headers", function () {
    const renamed: Recording = { name: "r", file: "r", exchanges: [exchange(0, "GET", "https://management.azure.com/x/lab_template?api-version=1", 200, { name: "lab_template" }, { "azure-asyncoperation": "https://management.azure.com/x/lab_template/operationStatuses/1" })] };
    const [step] = planReplay(renamed, { aliases: { lab_template: "mock-deployment" } }, []);
    assert.ok(step?.kind === "send");
    assert.equal(step.exchange.url.pathname, "/x/mock-deployment");
    assert.equal(step.exchange.responseBody, JSON.stringify({ name: "mock-deployment" }));
    assert.match(step.exchange.responseHeaders["azure-asyncoperation"] ?? "", /mock-deployment\/operationStatuses/);
  });
});

// The validator accepts what Azure really answered: every recorded exchange in test/fixtures/recordings is run
// through oav, and the only violations allowed are the listed differences between the real service (or its
// clients) and the swagger. The list is exact both ways: a new violation fails, and so does a known one that
// stops being reported (which would mean the validator stopped checking).
import assert from "node:assert/strict";
import { loadRecordings } from "../emulator/replay/recordings";
import { recordingAsTraffic } from "./recorded-traffic";
import { formatReport } from "./report";
import { validateTraffic, type TrafficReport } from "./validate";

/** Real traffic the swagger does not allow (reasons in known-differences.ts). Key: recording #index side code. */
const knownSpecServiceDifferences: Record<string, string> = {
  "azure-cli-test_lab_vm.yaml #81 match OPERATION_NOT_FOUND_IN_CACHE":
    "VirtualMachines hibernate exists only in DTL's unpublished 2018-10-15-preview API, not in the 2018-09-15 swagger",
  "test_mgmt_devtestlabs.pyTestMgmtDevTestLabstest_devtestlabs.json #14 request OBJECT_ADDITIONAL_PROPERTIES":
    "Labs_Update: the 2018-09-15 swagger's LabFragment allows only tags, yet the Python SDK sends properties and the service accepts them (200)",
  "test_mgmt_devtestlabs.test_devtestlabs.yaml #7 request OBJECT_ADDITIONAL_PROPERTIES": "the same Labs_Update PATCH, recorded by the older Python SDK",
};

describe("oav on the recorded real-service traffic", function () {
  this.timeout(120000);
  let report: TrafficReport;

  before(async function () {
    // The recordings' older api-versions are checked against the nearest swagger (coverage.ts apiVersionSubstitutes).
    report = await validateTraffic(loadRecordings().map(recordingAsTraffic));
  });

  it("reports exactly the known spec/service differences, each accepted by known-differences.ts", function () {
    assert.equal(report.violations.length, 0, formatReport(report));
    const found = [...new Set(report.accepted.map((v) => `${v.source} #${v.seq ?? "?"} ${v.side} ${v.code}`))].sort();
    assert.deepEqual(found, Object.keys(knownSpecServiceDifferences).sort(), formatReport(report));
  });

  it("fails the same traffic when the known differences are not accepted", async function () {
    const strict = await validateTraffic(loadRecordings().map(recordingAsTraffic), { knownDifferences: [] });
    assert.equal(strict.violations.length, Object.keys(knownSpecServiceDifferences).length, formatReport(strict));
  });

  it("does not count a request outside the swagger that the service rejected (hibernate of a missing VM: 404)", function () {
    assert.deepEqual(
      report.rejected.map((v) => `${v.source} #${v.seq ?? "?"} ${v.side} ${v.code} ${v.status}`),
      ["azure-cli-test_lab_vm.yaml #80 match OPERATION_NOT_FOUND_IN_CACHE 404"],
    );
  });

  it("validated the recorded ARM operations rather than skipping them", function () {
    assert.ok(report.validated >= 140, `only ${report.validated} of ${report.entries} entries validated\n${formatReport(report)}`);
    const operations = Object.keys(report.operations).map((key) => key.split(" ")[0]);
    for (const operation of [
      "Labs_CreateOrUpdate",
      "Labs_Get",
      "VirtualMachines_Get",
      "VirtualMachines_Delete",
      "Labs_CreateEnvironment",
      "CustomImages_CreateOrUpdate",
      "Operations_Get",
      "ResourceGroups_CreateOrUpdate",
      "Deployments_CreateOrUpdate",
      "Secrets_CreateOrUpdate",
    ]) {
      assert.ok(operations.includes(operation), `${operation} was not validated`);
    }
  });

  it("skips only traffic no ARM swagger describes (Entra ID, Graph, deployment status monitors)", function () {
    assert.deepEqual(report.skipped.map((group) => group.group).sort(), ["async-operation monitor URL", "route entra", "route graph"]);
  });
});

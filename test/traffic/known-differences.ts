// Differences between the official swagger and what Azure and its own clients really do, found by validating
// the recorded real traffic (recordings.test.ts). A violation matching one is reported as accepted, with its
// reason, instead of failing the run. Keep each entry as narrow as the evidence: operation, side, code and path.
import type { Violation } from "./validate";

export interface KnownDifference {
  operationId?: string;
  side: Violation["side"];
  code: string;
  payloadPath?: string;
  /** Matched against the request line (METHOD /path?query) when given. */
  request?: RegExp;
  reason: string;
}

export const knownDifferences: readonly KnownDifference[] = [
  {
    operationId: "Labs_Update",
    side: "request",
    code: "OBJECT_ADDITIONAL_PROPERTIES",
    payloadPath: "$.properties",
    reason:
      "DTL 2018-09-15 swagger: LabFragment (the PATCH body) declares only tags, yet the Python SDK sends properties " +
      "(labStorageType) and the service applies them with 200 (test_mgmt_devtestlabs recordings)",
  },
  {
    side: "match",
    code: "OPERATION_NOT_FOUND_IN_CACHE",
    request: /^POST \S*\/virtualmachines\/[^/]+\/hibernate\?/i,
    reason: "DTL hibernate exists only in the unpublished 2018-10-15-preview API, which azure-cli calls (azure-cli-test_lab_vm recording)",
  },
];

export function knownDifferenceFor(violation: Violation, known: readonly KnownDifference[]): KnownDifference | undefined {
  return known.find(
    (difference) =>
      difference.side === violation.side &&
      difference.code === violation.code &&
      (difference.operationId === undefined || difference.operationId === violation.operationId) &&
      (difference.payloadPath === undefined || difference.payloadPath === violation.payloadPath) &&
      (difference.request === undefined || difference.request.test(violation.request)),
  );
}

// ARM's error envelope and the errors the emulated services give, worded as Azure words them
// (texts taken from recorded responses where a recording has them).

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ArmErrorBody[],
  ) {
    super(message);
  }

  get body(): ArmErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** The HTTP reason phrase ARM uses as the code of a deployment operation that failed synchronously. */
export function statusText(status: number): string {
  const names: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
  };
  return names[status] ?? `Status${status}`;
}

export const errors = {
  missingApiVersion: () =>
    new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."),

  noRegisteredProvider: (location: string, apiVersion: string, type: string, supported: readonly string[]) =>
    new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}'. ` +
        `The supported api-versions are '${supported.join(", ")}'. The supported locations are '${location}'.`,
    ),

  invalidResourceNamespace: (namespace: string) =>
    new ArmError(400, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`),

  invalidResourceType: (type: string, namespace: string, apiVersion: string) =>
    new ArmError(
      400,
      "InvalidResourceType",
      `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
    ),

  /** typeAndNames like "Microsoft.DevTestLab/labs/lab1/virtualMachines/vm1" (canonical type casing, names as requested). */
  resourceNotFound: (typeAndNames: string, resourceGroup: string) =>
    new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${typeAndNames}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),

  parentResourceNotFound: (parent: string) =>
    new ArmError(
      404,
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${parent}' not found.`,
    ),

  resourceGroupNotFound: (name: string) =>
    new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`),

  subscriptionNotFound: (id: string) => new ArmError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`),

  deploymentNotFound: (name: string) => new ArmError(404, "DeploymentNotFound", `Deployment '${name}' could not be found.`),

  invalidRequestContent: (detail: string) =>
    new ArmError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: '${detail}'.`),

  invalidResourceName: (name: string, rule: string) =>
    new ArmError(400, "InvalidResourceName", `The resource name '${name}' is invalid. ${rule}`),

  notInValidState: (name: string, state: string, operation: string) =>
    new ArmError(409, "ResourceIsNotInValidState", `Resource '${name}' is not in a valid state '${state}' for operation '${operation}'.`),

  conflict: (message: string) => new ArmError(409, "Conflict", message),

  badRequest: (code: string, message: string) => new ArmError(400, code, message),

  operationNotFound: (id: string) => new ArmError(404, "NotFound", `The operation '${id}' could not be found.`),

  noRoute: (method: string, path: string) =>
    new ArmError(404, "NotFound", `No HTTP resource was found that matches the request URI '${method} ${path}'.`),

  methodNotAllowed: (method: string) =>
    new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`),
};

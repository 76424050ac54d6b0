// Functions about the deployment itself: parameters, variables, copyIndex, deployment, environment,
// resourceGroup, subscription.
import { ExpressionError, inner } from "../errors";
import { type Json, type JsonObject } from "../values";
import { fail, int, str } from "./args";
import type { TemplateFunction } from "./types";

/** environment() for AzureCloud, as ARM documents it. */
const AZURE_CLOUD: JsonObject = {
  name: "AzureCloud",
  gallery: "https://gallery.azure.com/",
  graph: "https://graph.windows.net/",
  portal: "https://portal.azure.com",
  graphAudience: "https://graph.windows.net/",
  activeDirectoryDataLake: "https://datalake.azure.net/",
  batch: "https://batch.core.windows.net/",
  media: "https://rest.media.azure.net",
  sqlManagement: "https://management.core.windows.net:8443/",
  vmImageAliasDoc: "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
  resourceManager: "https://management.azure.com/",
  authentication: {
    loginEndpoint: "https://login.microsoftonline.com/",
    audiences: ["https://management.core.windows.net/", "https://management.azure.com/"],
    tenant: "common",
    identityProvider: "AAD",
  },
  suffixes: {
    acrLoginServer: ".azurecr.io",
    azureDatalakeAnalyticsCatalogAndJob: "azuredatalakeanalytics.net",
    azureDatalakeStoreFileSystem: "azuredatalakestore.net",
    azureFrontDoorEndpointSuffix: "azurefd.net",
    keyvaultDns: ".vault.azure.net",
    sqlServerHostname: ".database.windows.net",
    storage: "core.windows.net",
  },
};

export const deploymentFunctions: TemplateFunction[] = [
  { name: "parameters", minArgs: 1, maxArgs: 1, evaluate: ([name], call) => call.ctx.state.parameter(str(call.name, name as Json)) },
  {
    name: "variables",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([name], call) => {
      // Parameters are bound before variables exist.
      if (call.ctx.site === "parameterDefault") throw new ExpressionError(inner.functionNotExpected(call.name));
      return call.ctx.state.variable(str(call.name, name as Json));
    },
  },
  {
    name: "copyIndex",
    minArgs: 0,
    maxArgs: 2,
    evaluate: (args, call) => {
      // copyIndex(), copyIndex(offset), copyIndex(loopName) or copyIndex(loopName, offset).
      const [first, second] = args;
      const loopName = typeof first === "string" ? first : undefined;
      if (loopName === undefined && second !== undefined) return fail(call.name, "the loop name must come before the offset.");
      const offsetArg = loopName === undefined ? first : second;
      const offset = offsetArg === undefined ? 0 : int(call.name, offsetArg);
      const frames = call.ctx.copy;
      if (frames.length === 0) {
        throw new ExpressionError(inner.functionNotExpected(call.name, "The function can only be used in a resource with copy specified."));
      }
      const frame =
        loopName === undefined
          ? ([...frames].reverse().find((f) => f.kind === "resource" || f.kind === "output") ?? frames[frames.length - 1])
          : [...frames].reverse().find((f) => f.name.toLowerCase() === loopName.toLowerCase());
      if (!frame) throw new ExpressionError(`The provided copy name '${loopName ?? ""}' doesn't exist in the resource.`);
      return frame.index + offset;
    },
  },
  {
    name: "deployment",
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, { ctx }) => {
      const { scope, template } = ctx.state;
      const properties: JsonObject = {};
      if (scope.templateLink) properties.templateLink = { ...scope.templateLink };
      properties.template = { contentVersion: (template.contentVersion as Json | undefined) ?? "1.0.0.0" };
      if (typeof template.$schema === "string") (properties.template as JsonObject).$schema = template.$schema;
      properties.parameters = ctx.state.parameterValues();
      properties.mode = scope.mode ?? "Incremental";
      properties.provisioningState = "Accepted";
      return { name: scope.deploymentName, properties };
    },
  },
  { name: "environment", minArgs: 0, maxArgs: 0, evaluate: () => structuredClone(AZURE_CLOUD) },
  {
    name: "resourceGroup",
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, { ctx }) => {
      const { scope } = ctx.state;
      const group: JsonObject = {
        id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroupName}`,
        name: scope.resourceGroupName,
        type: "Microsoft.Resources/resourceGroups",
        location: scope.resourceGroupLocation,
      };
      // Like ARM, tags appear only when the group has them.
      if (scope.resourceGroupTags) group.tags = { ...scope.resourceGroupTags };
      group.properties = { provisioningState: "Succeeded" };
      return group;
    },
  },
  {
    name: "subscription",
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, { ctx }) => {
      const { scope } = ctx.state;
      return {
        id: `/subscriptions/${scope.subscriptionId}`,
        subscriptionId: scope.subscriptionId,
        tenantId: scope.tenantId,
        displayName: scope.subscriptionDisplayName ?? scope.subscriptionId,
      };
    },
  },
];

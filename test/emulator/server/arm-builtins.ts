// The ARM endpoints that belong to the platform rather than to a resource provider: subscriptions, tenants,
// the provider list, locations, and the cloud metadata endpoint. Answered from the directory.
import type { CallerIdentity } from "../core/contracts";
import type { Directory } from "../identity/directory";
import { json, type Reply } from "./http";

const locations = ["westeurope", "northeurope", "eastus", "eastus2", "westus", "westus2", "centralus", "uksouth"];
const displayNames: Record<string, string> = {
  westeurope: "West Europe", northeurope: "North Europe", eastus: "East US", eastus2: "East US 2",
  westus: "West US", westus2: "West US 2", centralus: "Central US", uksouth: "UK South",
};

const providers: Array<{ namespace: string; types: Array<[string, string[]]> }> = [
  { namespace: "Microsoft.DevTestLab", types: [["labs", ["2018-09-15", "2016-05-15"]], ["labs/virtualmachines", ["2018-09-15", "2016-05-15"]], ["labs/customimages", ["2018-09-15"]], ["labs/users/environments", ["2018-09-15"]], ["locations/operations", ["2018-09-15"]]] },
  { namespace: "Microsoft.Resources", types: [["deployments", ["2024-03-01", "2022-09-01", "2021-04-01"]], ["resourceGroups", ["2024-03-01", "2022-09-01", "2021-04-01"]], ["deployments/operations", ["2024-03-01", "2021-04-01"]]] },
  { namespace: "Microsoft.Compute", types: [["snapshots", ["2023-10-02", "2023-04-02"]], ["images", ["2024-07-01", "2023-09-01"]], ["galleries", ["2023-07-03", "2022-03-03"]], ["galleries/images", ["2023-07-03", "2022-03-03"]], ["galleries/images/versions", ["2023-07-03", "2022-03-03"]]] },
  { namespace: "Microsoft.VirtualMachineImages", types: [["imageTemplates", ["2024-02-01", "2022-07-01"]]] },
  { namespace: "Microsoft.Storage", types: [["storageAccounts", ["2023-05-01", "2023-01-01"]]] },
];

export function listSubscriptions(directory: Directory, caller: CallerIdentity): Reply {
  const value = directory.seed.subscriptions
    .filter((subscription) => subscription.tenantId.toLowerCase() === caller.tenantId.toLowerCase() && directory.canAccess(caller.objectId, subscription.id))
    .map((subscription) => subscriptionBody(subscription.id, subscription.tenantId, subscription.displayName));
  return json(200, { value, count: { type: "Total", value: value.length } });
}

export function getSubscription(directory: Directory, subscriptionId: string): Reply {
  const subscription = directory.subscription(subscriptionId);
  if (!subscription) return json(404, { error: { code: "SubscriptionNotFound", message: `The subscription '${subscriptionId}' could not be found.` } });
  return json(200, subscriptionBody(subscription.id, subscription.tenantId, subscription.displayName));
}

function subscriptionBody(id: string, tenantId: string, displayName: string): unknown {
  return {
    id: `/subscriptions/${id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: id,
    tenantId,
    displayName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

export function listTenants(directory: Directory, caller: CallerIdentity): Reply {
  const tenant = directory.tenant(caller.tenantId);
  const value = tenant
    ? [{ id: `/tenants/${tenant.id}`, tenantId: tenant.id, countryCode: "US", displayName: tenant.displayName, domains: [tenant.defaultDomain], tenantCategory: "Home", defaultDomain: tenant.defaultDomain, tenantType: "AAD" }]
    : [];
  return json(200, { value });
}

/** `GET /providers` (tenant level) or `GET /subscriptions/{id}/providers[/{namespace}]`. */
export function listProviders(subscriptionId: string | undefined, namespace?: string): Reply {
  const prefix = subscriptionId ? `/subscriptions/${subscriptionId}` : "";
  const bodies = providers.map((provider) => ({
    id: `${prefix}/providers/${provider.namespace}`,
    namespace: provider.namespace,
    ...(subscriptionId ? { registrationState: "Registered", registrationPolicy: "RegistrationRequired" } : {}),
    resourceTypes: provider.types.map(([resourceType, apiVersions]) => ({ resourceType, locations: locations.map((name) => displayNames[name] ?? name), apiVersions })),
  }));
  if (namespace === undefined) return json(200, { value: bodies });
  const found = bodies.find((body) => body.namespace.toLowerCase() === namespace.toLowerCase());
  return found ? json(200, found) : json(404, { error: { code: "InvalidResourceNamespace", message: `The resource namespace '${namespace}' is invalid.` } });
}

export function listLocations(subscriptionId: string): Reply {
  return json(200, {
    value: locations.map((name) => ({
      id: `/subscriptions/${subscriptionId}/locations/${name}`,
      name,
      type: "Region",
      displayName: displayNames[name] ?? name,
      regionalDisplayName: displayNames[name] ?? name,
      metadata: { regionType: "Physical", regionCategory: "Recommended" },
    })),
  });
}

/**
 * `GET /metadata/endpoints?api-version=…`: the cloud's endpoints. api-version 2019 and later get the array form
 * (one cloud, as management.azure.com answers); older ones (Azure Stack, 2015-01-01) the single-object form.
 */
export function cloudMetadata(armUrl: string, authorityHost: string, apiVersion: string): Reply {
  const audiences = ["https://management.core.windows.net/", "https://management.azure.com/", armUrl];
  if (apiVersion < "2019") {
    return json(200, {
      galleryEndpoint: armUrl,
      graphEndpoint: `${authorityHost}/graph/`,
      portalEndpoint: `${authorityHost}/portal/`,
      authentication: { loginEndpoint: `${authorityHost}/`, audiences },
    });
  }
  return json(200, [{
    portal: `${authorityHost}/portal`,
    authentication: { loginEndpoint: authorityHost, audiences, tenant: "common", identityProvider: "AAD" },
    media: armUrl,
    graphAudience: `${authorityHost}/graph/`,
    graph: `${authorityHost}/graph/`,
    name: "AzureCloud",
    suffixes: { storage: "core.windows.net", keyVaultDns: "vault.azure.net", acrLoginServer: "azurecr.io", sqlServerHostname: "database.windows.net" },
    batch: armUrl,
    resourceManager: armUrl,
    vmImageAliasDoc: `${armUrl}metadata/vmImageAliasDoc.json`,
    activeDirectoryDataLake: armUrl,
    sqlManagement: armUrl,
    microsoftGraphResourceId: `${authorityHost}/graph/`,
    appInsightsResourceId: armUrl,
    appInsightsTelemetryChannelResourceId: armUrl,
    attestationResourceId: armUrl,
    synapseAnalyticsResourceId: armUrl,
    logAnalyticsResourceId: armUrl,
    ossrDbmsResourceId: armUrl,
  }]);
}

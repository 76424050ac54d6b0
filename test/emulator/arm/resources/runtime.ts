// Runtime properties services compute for resources that have no provider of their own here, the ones
// templates' outputs commonly read (reference(...).defaultHostName, .primaryEndpoints, .dnsSettings.fqdn...).
import { createHash, randomUUID } from "node:crypto";
import { getObjectCi, getStringCi, type JsonObject } from "../core/json";

function stableHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function stableIp(seed: string): string {
  const h = createHash("sha256").update(seed).digest();
  return `20.${(h[0] ?? 0) % 250}.${(h[1] ?? 0) % 250}.${((h[2] ?? 0) % 250) + 1}`;
}

/**
 * Properties the service adds to a resource of this type, given its id, name (last segment), location and
 * the properties sent. Deterministic in the id so that a reference() made before creation agrees with the
 * resource created afterwards.
 */
export function computedProperties(type: string, id: string, name: string, location: string, sent: JsonObject): JsonObject {
  const n = name.toLowerCase();
  switch (type.toLowerCase()) {
    case "microsoft.web/sites":
      return {
        state: "Running",
        defaultHostName: `${n}.azurewebsites.net`,
        hostNames: [`${n}.azurewebsites.net`],
        enabledHostNames: [`${n}.azurewebsites.net`, `${n}.scm.azurewebsites.net`],
        outboundIpAddresses: stableIp(id + "out"),
        possibleOutboundIpAddresses: stableIp(id + "out"),
      };
    case "microsoft.web/serverfarms":
      return { status: "Ready", numberOfSites: 0 };
    case "microsoft.storage/storageaccounts":
      return {
        primaryLocation: location,
        statusOfPrimary: "available",
        creationTime: new Date().toISOString(),
        primaryEndpoints: {
          blob: `https://${n}.blob.core.windows.net/`,
          queue: `https://${n}.queue.core.windows.net/`,
          table: `https://${n}.table.core.windows.net/`,
          file: `https://${n}.file.core.windows.net/`,
          web: `https://${n}.z22.web.core.windows.net/`,
          dfs: `https://${n}.dfs.core.windows.net/`,
        },
      };
    case "microsoft.network/publicipaddresses": {
      const dns = getObjectCi(sent, "dnsSettings");
      const label = getStringCi(dns, "domainNameLabel");
      return {
        ipAddress: stableIp(id),
        resourceGuid: randomUUID(),
        ...(label ? { dnsSettings: { ...dns, domainNameLabel: label, fqdn: `${label.toLowerCase()}.${location}.cloudapp.azure.com` } } : {}),
      };
    }
    case "microsoft.network/virtualnetworks":
    case "microsoft.network/networksecuritygroups":
    case "microsoft.network/networkinterfaces":
    case "microsoft.network/loadbalancers":
      return { resourceGuid: randomUUID() };
    case "microsoft.sql/servers":
      return { fullyQualifiedDomainName: `${n}.database.windows.net`, state: "Ready", version: "12.0" };
    case "microsoft.dbformysql/servers":
      return { fullyQualifiedDomainName: `${n}.mysql.database.azure.com`, userVisibleState: "Ready" };
    case "microsoft.dbforpostgresql/servers":
      return { fullyQualifiedDomainName: `${n}.postgres.database.azure.com`, userVisibleState: "Ready" };
    case "microsoft.documentdb/databaseaccounts":
      return { documentEndpoint: `https://${n}.documents.azure.com:443/` };
    case "microsoft.insights/components":
      return {
        AppId: randomUUID(),
        InstrumentationKey: stableHex(id, 8) + "-0000-0000-0000-" + stableHex(id + "k", 12),
        ConnectionString: `InstrumentationKey=${stableHex(id, 8)}-0000-0000-0000-${stableHex(id + "k", 12)}`,
      };
    case "microsoft.keyvault/vaults":
      return { vaultUri: `https://${n}.vault.azure.net/` };
    case "microsoft.keyvault/vaults/secrets": {
      const vault = id.split("/").slice(-3, -2)[0]?.toLowerCase() ?? "vault";
      return {
        secretUri: `https://${vault}.vault.azure.net/secrets/${name}`,
        secretUriWithVersion: `https://${vault}.vault.azure.net/secrets/${name}/${stableHex(id, 32)}`,
      };
    }
    case "microsoft.compute/virtualmachines":
      return { vmId: randomUUID() };
    case "microsoft.servicefabric/clusters":
      return { clusterState: "Ready", managementEndpoint: `https://${n}.${location}.cloudapp.azure.com:19080` };
    default:
      return {};
  }
}

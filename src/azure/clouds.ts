// Cloud endpoints, authority and token scope from the service connection. The connection's own data wins (that is
// how Azure Stack, sovereign clouds and the offline emulator work); a known cloud fills in what is missing.
import { InputError } from "../errors";
import { neutralizeUntrustedText } from "./untrusted-text";

export interface CloudEndpoints {
  armUrl: string;
  authorityHost: string;
  /** The ARM token audience (activeDirectoryServiceEndpointResourceId). */
  audience: string;
}

export type KnownCloudName = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud" | "AzureGermanCloud";

export const KNOWN_CLOUDS: Readonly<Record<KnownCloudName, CloudEndpoints>> = {
  AzureCloud: {
    armUrl: "https://management.azure.com/",
    authorityHost: "https://login.microsoftonline.com/",
    audience: "https://management.core.windows.net/",
  },
  AzureUSGovernment: {
    armUrl: "https://management.usgovcloudapi.net/",
    authorityHost: "https://login.microsoftonline.us/",
    audience: "https://management.core.usgovcloudapi.net/",
  },
  AzureChinaCloud: {
    armUrl: "https://management.chinacloudapi.cn/",
    authorityHost: "https://login.chinacloudapi.cn/",
    audience: "https://management.core.chinacloudapi.cn/",
  },
  AzureGermanCloud: {
    armUrl: "https://management.microsoftazure.de/",
    authorityHost: "https://login.microsoftonline.de/",
    audience: "https://management.core.cloudapi.de/",
  },
};

/** Environment names the agent gives, including Azure Stack (which has no defaults: its data must say everything). */
export const ENVIRONMENT_NAMES = [...Object.keys(KNOWN_CLOUDS), "AzureStack"] as const;

// Entra ID hosts MSAL knows; any other authority (AD FS, Azure Stack, the loopback emulator) needs instance
// discovery turned off, or MSAL asks login.microsoftonline.com about it.
const PUBLIC_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.windows.net",
  "login.microsoft.com",
  "sts.windows.net",
  "login.microsoftonline.us",
  "login.usgovcloudapi.net",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
  "login.microsoftonline.de",
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CloudInput {
  environment?: string;
  armUrl?: string;
  authorityHost?: string;
  audience?: string;
}

export interface ResolvedCloud {
  /** Canonical environment name, or the one given for a custom cloud. */
  environment: string;
  /** ARM endpoint without a trailing slash, as the SDK clients' `endpoint`. */
  armUrl: string;
  /** Authority URL without tenant and without a trailing slash (for AD FS it ends with /adfs). */
  authorityHost: string;
  /** True when the authority is AD FS (Azure Stack disconnected): the tenant becomes "adfs". */
  adfs: boolean;
  /** MSAL must not run instance discovery against an authority it does not know. */
  disableInstanceDiscovery: boolean;
  audience: string;
  /** `<audience>/.default`. An audience ending in "/" gives "//.default" on purpose: ARM's classic audience is
   * "https://management.core.windows.net/" with the slash, and the scope must reproduce it exactly. */
  scope: string;
}

export interface ResolveCloudOptions {
  /** The service connection input, for errors. */
  inputName: string;
  /** The connection's tenant: stripped from an authority URL that ends with it. */
  tenantId?: string;
}

export function resolveCloud(input: CloudInput, options: ResolveCloudOptions): ResolvedCloud {
  const known = knownCloud(input.environment);
  const environment = known?.name ?? nonEmpty(input.environment) ?? "AzureCloud";
  const shownEnvironment = neutralizeUntrustedText(environment, { maxLength: 60 });
  const why = known ? `the environment '${shownEnvironment}' has no default for it` : `'${shownEnvironment}' is not a cloud this task knows (${ENVIRONMENT_NAMES.join(", ")})`;
  const missing = (what: string) => new InputError(options.inputName, `the service connection's ${what} is missing, and ${why}. Edit the service connection and set it.`);
  // No environment at all: the agent always sends one, so this is a hand-made connection; assume the public cloud.
  const defaults = known?.endpoints ?? (input.environment === undefined || input.environment.trim() === "" ? KNOWN_CLOUDS.AzureCloud : undefined);

  const armUrlText = nonEmpty(input.armUrl) ?? defaults?.armUrl;
  if (armUrlText === undefined) throw missing("URL (the Resource Manager endpoint)");
  const authorityText = nonEmpty(input.authorityHost) ?? defaults?.authorityHost;
  if (authorityText === undefined) throw missing("authority URL (environmentAuthorityUrl / activeDirectoryAuthority)");
  const audience = nonEmpty(input.audience) ?? defaults?.audience;
  if (audience === undefined) throw missing("token audience (activeDirectoryServiceEndpointResourceId)");

  const armUrl = httpsUrl(armUrlText, "Resource Manager URL", options.inputName).href.replace(/\/+$/, "");
  const authority = resolveAuthority(authorityText, options);
  return { environment, armUrl, ...authority, audience, scope: `${audience}/.default` };
}

/** The authority host to give @azure/identity, and whether it is AD FS. Exported for tests. */
export function resolveAuthority(
  authorityText: string,
  options: ResolveCloudOptions,
): Pick<ResolvedCloud, "authorityHost" | "adfs" | "disableInstanceDiscovery"> {
  const url = httpsUrl(authorityText, "authority URL", options.inputName);
  const segments = url.pathname.split("/").filter((segment) => segment !== "");
  const last = segments.at(-1)?.toLowerCase();
  const tenant = options.tenantId?.trim().toLowerCase();
  // The agent's authority often ends with "/" and sometimes with the tenant ("…/{tenantId}/"); identity appends it.
  if (last !== undefined && last !== "adfs" && (last === tenant || GUID.test(last) || last.endsWith(".onmicrosoft.com") || last === "common" || last === "organizations")) {
    segments.pop();
  }
  // AD FS: the authority ends with /adfs, or the connection's tenant is the literal "adfs" (Azure Stack form).
  const adfs = segments.at(-1)?.toLowerCase() === "adfs" || tenant === "adfs";
  if (adfs && segments.at(-1)?.toLowerCase() !== "adfs") segments.push("adfs");
  const authorityHost = `${url.origin}${segments.length > 0 ? `/${segments.join("/")}` : ""}`;
  const disableInstanceDiscovery = adfs || !PUBLIC_AUTHORITY_HOSTS.has(url.hostname.toLowerCase());
  return { authorityHost, adfs, disableInstanceDiscovery };
}

function knownCloud(environment: string | undefined): { name: string; endpoints?: CloudEndpoints } | undefined {
  const wanted = environment?.trim().toLowerCase();
  if (!wanted) return undefined;
  for (const name of ENVIRONMENT_NAMES) {
    if (name.toLowerCase() === wanted) return { name, endpoints: (KNOWN_CLOUDS as Record<string, CloudEndpoints | undefined>)[name] };
  }
  return undefined;
}

function httpsUrl(text: string, what: string, inputName: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new InputError(inputName, `the service connection's ${what} '${neutralizeUntrustedText(text, { maxLength: 200 })}' is not a URL.`);
  }
  if (url.protocol !== "https:") {
    throw new InputError(inputName, `the service connection's ${what} '${neutralizeUntrustedText(text, { maxLength: 200 })}' must use https.`);
  }
  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

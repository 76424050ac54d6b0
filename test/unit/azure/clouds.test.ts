// Endpoint, authority and scope resolution for every cloud the agent names, Azure Stack and the emulator.
import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import { resolveCloud, type CloudInput, type ResolvedCloud } from "../../../src/azure/clouds";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const resolve = (input: CloudInput, tenantId: string | undefined = TENANT) => resolveCloud(input, { inputName: "azureSubscription", tenantId });

describe("azure/clouds: resolveCloud", () => {
  const cases: { name: string; input: CloudInput; tenant?: string | null; expected: Partial<ResolvedCloud> }[] = [
    {
      name: "AzureCloud with no data: the public cloud's defaults",
      input: { environment: "AzureCloud" },
      expected: {
        environment: "AzureCloud",
        armUrl: "https://management.azure.com",
        authorityHost: "https://login.microsoftonline.com",
        audience: "https://management.core.windows.net/",
        scope: "https://management.core.windows.net//.default",
        disableInstanceDiscovery: false,
        adfs: false,
      },
    },
    {
      name: "no environment at all: the public cloud",
      input: { armUrl: "https://management.azure.com/" },
      expected: { environment: "AzureCloud", authorityHost: "https://login.microsoftonline.com", audience: "https://management.core.windows.net/" },
    },
    {
      name: "Azure Government, named in lower case",
      input: { environment: "azureusgovernment" },
      expected: {
        environment: "AzureUSGovernment",
        armUrl: "https://management.usgovcloudapi.net",
        authorityHost: "https://login.microsoftonline.us",
        scope: "https://management.core.usgovcloudapi.net//.default",
        disableInstanceDiscovery: false,
      },
    },
    {
      name: "Azure China",
      input: { environment: "AzureChinaCloud" },
      expected: { armUrl: "https://management.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn", scope: "https://management.core.chinacloudapi.cn//.default" },
    },
    {
      name: "Azure Germany",
      input: { environment: "AzureGermanCloud" },
      expected: { armUrl: "https://management.microsoftazure.de", authorityHost: "https://login.microsoftonline.de", scope: "https://management.core.cloudapi.de//.default" },
    },
    {
      name: "the connection's data wins over the defaults",
      input: { environment: "AzureCloud", armUrl: "https://management.azure.com/", authorityHost: "https://login.windows.net/", audience: "https://management.azure.com/" },
      expected: { authorityHost: "https://login.windows.net", scope: "https://management.azure.com//.default", disableInstanceDiscovery: false },
    },
    {
      name: "an authority that ends with the tenant: the tenant is stripped (identity appends it)",
      input: { environment: "AzureCloud", authorityHost: `https://login.microsoftonline.com/${TENANT}/` },
      expected: { authorityHost: "https://login.microsoftonline.com" },
    },
    {
      name: "an authority that ends with another GUID or a domain: stripped too",
      input: { environment: "AzureCloud", authorityHost: "https://login.microsoftonline.com/contoso.onmicrosoft.com" },
      expected: { authorityHost: "https://login.microsoftonline.com" },
    },
    {
      name: "the emulator on loopback: instance discovery off",
      input: { environment: "AzureCloud", armUrl: "https://127.0.0.1:50123/", authorityHost: "https://127.0.0.1:50123", audience: "https://management.core.windows.net/" },
      expected: { armUrl: "https://127.0.0.1:50123", authorityHost: "https://127.0.0.1:50123", disableInstanceDiscovery: true, adfs: false },
    },
    {
      name: "Azure Stack with AD FS",
      input: {
        environment: "AzureStack",
        armUrl: "https://management.local.azurestack.external/",
        authorityHost: "https://adfs.local.azurestack.external/adfs/",
        audience: "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155",
      },
      expected: {
        environment: "AzureStack",
        armUrl: "https://management.local.azurestack.external",
        authorityHost: "https://adfs.local.azurestack.external/adfs",
        adfs: true,
        disableInstanceDiscovery: true,
        scope: "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155/.default",
      },
    },
    {
      name: "Azure Stack with AD FS in the tenant 'adfs' form (authority without /adfs)",
      tenant: "adfs",
      input: { environment: "AzureStack", armUrl: "https://management.local.azurestack.external/", authorityHost: "https://adfs.local.azurestack.external/", audience: "https://management.adfs.azurestack.local/x" },
      expected: { authorityHost: "https://adfs.local.azurestack.external/adfs", adfs: true, disableInstanceDiscovery: true },
    },
    {
      name: "Azure Stack with Entra ID: public authority, Stack's ARM and audience",
      input: { environment: "AzureStack", armUrl: "https://management.redmond.azurestack.corp/", authorityHost: "https://login.microsoftonline.com/", audience: "https://management.contoso.onmicrosoft.com/abc" },
      expected: { armUrl: "https://management.redmond.azurestack.corp", authorityHost: "https://login.microsoftonline.com", adfs: false, disableInstanceDiscovery: false },
    },
    {
      name: "a custom cloud with all its data",
      input: { environment: "ContosoCloud", armUrl: "https://arm.contoso.example/", authorityHost: "https://login.contoso.example/", audience: "https://arm.contoso.example/" },
      expected: { environment: "ContosoCloud", authorityHost: "https://login.contoso.example", disableInstanceDiscovery: true },
    },
    {
      name: "managed identity: no tenant to strip",
      tenant: null,
      input: { environment: "AzureCloud", authorityHost: "https://login.microsoftonline.com/" },
      expected: { authorityHost: "https://login.microsoftonline.com" },
    },
  ];
  for (const { name, input, tenant, expected } of cases) {
    it(name, () => {
      const resolved = resolve(input, tenant === null ? undefined : (tenant ?? TENANT));
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(resolved[key as keyof ResolvedCloud], value, key);
    });
  }

  const bad: { name: string; input: CloudInput; pattern: RegExp }[] = [
    { name: "Azure Stack without an ARM URL", input: { environment: "AzureStack", authorityHost: "https://adfs.x/adfs", audience: "https://a/" }, pattern: /URL \(the Resource Manager endpoint\) is missing.*no default/ },
    { name: "Azure Stack without an authority", input: { environment: "AzureStack", armUrl: "https://arm.x/", audience: "https://a/" }, pattern: /authority URL .* is missing/ },
    { name: "Azure Stack without an audience", input: { environment: "AzureStack", armUrl: "https://arm.x/", authorityHost: "https://adfs.x/adfs" }, pattern: /token audience .* is missing/ },
    { name: "an unknown cloud without data", input: { environment: "MarsCloud" }, pattern: /'MarsCloud' is not a cloud this task knows \(AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureGermanCloud, AzureStack\)/ },
    { name: "an http ARM URL", input: { environment: "AzureCloud", armUrl: "http://management.azure.com/" }, pattern: /must use https/ },
    { name: "an http authority", input: { environment: "AzureCloud", authorityHost: "http://127.0.0.1:1/" }, pattern: /authority URL .* must use https/ },
    { name: "an ARM URL that is not a URL", input: { environment: "AzureCloud", armUrl: "management.azure.com" }, pattern: /is not a URL/ },
  ];
  for (const { name, input, pattern } of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => resolve(input),
        (error: unknown) => error instanceof InputError && error.input === "azureSubscription" && pattern.test(error.message),
      );
    });
  }
});

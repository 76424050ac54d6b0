// A table of bad inputs for the lab tasks: each fails the task with a message that starts with the input's name,
// and the emulator's request log shows no ARM write (PUT, POST, PATCH, DELETE) for the run.
import { strict as assert } from "node:assert";
import { nodeRuntime } from "../harness";
import { assertFailsNamingInput, badInputTitle, type BadInput } from "./bad-input-support";
import { FACTORY_LAB_ID, FACTORY_SUBSCRIPTION, goldenImage, tempFile, useLabEmulator } from "./lab-support";


const OVERRIDES = "-size Standard_D2s_v3 -userName admin -password $(VmPassword)";
const VM_ID = `${FACTORY_LAB_ID}/virtualmachines/some-vm`;
const IMAGE_ID = `${FACTORY_LAB_ID}/customimages/some-image`;

describe("lab tasks end to end: bad inputs fail before any Azure write", function () {
  this.timeout(300_000);
  const e2e = useLabEmulator();
  const node = nodeRuntime(20);

  const files = {
    notJson: () => tempFile("azuredeploy.json", "{ this is not json"),
    noVm: () => tempFile("azuredeploy.json", JSON.stringify({ resources: [{ type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-01-01", name: "st" }] })),
    twoVms: () =>
      tempFile(
        "azuredeploy.json",
        JSON.stringify({
          parameters: { newVMName: { type: "string" }, labName: { type: "string" } },
          resources: [
            { type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[concat(parameters('labName'), '/', parameters('newVMName'))]" },
            { type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[concat(parameters('labName'), '/second')]" },
          ],
        }),
      ),
    withInt: () =>
      tempFile(
        "azuredeploy.json",
        JSON.stringify({
          parameters: { newVMName: { type: "string" }, labName: { type: "string" }, diskCount: { type: "int" } },
          resources: [{ type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[concat(parameters('labName'), '/', parameters('newVMName'))]" }],
        }),
      ),
    parametersOnly: () => tempFile("azuredeploy.parameters.json", JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#", parameters: { size: { value: "x" } } })),
    badParameters: () => tempFile("azuredeploy.parameters.json", "{ \"parameters\": { \"size\": { \"value\": \"x\" }, } "),
    undeclaredParameters: () => tempFile("azuredeploy.parameters.json", JSON.stringify({ parameters: { colour: { value: "blue" } } })),
    parameterWithoutValue: () => tempFile("azuredeploy.parameters.json", JSON.stringify({ parameters: { size: { val: "x" } } })),
  };
  const template = (extra: Record<string, string> = {}) => ({ lab: FACTORY_LAB_ID, vmName: "vm1", templateFile: goldenImage, parameterOverrides: OVERRIDES, ...extra });
  const gallery = (extra: Record<string, string> = {}) => ({
    lab: FACTORY_LAB_ID,
    source: "galleryImage",
    vmName: "gal1",
    galleryImage: "MicrosoftWindowsServer:WindowsServer:2019-Datacenter:latest",
    osType: "Windows",
    userName: "admin",
    password: "$(VmPassword)",
    ...extra,
  });

  const table = (): BadInput[] => [
    // LabVmCreate, template mode
    { task: "LabVmCreate", inputs: template({ lab: "" }), input: "lab", says: /is required/ },
    { task: "LabVmCreate", inputs: template({ lab: "/subscriptions/abc" }), input: "lab", says: /not a valid id/ },
    { task: "LabVmCreate", inputs: template({ lab: VM_ID }), input: "lab", says: /virtualmachines/ },
    { task: "LabVmCreate", inputs: template({ lab: `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/rg` }), input: "lab" },
    { task: "LabVmCreate", inputs: template({ lab: "my lab!" }), input: "lab", says: /lab name/ },
    { task: "LabVmCreate", inputs: template({ lab: "NoSuchLab" }), input: "lab", says: /no lab named/ },
    { task: "LabVmCreate", inputs: template({ lab: `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/Missing` }), input: "lab", says: /does not exist/ },
    { task: "LabVmCreate", inputs: template({ templateFile: "" }), input: "templateFile", says: /is required/ },
    { task: "LabVmCreate", inputs: template({ templateFile: "/no/such/azuredeploy.json" }), input: "templateFile", says: /does not exist/ },
    { task: "LabVmCreate", inputs: template({ templateFile: files.notJson() }), input: "templateFile", says: /not valid JSON/ },
    { task: "LabVmCreate", inputs: template({ templateFile: files.parametersOnly() }), input: "templateFile", says: /no 'resources' array/ },
    { task: "LabVmCreate", inputs: template({ templateFile: files.noVm() }), input: "templateFile", says: /creates no lab VM/ },
    { task: "LabVmCreate", inputs: template({ templateFile: files.twoVms() }), input: "templateFile", says: /more than one/ },
    { task: "LabVmCreate", inputs: template({ parametersFile: "missing.parameters.json" }), input: "parametersFile", says: /does not exist/ },
    { task: "LabVmCreate", inputs: template({ parametersFile: files.badParameters() }), input: "parametersFile", says: /not valid JSON/ },
    { task: "LabVmCreate", inputs: template({ parametersFile: files.undeclaredParameters() }), input: "parametersFile", says: /colour/ },
    { task: "LabVmCreate", inputs: template({ parametersFile: files.parameterWithoutValue() }), input: "parametersFile", says: /value/ },
    { task: "LabVmCreate", inputs: template({ parameterOverrides: "-size 'Standard D2" }), input: "parameterOverrides" },
    { task: "LabVmCreate", inputs: template({ parameterOverrides: `${OVERRIDES} -colour blue` }), input: "parameterOverrides", says: /colour/ },
    { task: "LabVmCreate", inputs: template({ parameterOverrides: "-size Standard_D2s_v3 -userName admin" }), input: "parameterOverrides", says: /password/ },
    { task: "LabVmCreate", inputs: template({ parameterOverrides: "size Standard_D2s_v3" }), input: "parameterOverrides" },
    { task: "LabVmCreate", inputs: template({ templateFile: files.withInt(), parameterOverrides: "-diskCount two" }), input: "parameterOverrides", says: /whole number/ },
    { task: "LabVmCreate", inputs: template({ vmName: "name-too-long-for-win" }), input: "vmName", says: /at most 15/ },
    { task: "LabVmCreate", inputs: template({ vmName: "vm_1" }), input: "vmName", says: /not a valid lab VM name/ },
    { task: "LabVmCreate", inputs: template({ vmName: "12345" }), input: "vmName" },
    { task: "LabVmCreate", inputs: template({ vmName: "-vm" }), input: "vmName" },
    { task: "LabVmCreate", inputs: template({ vmName: "", parameterOverrides: OVERRIDES }), input: "vmName", says: /newVMName/ },
    { task: "LabVmCreate", inputs: template({ source: "docker" }), input: "source", says: /one of template, galleryImage, customImage, formula/ },
    { task: "LabVmCreate", inputs: template({ timeoutMinutes: "abc" }), input: "timeoutMinutes", says: /whole number of minutes from 1 to 1440/ },
    { task: "LabVmCreate", inputs: template({ timeoutMinutes: "0" }), input: "timeoutMinutes" },
    { task: "LabVmCreate", inputs: template({ timeoutMinutes: "1441" }), input: "timeoutMinutes" },
    { task: "LabVmCreate", inputs: template({ artifactWaitMinutes: "-5" }), input: "artifactWaitMinutes" },
    { task: "LabVmCreate", inputs: template({ retryOnFailure: "true", retryCount: "11" }), input: "retryCount", says: /from 1 to 10/ },
    { task: "LabVmCreate", inputs: template({ retryOnFailure: "true", retryCount: "x" }), input: "retryCount" },
    { task: "LabVmCreate", inputs: template({ retryDelaySeconds: "601" }), input: "retryDelaySeconds" },
    { task: "LabVmCreate", inputs: template({ retryOnFailure: "maybe" }), input: "retryOnFailure", says: /true or false/ },
    { task: "LabVmCreate", inputs: template({ failOnArtifactError: "yes please" }), input: "failOnArtifactError" },
    { task: "LabVmCreate", inputs: template({ pollIntervalSeconds: "0" }), input: "pollIntervalSeconds" },
    { task: "LabVmCreate", inputs: template({ keepFailedVm: "2" }), input: "keepFailedVm" },
    // LabVmCreate, from an image or formula
    { task: "LabVmCreate", inputs: gallery({ vmName: "" }), input: "vmName", says: /is required/ },
    { task: "LabVmCreate", inputs: gallery({ galleryImage: "" }), input: "galleryImage", says: /is required/ },
    { task: "LabVmCreate", inputs: gallery({ galleryImage: "WindowsServer" }), input: "galleryImage", says: /publisher:offer:sku/ },
    { task: "LabVmCreate", inputs: gallery({ galleryImage: "a:b:c d" }), input: "galleryImage" },
    { task: "LabVmCreate", inputs: gallery({ osType: "Mac" }), input: "osType" },
    { task: "LabVmCreate", inputs: gallery({ size: "" }), input: "size" },
    { task: "LabVmCreate", inputs: gallery({ userName: "" }), input: "userName" },
    { task: "LabVmCreate", inputs: gallery({ password: "" }), input: "password" },
    { task: "LabVmCreate", inputs: gallery({ password: "short" }), input: "password", says: /8 to 123/ },
    { task: "LabVmCreate", inputs: gallery({ password: "", sshKey: "ssh-rsa AAAAB3NzaC1yc2E user" }), input: "sshKey", says: /Windows/ },
    { task: "LabVmCreate", inputs: gallery({ osType: "Linux", password: "", sshKey: "not a key" }), input: "sshKey", says: /SSH public key/ },
    { task: "LabVmCreate", inputs: gallery({ osType: "Linux", sshKey: "ssh-rsa AAAAB3NzaC1yc2E user" }), input: "sshKey", says: /not both/ },
    { task: "LabVmCreate", inputs: gallery({ vmName: "gallery-name-too-long" }), input: "vmName" },
    { task: "LabVmCreate", inputs: gallery({ artifacts: "[{\"name\": " }), input: "artifacts", says: /not valid JSON/ },
    { task: "LabVmCreate", inputs: gallery({ artifacts: "\"windows-sysprep\"" }), input: "artifacts", says: /not a JSON array/ },
    { task: "LabVmCreate", inputs: gallery({ artifacts: "[{\"parameters\": {}}]" }), input: "artifacts", says: /neither an artifactId nor a name/ },
    { task: "LabVmCreate", inputs: gallery({ artifacts: "[{\"artifactId\": \"windows-sysprep\"}]" }), input: "artifacts", says: /not a resource id/ },
    { task: "LabVmCreate", inputs: gallery({ tags: "team" }), input: "tags", says: /name=value/ },
    { task: "LabVmCreate", inputs: gallery({ source: "customImage", customImage: "" }), input: "customImage" },
    { task: "LabVmCreate", inputs: gallery({ source: "customImage", customImage: "/subscriptions/x/customimages/y" }), input: "customImage" },
    { task: "LabVmCreate", inputs: gallery({ source: "customImage", customImage: "no-such-image" }), input: "customImage", says: /does not exist/ },
    { task: "LabVmCreate", inputs: gallery({ source: "formula", formula: "" }), input: "formula" },
    { task: "LabVmCreate", inputs: gallery({ source: "formula", formula: "no-such-formula" }), input: "formula", says: /does not exist/ },
    // LabVmDelete
    { task: "LabVmDelete", inputs: {}, input: "vmId", says: /is required unless/ },
    { task: "LabVmDelete", inputs: { vmId: "/subscriptions/not-a-guid/resourceGroups/rg" }, input: "vmId" },
    { task: "LabVmDelete", inputs: { vmId: IMAGE_ID }, input: "vmId", says: /customimages/ },
    { task: "LabVmDelete", inputs: { vmId: `${VM_ID}?api-version=2018-09-15` }, input: "vmId", says: /query string/ },
    { task: "LabVmDelete", inputs: { lab: FACTORY_LAB_ID }, input: "vmId" },
    { task: "LabVmDelete", inputs: { lab: FACTORY_LAB_ID, vmName: "bad name" }, input: "vmName" },
    { task: "LabVmDelete", inputs: { vmId: VM_ID, timeoutMinutes: "soon" }, input: "timeoutMinutes" },
    { task: "LabVmDelete", inputs: { vmId: VM_ID, waitForCompletion: "sometimes" }, input: "waitForCompletion" },
    // LabVmAction
    { task: "LabVmAction", inputs: { vmId: VM_ID, action: "reboot" }, input: "action", says: /start, stop, restart, applyArtifacts, claim/ },
    { task: "LabVmAction", inputs: { vmId: VM_ID, action: "applyArtifacts" }, input: "artifacts", says: /is required/ },
    { task: "LabVmAction", inputs: { vmId: VM_ID, action: "applyArtifacts", artifacts: "{not json" }, input: "artifacts" },
    { task: "LabVmAction", inputs: { vmId: VM_ID, action: "applyArtifacts", artifacts: "[]" }, input: "artifacts" },
    { task: "LabVmAction", inputs: { vmId: "vm1", action: "start" }, input: "vmId" },
    { task: "LabVmAction", inputs: { lab: FACTORY_LAB_ID, vmName: "missing-vm", action: "restart" }, input: "vmName", says: /does not exist/ },
    // LabImageCapture
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "" }, input: "imageName", says: /is required/ },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img!" }, input: "imageName" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "image-" }, input: "imageName" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "x".repeat(81) }, input: "imageName", says: /at most 80/ },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img1", osType: "BeOS" }, input: "osType" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img1", osType: "Windows", windowsOsState: "Sysprepped" }, input: "windowsOsState" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img1", osType: "Linux", linuxOsState: "Deprovisioned" }, input: "linuxOsState" },
    { task: "LabImageCapture", inputs: { vmId: "not-an-id", imageName: "img1" }, input: "vmId" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img1", tags: "{\"a\": " }, input: "tags" },
    { task: "LabImageCapture", inputs: { vmId: VM_ID, imageName: "img1" }, input: "vmId", says: /does not exist/ },
    // LabImageDelete
    { task: "LabImageDelete", inputs: {}, input: "imageId", says: /is required unless/ },
    { task: "LabImageDelete", inputs: { imageId: VM_ID }, input: "imageId", says: /virtualmachines/ },
    { task: "LabImageDelete", inputs: { lab: FACTORY_LAB_ID, imageName: "bad/name" }, input: "imageName" },
    { task: "LabImageDelete", inputs: { imageId: IMAGE_ID, timeoutMinutes: "ten" }, input: "timeoutMinutes" },
  ];

  const cases = table();
  it("has at least 60 cases", () => assert.ok(cases.length >= 60, `${cases.length} cases`));

  for (const item of cases) {
    const shown = JSON.stringify(item.inputs).replace(new RegExp(FACTORY_LAB_ID, "g"), "<lab>");
    it(badInputTitle(item, shown), () => assertFailsNamingInput(e2e, item, () => e2e.run({ task: item.task, node, inputs: item.inputs, debug: true })));
  }
});

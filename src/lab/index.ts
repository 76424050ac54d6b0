// The lab domain: lab VMs and custom images in Azure DevTest Labs. Speaks Azure SDK types and plain options; never
// the agent.
export * from "./artifacts";
export * from "./context";
export * from "./custom-image";
export * from "./lab";
export * from "./retry";
export * from "./template";
export * from "./vm-actions";
export * from "./vm-create";
export * from "./vm-delete";
export * from "./vm-spec";
export * from "./vm-wait";

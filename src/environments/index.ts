// The environment domain: DevTest Labs environments (an ARM template from a lab repository, deployed into a resource
// group of its own), populating them with further templates, deleting them. Speaks Azure SDK types and plain
// options; never the agent.
export * from "./create";
export * from "./delete";
export * from "./deployments";
export * from "./details";
export * from "./outputs";
export * from "./parameters";
export * from "./populate";
export * from "./staging";
export * from "./targets";
export * from "./reporting";

// The image domain: distributing custom images to other labs and retiring old ones. Speaks Azure SDK types and plain
// options; never the agent.
export * from "./blob-copy";
export * from "./context";
export * from "./distribute";
export * from "./labs-file";
export * from "./parallel";
export * from "./provenance";
export * from "./retention";
export * from "./retire";
export * from "./selection";
export * from "./services";
export * from "./targets";
export * from "./lab-access";

import { runTask } from "../../src/pipeline/run";

void runTask(async () => {
  throw new Error("LabVmDelete is not implemented yet.");
});

// Runs before task-lib loads (imported first): task-lib writes its vault key (.taskkey) to the agent's temp folder
// at load time, so point that at a fresh temporary folder instead of the repository.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const agentTemp = mkdtempSync(join(tmpdir(), "dtl-agent-"));
process.env.AGENT_TEMPDIRECTORY = agentTemp;

// Publishing files as a pipeline artifact: the agent uploads a folder named in an `artifact.upload` command into the
// run's artifact container under a name a later stage can download.
import * as tl from "azure-pipelines-task-lib/task";
import { neutraliseLine } from "./neutralise";

/** Asks the agent to upload everything in `folder` as the artifact `artifactName` (in its `containerFolder`). */
export function uploadArtifactFolder(folder: string, artifactName: string, containerFolder: string = artifactName): void {
  tl.uploadArtifact(neutraliseLine(containerFolder), folder, neutraliseLine(artifactName));
}

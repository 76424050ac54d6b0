// Puts the seed in the store: each seeded lab's resource group (created in the lab's region) and the lab
// with its default properties, virtual network and the two public repositories.
import type { ArmContext } from "./core/context";
import { createLab } from "./devtestlab/labs";
import type { Samples } from "./devtestlab/repositories";
import { ensureResourceGroup } from "./resources/resourceGroups";

export function applySeed(ctx: ArmContext, samples: Samples): void {
  for (const lab of ctx.options.seed.labs) {
    const location = lab.location.toLowerCase().replace(/\s+/g, "");
    ensureResourceGroup(ctx, lab.subscriptionId, lab.resourceGroup, location);
    createLab(ctx, samples, {
      sub: lab.subscriptionId,
      rg: lab.resourceGroup,
      name: lab.name,
      location,
      ...(lab.tags ? { tags: { ...lab.tags } } : {}),
      provisioningState: "Succeeded",
      withVirtualNetwork: true,
    });
  }
}

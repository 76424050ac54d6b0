// PLACEHOLDER until the ARM providers land: answers every request 404 in ARM's error shape.
import type { ArmEmulator, ArmOptions } from "../core/contracts";

export async function createArmEmulator(_options: ArmOptions): Promise<ArmEmulator> {
  return {
    handle: async (request) => ({
      status: 404,
      body: { error: { code: "NotFound", message: `No handler for ${request.method} ${request.path}.` } },
    }),
    state: () => ({}),
    reset: async () => undefined,
    close: async () => undefined,
  };
}

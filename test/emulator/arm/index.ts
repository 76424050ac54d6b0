// The ARM emulation behind the offline Azure: resource providers for Microsoft.Resources (resource groups,
// deployments), Microsoft.DevTestLab, Microsoft.Compute (snapshots, images, galleries) and generic
// resources, over one store and one long-running-operation engine. The server routes every ARM request
// here (contract: test/emulator/core/contracts.ts).
import type { ArmEmulator, ArmOptions, ArmRequest, ArmResponse } from "../core/contracts";
import { evaluateTemplate } from "../template/index";
import { registerManagedComputeRoutes } from "./compute/managedResources";
import { registerSnapshotRoutes } from "./compute/snapshots";
import { ArmContext } from "./core/context";
import { ArmError, errors } from "./core/errors";
import { parseResourceId } from "./core/ids";
import { clone } from "./core/json";
import { Clock } from "./core/latency";
import { OperationEngine } from "./core/lro";
import { Router, type HandlerResult } from "./core/router";
import { ResourceStore } from "./core/store";
import { registerChildRoutes } from "./devtestlab/children";
import { DTL_NAMESPACE } from "./devtestlab/common";
import { registerCustomImageRoutes } from "./devtestlab/customImages";
import { registerEnvironmentRoutes } from "./devtestlab/environments";
import { registerLabRoutes } from "./devtestlab/labs";
import { loadSamples, registerRepositoryRoutes } from "./devtestlab/repositories";
import { registerUserRoutes } from "./devtestlab/users";
import { registerVirtualMachineRoutes } from "./devtestlab/virtualMachines";
import { registerDeploymentRoutes } from "./resources/deployments";
import { handleGeneric } from "./resources/generic";
import { registerOperationRoutes } from "./resources/operationRoutes";
import { registerResourceGroupRoutes } from "./resources/resourceGroups";
import { registerSubscriptionRoutes } from "./resources/subscriptions";
import { applySeed } from "./seed";

export interface ArmEmulatorInternals {
  /** Replaces the template evaluator (tests of this layer before/independently of test/emulator/template). */
  evaluateTemplate?: ArmContext["evaluateTemplate"];
  /** Page size of lists (default 5). */
  pageSize?: number;
}

async function dispatch(ctx: ArmContext, req: ArmRequest): Promise<HandlerResult> {
  try {
    const match = ctx.router.match(req.method, req.path);
    if (match.kind === "match") return await match.handler({ req, params: match.params });
    if (match.kind === "wrongMethod") throw errors.methodNotAllowed(req.method);
    const parsed = parseResourceId(req.path);
    if (parsed?.namespace !== undefined) {
      ctx.apiVersion(req);
      const ns = parsed.namespace.toLowerCase();
      if (ns === DTL_NAMESPACE.toLowerCase() || ns === "microsoft.resources") {
        throw errors.invalidResourceType([...parsed.types, parsed.trailing ?? ""].filter(Boolean).join("/"), parsed.namespace, req.query.get("api-version") ?? "");
      }
      return await handleGeneric(ctx, req, parsed);
    }
    throw errors.noRoute(req.method, req.path);
  } catch (e) {
    if (e instanceof ArmError) return { status: e.status, body: { error: e.body } };
    const message = e instanceof Error ? e.message : String(e);
    return { status: 500, body: { error: { code: "InternalServerError", message: `The emulator failed: ${message}` } } };
  }
}

function build(options: ArmOptions, internals: ArmEmulatorInternals): ArmContext {
  const clock = new Clock(options.timeScale);
  const ctx = new ArmContext(options, new ResourceStore(), new OperationEngine(clock, options.faults), clock, new Router(), internals.pageSize);
  ctx.evaluateTemplate = internals.evaluateTemplate ?? evaluateTemplate;
  ctx.dispatch = (req) => dispatch(ctx, req);
  const samples = loadSamples(options.samplesDir);
  registerOperationRoutes(ctx);
  registerSubscriptionRoutes(ctx);
  registerResourceGroupRoutes(ctx);
  registerDeploymentRoutes(ctx);
  registerLabRoutes(ctx, samples);
  registerRepositoryRoutes(ctx);
  registerVirtualMachineRoutes(ctx);
  registerCustomImageRoutes(ctx);
  registerEnvironmentRoutes(ctx);
  registerUserRoutes(ctx);
  registerChildRoutes(ctx);
  registerSnapshotRoutes(ctx);
  registerManagedComputeRoutes(ctx);
  applySeed(ctx, samples);
  return ctx;
}

/** createArmEmulator with test hooks (another template evaluator, another page size). */
export async function createArmEmulatorWith(options: ArmOptions, internals: ArmEmulatorInternals): Promise<ArmEmulator> {
  let ctx = build(options, internals);
  return {
    async handle(request: ArmRequest): Promise<ArmResponse> {
      const { operation: _operation, ...response } = await ctx.dispatch(request);
      const out: ArmResponse = { status: response.status };
      if (response.headers) out.headers = response.headers;
      if (response.body !== undefined && request.method.toUpperCase() !== "HEAD") out.body = clone(response.body);
      return out;
    },
    state() {
      return {
        resources: Object.fromEntries(ctx.store.all().map((r) => [r.id, clone(r.body)])),
        operations: clone(ctx.lro.all()),
      };
    },
    async reset() {
      ctx.clock.close();
      ctx.lro.clear();
      ctx = build(options, internals);
    },
    async close() {
      // timers stop; operations stay as they were (Running) for state() and late polls
      ctx.clock.close();
    },
  };
}

export function createArmEmulator(options: ArmOptions): Promise<ArmEmulator> {
  return createArmEmulatorWith(options, {});
}

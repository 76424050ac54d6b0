// A lab VM ARM template and its parameters, prepared for deployment: find the template's lab VM resource and the
// parameters that hold the lab name and the VM name, inject the task's lab and VM name into them (as Microsoft's
// task did for labName/newVMName, but found from the template instead of assumed), and check before any write that
// every parameter the template needs has a value and every value given belongs to a parameter.
import { InputError } from "../errors";
import { mergeParameters, parseJsonText, readTemplateParameters, type ArmParameterEntry, type ArmParameters, type JsonValue, type ParameterOverrides } from "../params";

export interface ArmTemplateParameter {
  type?: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
}

export interface ArmTemplate {
  parameters?: Record<string, ArmTemplateParameter>;
  variables?: Record<string, unknown>;
  resources?: unknown[];
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The ARM "parameters" object: a value, or a Key Vault reference (kept as a reference). */
export type DeploymentParameterValue = ArmParameterEntry;
export type DeploymentParameters = ArmParameters;

export const LAB_VM_TYPE = "Microsoft.DevTestLab/labs/virtualmachines";

/** Names templates use for the VM name: Microsoft's task and the image factory use newVMName. */
const VM_NAME_PARAMETERS = ["newVMName", "vmName", "virtualMachineName", "labVmName", "labVirtualMachineName", "newVmName", "name"];
/** Names templates use for the lab: the quick-start templates use existingLabName. */
const LAB_NAME_PARAMETERS = ["labName", "existingLabName", "lab", "devTestLabName"];

export interface LabVmResourceInfo {
  /** The resource's name expression as written, e.g. "[concat(parameters('labName'), '/', parameters('newVMName'))]". */
  nameExpression: string;
  /** Parameters referenced by the name (through variables too), in order of appearance. */
  nameParameters: string[];
}

/** Parses the template file's text; the error names the template input. */
export function parseTemplate(text: string, inputName: string): ArmTemplate {
  const parsed: unknown = parseJsonText(text, { inputName, what: "the template" });
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InputError(inputName, "the template is not a JSON object. Give an ARM template file with $schema, parameters and resources.");
  }
  const template = parsed as ArmTemplate;
  if (!Array.isArray(template.resources)) {
    throw new InputError(inputName, "the file has no 'resources' array, so it is not an ARM deployment template (is it a parameters file?).");
  }
  if (template.parameters !== undefined && (typeof template.parameters !== "object" || template.parameters === null || Array.isArray(template.parameters))) {
    throw new InputError(inputName, "the template's 'parameters' is not an object.");
  }
  return template;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every lab VM resource in the template: top level, or nested under a lab resource. */
export function findLabVmResources(template: ArmTemplate): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const resource of template.resources ?? []) {
    if (!isObject(resource) || typeof resource.type !== "string") continue;
    const type = resource.type.toLowerCase();
    if (type === LAB_VM_TYPE.toLowerCase()) found.push(resource);
    if (type === "microsoft.devtestlab/labs" && Array.isArray(resource.resources)) {
      for (const child of resource.resources) {
        if (isObject(child) && typeof child.type === "string" && ["virtualmachines", LAB_VM_TYPE.toLowerCase()].includes(child.type.toLowerCase())) found.push(child);
      }
    }
  }
  return found;
}

/** Expands variables('x') in an expression with the variables' own string expressions, a few levels deep. */
function expandVariables(expression: string, variables: Record<string, unknown>, depth = 0): string {
  if (depth > 5) return expression;
  return expression.replace(/variables\(\s*'([^']+)'\s*\)/gi, (whole, name: string) => {
    const key = Object.keys(variables).find((k) => k.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : variables[key];
    if (typeof value !== "string") return whole;
    const inner = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : `'${value}'`;
    return `(${expandVariables(inner, variables, depth + 1)})`;
  });
}

export function describeLabVmResource(template: ArmTemplate, resource: Record<string, unknown>): LabVmResourceInfo {
  const nameExpression = typeof resource.name === "string" ? resource.name : "";
  const expanded = expandVariables(nameExpression, template.variables ?? {});
  const nameParameters = [...expanded.matchAll(/parameters\(\s*'([^']+)'\s*\)/gi)].map((m) => m[1] ?? "");
  return { nameExpression, nameParameters };
}

function declaredParameter(template: ArmTemplate, name: string): string | undefined {
  return Object.keys(template.parameters ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
}

function firstDeclared(template: ArmTemplate, candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    const found = declaredParameter(template, candidate);
    if (found) return found;
  }
  return undefined;
}

export interface VmTemplateParameters {
  /** The template parameter that names the VM (as the template spells it). */
  vmNameParameter?: string;
  /** The template parameter that names the lab. */
  labNameParameter?: string;
  /** The VM name when the template writes it literally (no parameter), e.g. "mylab/vm1" → "vm1". */
  literalVmName?: string;
}

/**
 * Which template parameters hold the lab name and the VM name. Read from the VM resource's name
 * ("lab/vm": the first parameter is the lab, the last the VM), falling back to the names templates commonly use.
 */
export function findVmTemplateParameters(template: ArmTemplate): VmTemplateParameters {
  const vms = findLabVmResources(template);
  const result: VmTemplateParameters = {};
  const vm = vms[0];
  if (vms.length === 1 && vm) {
    const { nameExpression, nameParameters } = describeLabVmResource(template, vm);
    const declared = [...new Set(nameParameters.map((p) => declaredParameter(template, p)).filter((p): p is string => p !== undefined))];
    const knownLab = declared.find((p) => LAB_NAME_PARAMETERS.some((c) => c.toLowerCase() === p.toLowerCase()));
    if (declared.length >= 2) {
      result.labNameParameter = declared[0];
      result.vmNameParameter = declared[declared.length - 1];
    } else if (declared.length === 1) {
      if (knownLab) result.labNameParameter = knownLab;
      else result.vmNameParameter = declared[0];
    }
    if (!nameExpression.startsWith("[") && nameExpression.includes("/")) result.literalVmName = nameExpression.split("/").pop();
  }
  result.vmNameParameter ??= result.literalVmName === undefined ? firstDeclared(template, VM_NAME_PARAMETERS) : undefined;
  result.labNameParameter ??= firstDeclared(template, LAB_NAME_PARAMETERS);
  if (result.vmNameParameter !== undefined && result.vmNameParameter === result.labNameParameter) delete result.labNameParameter;
  return result;
}

export interface TemplateDeploymentInputs {
  /** Input names, for errors. */
  templateInput: string;
  vmNameInput: string;
  parametersInput: string;
  overridesInput: string;
}

export interface PrepareTemplateOptions {
  template: ArmTemplate;
  /** The parameters file's entries (src/params parseParametersFile). */
  fileParameters?: ArmParameters;
  /** The overrides (src/params parseOverrides). */
  overrides?: ParameterOverrides;
  labName: string;
  /** The VM name input; when empty the value in the parameters is used. */
  vmName?: string;
  inputs: TemplateDeploymentInputs;
}

export interface PreparedTemplateDeployment {
  template: ArmTemplate;
  parameters: DeploymentParameters;
  vmName: string;
  vmNameParameter?: string;
  labNameParameter?: string;
  /** Values of secure parameters to register as secrets before anything is logged. */
  secretValues: string[];
  /** Things the user should know (e.g. a lab name in the parameters that the task replaced). */
  warnings: string[];
}

function parameterValue(parameters: DeploymentParameters, name: string): { key: string; entry: DeploymentParameterValue } | undefined {
  const key = Object.keys(parameters).find((k) => k.toLowerCase() === name.toLowerCase());
  const entry = key === undefined ? undefined : parameters[key];
  return key === undefined || entry === undefined ? undefined : { key, entry };
}

/** A copy without a prototype, so a parameter named "__proto__" stays a parameter. */
function copyParameters(parameters: DeploymentParameters): DeploymentParameters {
  return Object.assign(Object.create(null) as DeploymentParameters, parameters);
}

function setParameter(parameters: DeploymentParameters, name: string, value: string): DeploymentParameters {
  const existing = parameterValue(parameters, name);
  const copy = copyParameters(parameters);
  if (existing) delete copy[existing.key];
  copy[name] = { value };
  return copy;
}

/** The value the user gave a parameter (overrides win over the file), before the task sets anything. */
function givenValue(options: PrepareTemplateOptions, name: string): unknown {
  for (const override of options.overrides?.values() ?? []) {
    if (override.name.toLowerCase() === name.toLowerCase()) return override.text;
  }
  const entry = options.fileParameters ? parameterValue(options.fileParameters, name)?.entry : undefined;
  return entry && "value" in entry ? entry.value : undefined;
}

export function prepareTemplateDeployment(options: PrepareTemplateOptions): PreparedTemplateDeployment {
  const { template, inputs } = options;
  const vms = findLabVmResources(template);
  if (vms.length === 0) {
    throw new InputError(inputs.templateInput, `the template creates no lab VM: it needs a resource of type ${LAB_VM_TYPE}.`);
  }
  if (vms.length > 1) {
    throw new InputError(inputs.templateInput, "the template creates more than one lab VM; give a template that creates exactly one, so the task can report its id.");
  }
  const definitions = readTemplateParameters(template as JsonValue, inputs.templateInput);
  const found = findVmTemplateParameters(template);
  const warnings: string[] = [];
  const set: Record<string, JsonValue> = {};

  // The lab always comes from the lab input: a template deploying into another lab would leave the outputs wrong.
  if (found.labNameParameter) {
    const given = givenValue(options, found.labNameParameter);
    if (typeof given === "string" && given.toLowerCase() !== options.labName.toLowerCase()) {
      warnings.push(`The parameters set ${found.labNameParameter} to '${given}'; the task deploys into the lab '${options.labName}' instead.`);
    }
    set[found.labNameParameter] = options.labName;
  }

  let vmName = options.vmName?.trim() || undefined;
  if (found.vmNameParameter) {
    if (!vmName) {
      const given = givenValue(options, found.vmNameParameter) ?? definitions[found.vmNameParameter]?.defaultValue;
      if (typeof given !== "string" || given.trim() === "" || given.trim().startsWith("[")) {
        throw new InputError(inputs.vmNameInput, `is required: the template takes the VM name in its parameter '${found.vmNameParameter}', and neither this input nor the parameters give a name.`);
      }
      vmName = given.trim();
    }
    set[found.vmNameParameter] = vmName;
  } else if (found.literalVmName) {
    if (vmName && vmName.toLowerCase() !== found.literalVmName.toLowerCase()) {
      throw new InputError(inputs.vmNameInput, `the template names its VM '${found.literalVmName}' literally (no parameter), so it cannot be named '${vmName}'. Leave the VM name empty or add a name parameter to the template.`);
    }
    vmName = found.literalVmName;
  } else {
    throw new InputError(inputs.templateInput, `the task cannot tell which template parameter names the VM: the lab VM resource's name uses no parameter it recognises, and there is no parameter named ${VM_NAME_PARAMETERS.slice(0, 3).join(", ")}. Name the VM resource "[concat(parameters('labName'), '/', parameters('newVMName'))]".`);
  }

  // Before any write: undeclared names, wrong types, values outside allowedValues and missing values fail here.
  const merged = mergeParameters(options.fileParameters, options.overrides, definitions, {
    parametersInput: inputs.parametersInput,
    overridesInput: inputs.overridesInput,
    set,
    requireAll: true,
  });
  return {
    template,
    parameters: merged.parameters,
    vmName,
    vmNameParameter: found.vmNameParameter,
    labNameParameter: found.labNameParameter,
    secretValues: merged.secretValues,
    warnings: [...warnings, ...merged.warnings],
  };
}

/** The same deployment for another VM name (a retry with the attempt number appended). */
export function withVmName(prepared: PreparedTemplateDeployment, vmName: string): PreparedTemplateDeployment {
  if (!prepared.vmNameParameter) return prepared;
  return { ...prepared, vmName, parameters: setParameter(prepared.parameters, prepared.vmNameParameter, vmName) };
}

/** The OS of the template's VM when the template states it literally (galleryImageReference.osType), for name rules. */
export function templateVmOsType(template: ArmTemplate): "Windows" | "Linux" | undefined {
  const vm = findLabVmResources(template)[0];
  const properties = vm && isObject(vm.properties) ? vm.properties : undefined;
  const image = properties ? Object.entries(properties).find(([k]) => k.toLowerCase() === "galleryimagereference")?.[1] : undefined;
  if (!isObject(image)) return undefined;
  const osType = Object.entries(image).find(([k]) => k.toLowerCase() === "ostype")?.[1];
  if (typeof osType !== "string") return undefined;
  if (osType.toLowerCase() === "windows") return "Windows";
  if (osType.toLowerCase() === "linux") return "Linux";
  return undefined;
}

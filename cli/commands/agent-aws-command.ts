import { parseArgs } from "node:util";
import { loadAgentConfig, type AwsRolesAnywhereService } from "../../agent/config/index.js";
import { readCredentialProcess } from "../../agent/outputs/aws-credential-files.js";
import { UsageError, type CliIo } from "../output.js";

/** `tessera agent aws credentials [--profile NAME] [-c FILE]` in the usage text. */
export const AGENT_AWS_USAGE = "tessera agent aws credentials [--profile NAME] [-c FILE]   (a credential_process for the AWS CLI and SDKs)";

function pickService(services: AwsRolesAnywhereService[], profile: string | undefined): AwsRolesAnywhereService {
  const names = services.map((s) => s.credentialProfileName);
  if (profile === undefined) {
    if (services.length === 1) return services[0] as AwsRolesAnywhereService;
    throw new UsageError(
      `tessera: --profile is needed: the configuration has ${services.length ? `the profiles ${names.join(", ")}` : "no workload-identity-aws-roles-anywhere service"}`,
    );
  }
  const matches = services.filter((s) => s.credentialProfileName === profile);
  if (matches.length !== 1) {
    throw new UsageError(
      `tessera: ${matches.length ? "more than one" : "no"} workload-identity-aws-roles-anywhere service has credential_profile_name ${JSON.stringify(profile)} (profiles: ${names.join(", ") || "none"})`,
    );
  }
  return matches[0] as AwsRolesAnywhereService;
}

/**
 * `tessera agent aws credentials`: print the AWS credentials the running agent keeps for a profile, as
 * the JSON a `credential_process` prints. Fails (exit 1) when there are none or they have expired.
 */
export async function runAgentAwsCommand(argv: string[], io: CliIo, configPath: (flag: string | undefined) => string): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== "credentials")
    throw new UsageError(`tessera: unknown agent aws command ${JSON.stringify(verb ?? "")}\n\nusage: ${AGENT_AWS_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: "string", short: "c" }, profile: { type: "string" } },
    strict: true,
  });
  const config = await loadAgentConfig(configPath(values.config));
  const services = config.services.filter((s): s is AwsRolesAnywhereService => s.type === "workload-identity-aws-roles-anywhere");
  const output = await readCredentialProcess(pickService(services, values.profile), Date.now());
  io.out(JSON.stringify(output));
  return 0;
}

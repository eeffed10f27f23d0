import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Logger, writeFileAtomic } from "#tessera/core";
import type { RolesAnywhereCredentials } from "#tessera/aws-workload";
import type { AwsRolesAnywhereService } from "../config/index.js";
import { awsCredentialPaths } from "./aws-credential-files.js";

/** A running container-credentials endpoint. */
export interface ContainerCredentialsServer {
  /** For `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  url: string;
  /** For `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`. */
  tokenPath: string;
  close(): Promise<void>;
}

const PATH = "/credentials";
const digest = (value: string) => createHash("sha256").update(value).digest();

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

/**
 * Serve a Roles Anywhere service's credentials in the shape the AWS SDKs read from
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`), on
 * the service's loopback address only, to callers presenting the token the agent wrote (0600) beside
 * the credentials file. A new token is made at every start.
 */
export async function startContainerCredentialsServer(
  service: AwsRolesAnywhereService & { containerCredentialsListen: string },
  source: { credentials(): RolesAnywhereCredentials | undefined },
  logger: Logger,
): Promise<ContainerCredentialsServer> {
  const tokenPath = awsCredentialPaths(service).token;
  const token = randomBytes(32).toString("base64url");
  await writeFileAtomic(tokenPath, token, 0o600);
  const expected = digest(token);
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== PATH)
      return answer(res, 404, { Code: "NotFound", Message: `only GET ${PATH}` });
    if (!timingSafeEqual(digest(req.headers.authorization ?? ""), expected))
      return answer(res, 401, { Code: "AccessDenied", Message: "the Authorization header must hold the agent's token" });
    const c = source.credentials();
    if (!c) return answer(res, 503, { Code: "CredentialsUnavailable", Message: "no valid AWS credentials yet; see the agent's log" });
    return answer(res, 200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      Expiration: c.expiration.toISOString(),
      RoleArn: service.roleArn,
    });
  });
  const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(service.containerCredentialsListen) as RegExpExecArray;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(match[2]), match[1], () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}${PATH}`;
  logger.info("serving AWS container credentials", { profile: service.credentialProfileName, url, token_file: tokenPath });
  return {
    url,
    tokenPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

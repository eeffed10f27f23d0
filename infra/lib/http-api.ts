import { CfnOutput, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as route53 from "aws-cdk-lib/aws-route53";
import * as targets from "aws-cdk-lib/aws-route53-targets";
import { Construct } from "constructs";
import { acknowledgeWildcards } from "./nag.js";
import type { TesseraSettings } from "./settings.js";

/** One function behind the API and the route keys (`POST /v1/join`) it answers. */
export interface ApiTarget {
  function: lambda.IFunction;
  routeKeys: readonly string[];
  /**
   * `iam`: API Gateway checks a SigV4 signature (the admin routes). Otherwise the reason the routes
   * need no authoriser: the function authenticates the caller itself, or the route is public.
   */
  authorization: "iam" | { noAuthorizerReason: string };
}

/** Inputs of `TesseraHttpApi`. */
export interface TesseraHttpApiProps {
  settings: TesseraSettings;
  targets: Record<string, ApiTarget>;
}

/** Splits `POST /v1/admin/bots/{name}` into its method and path. */
export function parseRouteKey(routeKey: string): { method: apigw.HttpMethod; path: string } {
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`infra: route key ${JSON.stringify(routeKey)} is not "METHOD /path"`);
  return { method: match[1] as apigw.HttpMethod, path: match[2] as string };
}

const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latency: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
  caller: "$context.identity.userArn",
};

/**
 * The HTTP API (payload format 2.0) with one route per route key of the functions, IAM
 * authorisation where asked, access logs, stage throttling, an optional custom domain, and a
 * managed policy that lets its holder call the admin routes.
 */
export class TesseraHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly adminPolicy: iam.ManagedPolicy;
  readonly url: string;

  constructor(scope: Construct, id: string, props: TesseraHttpApiProps) {
    super(scope, id);
    const { settings } = props;
    this.api = new apigw.HttpApi(this, "Api", {
      apiName: `${settings.stackPrefix}-${settings.trustDomain}`,
      description: `Tessera SPIFFE issuer for ${settings.trustDomain}`,
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, "AccessLogs", { retention: settings.logRetentionDays as logs.RetentionDays });
    const domainName = settings.customDomain ? this.#domainName(settings.customDomain) : undefined;
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: settings.apiThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      ...(domainName ? { domainMapping: { domainName } } : {}),
    });
    this.url = domainName ? `https://${settings.customDomain!.domainName}/` : this.stage.url;

    const adminResources: string[] = [];
    const authorizer = new HttpIamAuthorizer();
    for (const [name, target] of Object.entries(props.targets)) {
      const integration = new HttpLambdaIntegration(`${name}Integration`, target.function);
      for (const routeKey of target.routeKeys) {
        const { method, path } = parseRouteKey(routeKey);
        const iam = target.authorization === "iam";
        const [route] = this.api.addRoutes({ path, methods: [method], integration, ...(iam ? { authorizer } : {}) });
        if (target.authorization === "iam") {
          adminResources.push(this.api.arnForExecuteApi(method, path.replace(/\{[^}]+\}/g, "*"), "$default"));
        } else {
          Validations.of(route!).acknowledge({ id: "AwsSolutions-APIG4", reason: target.authorization.noAuthorizerReason });
        }
      }
    }
    this.adminPolicy = new iam.ManagedPolicy(this, "AdminPolicy", {
      description: `Call the admin routes of Tessera (${settings.trustDomain})`,
      statements: [new iam.PolicyStatement({ actions: ["execute-api:Invoke"], resources: adminResources })],
    });
    acknowledgeWildcards(
      this.adminPolicy,
      adminResources
        .filter((arn) => arn.includes("*"))
        .map((resource) => ({
          resource,
          reason: "A route with a path parameter ({name}) is only expressible with a wildcard in its execute-api ARN.",
        })),
    );
    new CfnOutput(Stack.of(this), "ApiUrl", { value: this.url, description: "Base URL of the Tessera API" });
    new CfnOutput(Stack.of(this), "AdminPolicyArn", {
      value: this.adminPolicy.managedPolicyArn,
      description: "Attach to the people and roles that administer Tessera",
    });
  }

  #domainName(custom: NonNullable<TesseraSettings["customDomain"]>): apigw.DomainName {
    const domainName = new apigw.DomainName(this, "DomainName", {
      domainName: custom.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, "Certificate", custom.certificateArn),
    });
    if (custom.hostedZoneId && custom.hostedZoneName) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, "Zone", {
        hostedZoneId: custom.hostedZoneId,
        zoneName: custom.hostedZoneName,
      });
      new route53.ARecord(this, "Alias", {
        zone,
        recordName: custom.domainName,
        target: route53.RecordTarget.fromAlias(
          new targets.ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
        ),
      });
    }
    return domainName;
  }
}

// The issuer stack, synthesized once in-process from cdk.json's context: functions, IAM per
// function, the API and its routes, the schedule, the trust anchor, logs, and cdk-nag.
import { Annotations, Match, type Template } from "aws-cdk-lib/assertions";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { ADMIN_ROUTES as adminRoutes, ISSUE_ROUTES as issueRoutes, JOIN_ROUTES as joinRoutes } from "#tessera/contract";
import { routeKeysOf } from "../../infra/lib/issuer-stack.js";
import type { TesseraFunction } from "../../infra/lib/tessera-function.js";
import {
  acknowledgments,
  actionsOf,
  logicalIdOf,
  nagFindings,
  render,
  resourcesOf,
  statementsOfRole,
  synthTessera,
  type Json,
  type Statement,
} from "./support.js";

type Synth = ReturnType<typeof synthTessera>;
let synth: Synth;
let template: Template;
let functions: Record<string, TesseraFunction>;

before(() => {
  synth = synthTessera();
  template = synth.issuerTemplate;
  const { issuer } = synth;
  functions = { join: issuer.join, issue: issuer.issue, admin: issuer.admin, rotate: issuer.rotate, bootstrap: issuer.bootstrap.handler };
});

const ref = (fn: TesseraFunction) => logicalIdOf(synth.issuer, fn.function);
const resourceOf = (fn: TesseraFunction) => template.toJSON().Resources[ref(fn)] as { Properties: Json };
const statementsOf = (fn: TesseraFunction): Statement[] => statementsOfRole(template, logicalIdOf(synth.issuer, fn.role));
const bySid = (fn: TesseraFunction) => Object.fromEntries(statementsOf(fn).map((s) => [s.Sid ?? "Logs", actionsOf(s)]));

const TABLE = /^<TesseraStateful\/PublishOutputFnGetAttTable[0-9A-F]{8}Arn[0-9A-F]{8}>$/;
const BUCKET = /^<TesseraStateful\/PublishOutputFnGetAttBundles[0-9A-F]{8}Arn[0-9A-F]{8}>$/;
const KEYS = "arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*";
const ALIASES = "arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:alias/tessera/example-org/*";
const ANCHORS = "arn:<AWS::Partition>:rolesanywhere:<AWS::Region>:<AWS::AccountId>:trust-anchor/*";
const LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"];
const MANAGE_KEYS = {
  CreateTesseraKeys: ["kms:CreateKey"],
  TagNewTesseraKeys: ["kms:TagResource"],
  UseAndRetireTesseraKeys: [
    "kms:CreateAlias",
    "kms:DescribeKey",
    "kms:GetPublicKey",
    "kms:ScheduleKeyDeletion",
    "kms:Sign",
    "kms:UpdateAlias",
  ],
  PointTesseraAliases: ["kms:CreateAlias", "kms:UpdateAlias"],
};
const PUBLISH = { PublishBundleObjects: ["s3:GetObject", "s3:PutObject"], SeeMissingBundleObjects: ["s3:ListBucket"] };
const CRLS = "arn:<AWS::Partition>:rolesanywhere:<AWS::Region>:<AWS::AccountId>:crl/*";
const PUBLISH_CRLS = {
  PublishCrlObjects: ["s3:GetObject", "s3:PutObject"],
  SeeMissingCrlObjects: ["s3:ListBucket"],
  ReadTrustAnchorForCrls: ["rolesanywhere:GetTrustAnchor"],
  ImportCrls: ["rolesanywhere:ImportCrl", "rolesanywhere:TagResource", "rolesanywhere:UpdateCrl"],
  ListCrls: ["rolesanywhere:ListCrls"],
};

describe("issuer stack: functions", () => {
  it("synthesises no agent-less example unless agentlessExample=true", () => {
    assert.equal(synth.issuer.agentlessExample, undefined);
    assert.ok(!JSON.stringify(template.toJSON()).includes("sts:GetWebIdentityToken"));
  });

  it("runs every Tessera function on arm64 and the newest Node.js runtime, from an ESM bundle", () => {
    for (const [name, fn] of Object.entries(functions)) {
      const props = resourceOf(fn).Properties;
      assert.equal(props.Runtime, "nodejs24.x", name);
      assert.deepEqual(props.Architectures, ["arm64"], name);
      assert.equal(props.Handler, "index.handler", name);
      const asset = join(synth.app.outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, "")}`, "index.mjs");
      assert.ok(existsSync(asset), `${name}: ${asset}`);
      assert.ok(statSync(asset).size > 10_000, `${name}: bundle suspiciously small`);
      assert.match(
        readFileSync(asset, "utf8").slice(0, 200),
        /^import\{createRequire as __tesseraRequire\}from"node:module"|^import \{ createRequire as __tesseraRequire \}/,
        name,
      );
    }
  });

  it("loads each bundle in a fresh Node.js with its configuration (the ESM bundle resolves every import)", () => {
    for (const [name, fn] of Object.entries(functions)) {
      const props = resourceOf(fn).Properties;
      const asset = join(synth.app.outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, "")}`, "index.mjs");
      const script = `const m = await import(${JSON.stringify(asset)}); if (typeof m.handler !== "function") process.exit(3);`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: "us-east-1",
          TESSERA_TRUST_DOMAIN: "example.org",
          TESSERA_TABLE_NAME: "t",
          TESSERA_LOG_LEVEL: "ERROR",
        },
        encoding: "utf8",
      });
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    }
  });

  it("gives each function its own log group with the configured retention", () => {
    for (const [name, fn] of Object.entries(functions)) {
      assert.deepEqual(resourceOf(fn).Properties.LoggingConfig, { LogGroup: { Ref: logicalIdOf(synth.issuer, fn.logGroup) } }, name);
    }
    const groups = Object.values(template.findResources("AWS::Logs::LogGroup"));
    assert.equal(groups.length, 7, "five functions, the Provider framework and the API access log");
    for (const group of groups) assert.equal(group.Properties.RetentionInDays, 90);
  });

  it("configures each function through TESSERA_* variables that bind exactly its resources", () => {
    const env = (fn: TesseraFunction) => resourceOf(fn).Properties.Environment.Variables as Record<string, unknown>;
    const keys = (fn: TesseraFunction) =>
      Object.keys(env(fn))
        .filter((k) => !k.endsWith("_TTL") && !k.endsWith("_HINT"))
        .sort();
    const common = [
      "TESSERA_CA_WARN_FRACTION",
      "TESSERA_JWT_SVIDS",
      "TESSERA_KEY_SPEC",
      "TESSERA_LOG_LEVEL",
      "TESSERA_STORE",
      "TESSERA_TABLE_NAME",
      "TESSERA_TRUST_DOMAIN",
    ];
    const kms = ["TESSERA_KEY_MANAGER", "TESSERA_KMS_ALIAS_PREFIX"];
    const issuer = "TESSERA_ISSUER_URL";
    assert.deepEqual(keys(functions.join!), common);
    // The admin function runs emergency rotations: it makes keys like the rotate function, and names the
    // bucket and the anchor the rotate function publishes its changes to (it reads the anchor, and writes neither).
    assert.deepEqual(keys(functions.admin!), [...common, ...kms, "TESSERA_BUNDLE_BUCKET", "TESSERA_TRUST_ANCHOR_ID", issuer].sort());
    assert.deepEqual(keys(functions.issue!), [...common, ...kms, issuer].sort());
    assert.deepEqual(keys(functions.bootstrap!), [...common, ...kms, "TESSERA_BUNDLE_BUCKET", issuer].sort());
    assert.deepEqual(keys(functions.rotate!), [...common, ...kms, "TESSERA_BUNDLE_BUCKET", "TESSERA_TRUST_ANCHOR_ID", issuer].sort());
    // The warning fraction reaches every function's loadConfig (rotate warns, admin shows it in `tessera ca status`).
    for (const fn of Object.values(functions)) assert.equal(env(fn).TESSERA_CA_WARN_FRACTION, "0.9");
    // Without a custom domain or issuerUrl, the OIDC issuer is the HTTP API's ApiEndpoint (https://<id>.execute-api.<region>.amazonaws.com, no trailing slash).
    for (const fn of [functions.issue!, functions.rotate!, functions.bootstrap!, functions.admin!]) {
      assert.match(render(env(fn).TESSERA_ISSUER_URL), /^<HttpApi[0-9A-F]{8}\.ApiEndpoint>$/);
    }
    assert.equal(env(functions.rotate!).TESSERA_TRUST_DOMAIN, "example.org");
    assert.equal(env(functions.rotate!).TESSERA_KMS_ALIAS_PREFIX, "alias/tessera/example-org/");
    assert.equal(
      render(env(functions.rotate!).TESSERA_TRUST_ANCHOR_ID),
      `<${logicalIdOf(synth.issuer, synth.issuer.bootstrap.resource)}.TrustAnchorId>`,
    );
  });
});

describe("issuer stack: least privilege", () => {
  it("grants each function exactly the actions its code calls", () => {
    // A token join's transaction checks the bot with a ConditionCheck, which IAM authorises as ConditionCheckItem.
    assert.deepEqual(bySid(functions.join!), {
      Logs: LOGS,
      TesseraTable: ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    });
    assert.deepEqual(bySid(functions.issue!), {
      Logs: LOGS,
      TesseraTable: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      SignWithTesseraKeys: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
    });
    assert.deepEqual(bySid(functions.admin!), {
      Logs: LOGS,
      TesseraTable: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      ...MANAGE_KEYS,
      // It publishes nothing (the rotate function publishes its changes from the table's stream): it
      // reads the trust anchor and the CRLs imported for it, for the CA page.
      ReadTrustAnchor: ["rolesanywhere:GetTrustAnchor"],
      ListCrls: ["rolesanywhere:ListCrls"],
    });
    assert.deepEqual(bySid(functions.rotate!), {
      Logs: LOGS,
      TesseraTable: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      ...MANAGE_KEYS,
      ...PUBLISH,
      ...PUBLISH_CRLS,
      ReadTableStream: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      ListTableStreams: ["dynamodb:ListStreams"],
      UpdateTrustAnchor: ["rolesanywhere:GetTrustAnchor", "rolesanywhere:UpdateTrustAnchor"],
    });
    assert.deepEqual(bySid(functions.bootstrap!), {
      Logs: LOGS,
      TesseraTable: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      ...MANAGE_KEYS,
      ...PUBLISH,
      FindTrustAnchor: ["rolesanywhere:ListTrustAnchors"],
      CreateTaggedTrustAnchor: ["rolesanywhere:CreateTrustAnchor", "rolesanywhere:TagResource"],
      ManageOwnTrustAnchor: ["rolesanywhere:GetTrustAnchor", "rolesanywhere:ListTagsForResource", "rolesanywhere:UpdateTrustAnchor"],
    });
  });

  it("scopes each statement to the resources the function uses", () => {
    const resources = (fn: TesseraFunction, sid: string) => resourcesOf(statementsOf(fn).find((s) => s.Sid === sid)!).map(render);
    for (const name of ["join", "issue", "rotate", "bootstrap"]) {
      const [table, ...rest] = resources(functions[name]!, "TesseraTable");
      assert.match(table!, TABLE, name);
      assert.deepEqual(rest, [], `${name} reads no index`);
    }
    const [adminTable, ...indexes] = resources(functions.admin!, "TesseraTable");
    assert.deepEqual(indexes, [`${adminTable}/index/gsi1`, `${adminTable}/index/gsi2`]);
    for (const fn of [functions.rotate!, functions.bootstrap!]) {
      const objects = resources(fn, "PublishBundleObjects");
      assert.deepEqual(
        objects.map((r) => r.replace(/^<[^>]+>/, "")),
        ["/.well-known/jwks.json", "/.well-known/openid-configuration", "/bundle.json", "/bundle.pem"],
      );
      assert.match(objects.find((o) => o.endsWith("/bundle.json"))!.replace(/\/bundle\.json$/, ""), BUCKET);
      assert.match(resources(fn, "SeeMissingBundleObjects")[0]!, BUCKET);
      assert.deepEqual(resources(fn, "PointTesseraAliases"), [ALIASES]);
    }
    assert.deepEqual(resources(functions.rotate!, "UpdateTrustAnchor"), [
      `<${logicalIdOf(synth.issuer, synth.issuer.bootstrap.resource)}.TrustAnchorArn>`,
    ]);
    assert.deepEqual(resources(functions.admin!, "ReadTrustAnchor"), [
      `<${logicalIdOf(synth.issuer, synth.issuer.bootstrap.resource)}.TrustAnchorArn>`,
    ]);
    assert.match(
      resources(functions.rotate!, "ReadTableStream")[0]!,
      /^<TesseraStateful\/PublishOutputFnGetAttTable[0-9A-F]{8}StreamArn[0-9A-F]{8}>$/,
    );
    for (const fn of [functions.rotate!]) {
      assert.deepEqual(
        resources(fn, "PublishCrlObjects").map((r) => r.replace(/^<[^>]+>/, "")),
        ["/crl/x509-ca-a.crl", "/crl/x509-ca-b.crl"],
      );
      assert.deepEqual(resources(fn, "ImportCrls"), [
        `<${logicalIdOf(synth.issuer, synth.issuer.bootstrap.resource)}.TrustAnchorArn>`,
        CRLS,
      ]);
    }
  });

  it("scopes KMS by alias for signing and by the trust-domain tag for managing keys", () => {
    const statement = (fn: TesseraFunction, sid: string) => statementsOf(fn).find((s) => s.Sid === sid)!;
    const sign = statement(functions.issue!, "SignWithTesseraKeys");
    assert.deepEqual(resourcesOf(sign).map(render), [KEYS]);
    assert.deepEqual(sign.Condition, { "ForAnyValue:StringLike": { "kms:ResourceAliases": "alias/tessera/example-org/*" } });
    for (const fn of [functions.rotate!, functions.bootstrap!]) {
      assert.deepEqual(statement(fn, "CreateTesseraKeys").Condition, {
        StringEquals: {
          "aws:RequestTag/tessera:trust-domain": "example.org",
          "kms:KeySpec": "ECC_NIST_P256",
          "kms:KeyUsage": "SIGN_VERIFY",
        },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["tessera:key-id", "tessera:trust-domain"] },
      });
      assert.deepEqual(statement(fn, "UseAndRetireTesseraKeys").Condition, {
        StringEquals: { "aws:ResourceTag/tessera:trust-domain": "example.org" },
      });
      assert.deepEqual(statement(fn, "TagNewTesseraKeys").Condition, {
        StringEquals: { "aws:RequestTag/tessera:trust-domain": "example.org" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["tessera:key-id", "tessera:trust-domain"] },
      });
    }
  });

  it("names no * action anywhere, and a * resource only where IAM offers nothing narrower", () => {
    // Each wildcard that remains, with the condition that narrows it (undefined: the pattern itself is the scope).
    const allowed: { resource: RegExp; sids: (string | undefined)[]; needsCondition: boolean }[] = [
      { resource: /^\*$/, sids: ["CreateTesseraKeys", "FindTrustAnchor", "ListCrls", "ListTableStreams"], needsCondition: false },
      { resource: new RegExp(`^${CRLS.replace(/[*]/g, "\\*")}$`), sids: ["ImportCrls"], needsCondition: false },
      {
        resource: new RegExp(`^${KEYS.replace(/[*]/g, "\\*")}$`),
        sids: ["SignWithTesseraKeys", "TagNewTesseraKeys", "UseAndRetireTesseraKeys"],
        needsCondition: true,
      },
      { resource: new RegExp(`^${ALIASES.replace(/[*]/g, "\\*")}$`), sids: ["PointTesseraAliases"], needsCondition: false },
      {
        resource: new RegExp(`^${ANCHORS.replace(/[*]/g, "\\*")}$`),
        sids: ["CreateTaggedTrustAnchor", "ManageOwnTrustAnchor"],
        needsCondition: true,
      },
      { resource: /^<BootstrapHandlerFunction[0-9A-F]{8}\.Arn>:\*$/, sids: [undefined], needsCondition: false },
      {
        resource:
          /^arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<HttpApi[0-9A-F]{8}>\/\$default\/(GET|DELETE)\/v1\/admin\/bots\/\*$/,
        sids: [undefined],
        needsCondition: false,
      },
      {
        resource:
          /^arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<HttpApi[0-9A-F]{8}>\/\$default\/GET\/v1\/admin\/bots\/\*\/(instances|last-svids)$/,
        sids: [undefined],
        needsCondition: false,
      },
    ];
    const documents = [
      ...Object.values(template.findResources("AWS::IAM::Policy")),
      ...Object.values(template.findResources("AWS::IAM::ManagedPolicy")),
    ].map((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    let wildcards = 0;
    for (const statement of documents.flat()) {
      for (const action of actionsOf(statement)) assert.ok(!action.includes("*"), `wildcard action ${action}`);
      if (statement.Effect !== "Allow") continue;
      for (const resource of resourcesOf(statement)
        .map(render)
        .filter((r) => r.includes("*"))) {
        wildcards++;
        const rule = allowed.find((a) => a.resource.test(resource));
        assert.ok(rule, `wildcard resource ${resource} (${statement.Sid})`);
        assert.ok(rule.sids.includes(statement.Sid), `${resource} in statement ${statement.Sid}`);
        if (rule.needsCondition) assert.ok(statement.Condition, `${resource} in ${statement.Sid} has no condition`);
      }
    }
    assert.ok(wildcards > 0, "the check saw the known wildcards");
  });
});

describe("issuer stack: API", () => {
  it("routes every route key of the functions to that function, with IAM auth on the admin routes only", () => {
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"));
    const integrations = template.findResources("AWS::ApiGatewayV2::Integration");
    const functionOf = (route: Json) => {
      const integration = render(route.Properties.Target).replace(/^integrations\/<(.+)>$/, "$1");
      return render(integrations[integration]!.Properties.IntegrationUri);
    };
    const expected = [
      ...routeKeysOf(joinRoutes).map((key) => [key, functions.join!, "NONE"] as const),
      ...routeKeysOf(issueRoutes).map((key) => [key, functions.issue!, "NONE"] as const),
      ...routeKeysOf(adminRoutes, true).map((key) => [key, functions.admin!, "AWS_IAM"] as const),
    ];
    assert.equal(routes.length, expected.length);
    assert.equal(expected.length, 29);
    for (const key of ["GET /.well-known/openid-configuration", "GET /.well-known/jwks.json"])
      assert.ok(
        expected.some(([k, fn]) => k === key && fn === functions.issue),
        key,
      );
    assert.ok(
      expected.some(([k, fn]) => k === "POST /v1/join/challenge" && fn === functions.join),
      "POST /v1/join/challenge",
    );
    for (const key of ["GET /v1/crl/{ca_id}", "GET /v1/revocations", "GET /v1/trust", "POST /v1/svids/x509/batch"])
      assert.ok(
        expected.some(([k, fn]) => k === key && fn === functions.issue),
        key,
      );
    for (const key of [
      "POST /v1/admin/revocations",
      "GET /v1/admin/revocations",
      "GET /v1/admin/bots/{name}/instances",
      "POST /v1/admin/policy/test",
      "GET /v1/admin/ca/trust-anchor",
      "GET /v1/admin/stats/issuance",
      "GET /v1/admin/bots/{name}/last-svids",
    ])
      assert.ok(
        expected.some(([k, fn]) => k === key && fn === functions.admin),
        key,
      );
    for (const [key, fn, auth] of expected) {
      const route = routes.find((r) => r.Properties.RouteKey === key);
      assert.ok(route, key);
      assert.equal(route.Properties.AuthorizationType, auth, key);
      assert.equal(functionOf(route), `<${ref(fn)}.Arn>`, key);
    }
  });

  it("logs access and throttles the default stage", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it("offers a managed policy for calling exactly the admin routes", () => {
    const [policy] = Object.values(template.findResources("AWS::IAM::ManagedPolicy"));
    const [statement] = policy!.Properties.PolicyDocument.Statement as Statement[];
    assert.deepEqual(actionsOf(statement!), ["execute-api:Invoke"]);
    const paths = resourcesOf(statement!).map((r) => render(r).replace(/^.*\/\$default\//, ""));
    assert.deepEqual(
      paths.sort(),
      routeKeysOf(adminRoutes, true)
        .map((key) => key.replace(" /", "/").replace(/\{[^}]+\}/, "*"))
        .sort(),
    );
  });
});

describe("issuer stack: schedule", () => {
  it("runs the rotate function every 10 minutes", () => {
    const rules = Object.values(template.findResources("AWS::Events::Rule"));
    assert.equal(rules.length, 1);
    assert.equal(rules[0]!.Properties.ScheduleExpression, "rate(10 minutes)");
    assert.deepEqual(
      rules[0]!.Properties.Targets.map((t: { Arn: unknown }) => render(t.Arn)),
      [`<${ref(functions.rotate!)}.Arn>`],
    );
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: ref(functions.rotate!) },
      MaximumRetryAttempts: 0,
    });
  });
});

describe("issuer stack: publishing from the table's stream", () => {
  it("runs the rotate function on the table's stream, filtered to the CA journals and the CRLs, after its role may read it", () => {
    const mappings = Object.entries(template.findResources("AWS::Lambda::EventSourceMapping"));
    assert.equal(mappings.length, 1);
    const [id, mapping] = mappings[0]!;
    const props = mapping.Properties as Json;
    assert.equal(render(props.FunctionName), `<${ref(functions.rotate!)}>`);
    assert.match(render(props.EventSourceArn), /^<TesseraStateful\/PublishOutputFnGetAttTable[0-9A-F]{8}StreamArn[0-9A-F]{8}>$/);
    assert.equal(props.StartingPosition, "LATEST");
    assert.deepEqual(
      (props.FilterCriteria.Filters as { Pattern: string }[]).map((f) => JSON.parse(f.Pattern)),
      [{ dynamodb: { Keys: { pk: { S: ["JOURNAL#x509", "JOURNAL#jwt", "CRL"] } } } }],
    );
    assert.equal(props.MaximumRetryAttempts, 10, "a failing batch is retried, then left to the schedule");
    assert.equal(props.MaximumRecordAgeInSeconds, 3600);
    const policy = logicalIdOf(synth.issuer, functions.rotate!.role.node.findChild("DefaultPolicy"));
    assert.ok((mapping.DependsOn as string[]).includes(policy), `${id} waits for the role's policy`);
  });
});

describe("issuer stack: trust anchor", () => {
  const anchorId = () => logicalIdOf(synth.issuer, synth.issuer.bootstrap.resource);

  it("is made by the custom resource, never owned by CloudFormation", () => {
    template.resourceCountIs("AWS::RolesAnywhere::TrustAnchor", 0);
    const resources = template.findResources("Custom::TesseraBootstrap");
    assert.deepEqual(Object.keys(resources), [anchorId()]);
    const properties = resources[anchorId()]!.Properties as Record<string, unknown>;
    assert.deepEqual(Object.keys(properties).sort(), ["ServiceToken", "TrustAnchorName", "TrustAnchorRemovalPolicy", "TrustDomain"]);
    assert.deepEqual(
      { ...properties, ServiceToken: undefined },
      {
        ServiceToken: undefined,
        TrustDomain: "example.org",
        TrustAnchorName: "tessera-example-org",
        TrustAnchorRemovalPolicy: "retain",
      },
    );
  });

  it("carries no certificate data anywhere in either template", () => {
    for (const t of [template, synth.statefulTemplate]) {
      const text = JSON.stringify(t.toJSON());
      for (const needle of ["BEGIN CERTIFICATE", "X509CertificateData", "x509CertificateData", "SourceData", "CERTIFICATE_BUNDLE"]) {
        assert.ok(!text.includes(needle), `template contains ${needle}`);
      }
    }
  });

  it("feeds the anchor the bootstrap function made to the profile's example role", () => {
    const role = template.toJSON().Resources[logicalIdOf(synth.issuer, synth.issuer.rolesAnywhere!.exampleRole)];
    assert.deepEqual(role.Properties.AssumeRolePolicyDocument.Statement, [
      {
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
        Effect: "Allow",
        Principal: { Service: "rolesanywhere.amazonaws.com" },
        Condition: {
          ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [anchorId(), "TrustAnchorArn"] } },
          StringEquals: { "aws:PrincipalTag/x509SAN/URI": "spiffe://example.org/aws/example" },
        },
      },
    ]);
    assert.equal(role.Properties.Policies, undefined, "the example role grants nothing by itself");
    template.hasResourceProperties("AWS::RolesAnywhere::Profile", {
      Enabled: true,
      RoleArns: [{ "Fn::GetAtt": [logicalIdOf(synth.issuer, synth.issuer.rolesAnywhere!.exampleRole), "Arn"] }],
    });
  });

  it("outputs the API URL, the bundle URLs and the trust anchor ARN", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(Object.keys(outputs).sort(), [
      "AdminPolicyArn",
      "ApiUrl",
      "BundleObjectUrl",
      "BundleUrl",
      "ExampleRoleArn",
      "OidcIssuerUrl",
      "ProfileArn",
      "TrustAnchorArn",
    ]);
    assert.match(render(outputs.OidcIssuerUrl!.Value), /^<HttpApi[0-9A-F]{8}\.ApiEndpoint>$/);
    assert.equal(render(outputs.TrustAnchorArn!.Value), `<${anchorId()}.TrustAnchorArn>`);
    assert.match(
      render(outputs.BundleUrl!.Value),
      /^https:\/\/<HttpApi[0-9A-F]{8}>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/v1\/bundle$/,
    );
    assert.match(render(outputs.BundleObjectUrl!.Value), /^s3:\/\/<TesseraStateful\/PublishOutputRefBundles[0-9A-F]+>\/bundle\.json$/);
  });
});

describe("cdk-nag (AwsSolutions) on the whole app", () => {
  it("leaves no unacknowledged error or warning", () => {
    assert.deepEqual(nagFindings(synth.app), []);
  });

  it("gives every acknowledgment a reason, on the resource it concerns", () => {
    const acks = acknowledgments(synth.app);
    assert.ok(acks.length >= 10);
    for (const ack of acks) {
      assert.equal(typeof ack.reason, "string", ack.id);
      assert.ok((ack.reason as string).length >= 30, `${ack.path} ${ack.id}: reason too short`);
      assert.notEqual(ack.path.split("/").length, 1, `${ack.id} acknowledged on a whole stack`);
    }
  });

  it("adds no CDK warning or error annotation", () => {
    for (const stack of [synth.issuer, synth.stateful]) {
      assert.deepEqual(Annotations.fromStack(stack).findError("*", Match.anyValue()), []);
      assert.deepEqual(Annotations.fromStack(stack).findWarning("*", Match.anyValue()), []);
    }
  });
});

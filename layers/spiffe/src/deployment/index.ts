/**
 * deployment: what a deployment's custom resource runs. `bootstrapDeployment` makes the first
 * authorities, publishes the bundle and settles Tessera's IAM Roles Anywhere trust anchor (keep,
 * adopt or create); `removeDeployment` deletes that anchor only under the destroy policy.
 */
export {
  bootstrapDeployment,
  type BootstrapDeploymentDeps,
  type BootstrapDeploymentOptions,
  type BootstrapDeploymentResult,
} from "./bootstrap-deployment.js";
export {
  removeDeployment,
  type RemoveDeploymentDeps,
  type RemoveDeploymentOptions,
  type TrustAnchorRemovalPolicy,
} from "./remove-deployment.js";
export { BOOTSTRAP_DEPLOYMENT_STORE } from "./store-parts.js";

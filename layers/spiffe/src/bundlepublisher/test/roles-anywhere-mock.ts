// Test-only: aws-sdk-client-mock over the Roles Anywhere client. The installed client (3.332) is
// built on an older SDK core than aws-sdk-client-mock's types expect, so this wrapper gives the
// mock a narrow type of its own; at run time it is aws-sdk-client-mock unchanged.
import { RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { mockClient } from "aws-sdk-client-mock";

type CommandClass = new (input: never) => unknown;
type InputOf<C extends CommandClass> = ConstructorParameters<C>[0];

/** What a stubbed command answers. */
export interface Behaviour {
  resolves(output: object): Behaviour;
  resolvesOnce(output: object): Behaviour;
  rejects(error: Error): Behaviour;
  rejectsOnce(error: Error): Behaviour;
}

/** The parts of aws-sdk-client-mock's stub the tests use. */
export interface RolesAnywhereMock {
  on<C extends CommandClass>(command: C, input?: Partial<InputOf<C>>): Behaviour;
  commandCalls<C extends CommandClass>(command: C): { args: [{ input: InputOf<C> }] }[];
  calls(): { args: [object] }[];
  reset(): void;
}

/** Mock every `RolesAnywhereClient` (aws-sdk-client-mock's `mockClient`). */
export function mockRolesAnywhere(): RolesAnywhereMock {
  return mockClient(RolesAnywhereClient as never) as unknown as RolesAnywhereMock;
}

/** A client whose calls the mock answers. */
export function rolesAnywhereClient(): RolesAnywhereClient {
  return new RolesAnywhereClient({ region: "us-east-1" });
}

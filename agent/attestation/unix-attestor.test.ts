import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WorkloadAttestationError, attestUnix, type AttestUnixOptions, type PeerCredentials } from "./index.js";

// A fake procfs: /proc/<pid>/{stat,status,exe} as attestUnix reads them.
async function fakeProcess(root: string, pid: number, p: { startTime: string; uid: number; gid: number; exe: string }) {
  const dir = join(root, String(pid));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const afterComm = ["S", ...Array.from({ length: 18 }, (_, i) => String(i + 1)), p.startTime, "0", "0"];
  await writeFile(join(dir, "stat"), `${pid} (a) (b c) ${afterComm.join(" ")}\n`);
  await writeFile(join(dir, "status"), `Name:\tx\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\nGid:\t${p.gid}\t${p.gid}\t${p.gid}\t${p.gid}\n`);
  await symlink(p.exe, join(dir, "exe"));
}

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

describe("attestUnix", () => {
  let root: string;
  let proc: string;
  let exe: string;
  let options: AttestUnixOptions;
  const creds: PeerCredentials = { pid: 4242, uid: 1001, gid: 1002, startTime: "777" };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tessera-unix-attestor-"));
    proc = join(root, "proc");
    exe = join(root, "bin", "app");
    await mkdir(join(root, "bin"));
    await writeFile(exe, "#!/bin/sh\necho version 1\n");
    await writeFile(join(root, "passwd"), "# comment\nroot:x:0:0::/root:/bin/sh\napp:x:1001:1002::/:/bin/false\nalias:x:1001:1002::/:/bin/false\n");
    await writeFile(join(root, "group"), "root:x:0:\napps:x:1002:app\n");
    options = { procRoot: proc, passwdPath: join(root, "passwd"), groupPath: join(root, "group") };
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("gives every selector for a live process", async () => {
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    const selectors = await attestUnix(creds, options);
    assert.deepEqual(
      [...selectors].sort(),
      [
        "unix:gid:1002",
        "unix:group:apps",
        `unix:path:${exe}`,
        "unix:pid:4242",
        `unix:sha256:${sha256("#!/bin/sh\necho version 1\n")}`,
        "unix:uid:1001",
        "unix:user:app",
      ].sort(),
    );
  });

  it("notices a rewritten executable instead of serving a cached hash", async () => {
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    assert.ok((await attestUnix(creds, options)).has(`unix:sha256:${sha256("#!/bin/sh\necho version 1\n")}`));
    await appendFile(exe, "echo version 2\n");
    const selectors = await attestUnix(creds, options);
    assert.ok(selectors.has(`unix:sha256:${sha256("#!/bin/sh\necho version 1\necho version 2\n")}`));
    assert.equal([...selectors].filter((s) => s.startsWith("unix:sha256:")).length, 1);
  });

  it("skips the hash when asked, or when the file is over the size bound", async () => {
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    for (const extra of [{ sha256: false }, { maxHashBytes: 8 }]) {
      const selectors = await attestUnix(creds, { ...options, ...extra });
      assert.ok(selectors.has(`unix:path:${exe}`), JSON.stringify(extra));
      assert.ok(![...selectors].some((s) => s.startsWith("unix:sha256:")), JSON.stringify(extra));
    }
  });

  const credentialOnly = ["unix:gid:1002", "unix:group:apps", "unix:pid:4242", "unix:uid:1001", "unix:user:app"];
  const reused: [string, { startTime: string; uid: number; gid: number }][] = [
    ["another start time (pid reused)", { startTime: "778", uid: 1001, gid: 1002 }],
    ["another owner", { startTime: "777", uid: 0, gid: 1002 }],
    ["another group", { startTime: "777", uid: 1001, gid: 0 }],
  ];
  for (const [name, p] of reused) {
    it(`gives only credential selectors when the pid shows ${name}`, async () => {
      await fakeProcess(proc, 4242, { ...p, exe });
      assert.deepEqual([...(await attestUnix(creds, options))].sort(), credentialOnly);
    });
  }

  it("gives only credential selectors once the process is gone", async () => {
    await rm(join(proc, "4242"), { recursive: true, force: true });
    assert.deepEqual([...(await attestUnix(creds, options))].sort(), credentialOnly);
  });

  it("gives no pid or process selectors for pid 0 (another pid namespace)", async () => {
    const selectors = await attestUnix({ pid: 0, uid: 0, gid: 0 }, options);
    assert.deepEqual([...selectors].sort(), ["unix:gid:0", "unix:group:root", "unix:uid:0", "unix:user:root"]);
  });

  it("leaves out names that the passwd and group files lack", async () => {
    const selectors = await attestUnix({ pid: 0, uid: 5, gid: 6 }, options);
    assert.deepEqual([...selectors].sort(), ["unix:gid:6", "unix:uid:5"]);
    const noFiles = await attestUnix({ pid: 0, uid: 0, gid: 0 }, { passwdPath: join(root, "none"), groupPath: join(root, "none") });
    assert.deepEqual([...noFiles].sort(), ["unix:gid:0", "unix:uid:0"]);
  });

  it("fails loudly on a /proc it cannot parse", async () => {
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    await writeFile(join(proc, "4242", "stat"), "garbage");
    await assert.rejects(attestUnix(creds, options), (err: unknown) => {
      assert.ok(err instanceof WorkloadAttestationError);
      assert.equal(err.code, "ERR_WORKLOAD_ATTESTATION");
      assert.match(err.message, /^attestation: cannot inspect process 4242: /);
      return true;
    });
  });

  it("reads the real /proc and /etc for this process", async () => {
    const selectors = await attestUnix({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    assert.ok(selectors.has(`unix:pid:${process.pid}`));
    assert.ok(selectors.has(`unix:uid:${process.getuid!()}`));
    assert.ok([...selectors].some((s) => s.startsWith("unix:path:/")));
  });
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  WorkloadAttestationError,
  attestUnix,
  createProcessCache,
  selectorKindsOf,
  type AttestUnixOptions,
  type Executable,
  type PeerCredentials,
} from "./index.js";

// A fake procfs: /proc/<pid>/{stat,status,exe} as attestUnix reads them.
async function fakeProcess(root: string, pid: number, p: { startTime: string; uid: number; gid: number; exe: string }) {
  const dir = join(root, String(pid));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const afterComm = ["S", ...Array.from({ length: 18 }, (_, i) => String(i + 1)), p.startTime, "0", "0"];
  await writeFile(join(dir, "stat"), `${pid} (a) (b c) ${afterComm.join(" ")}\n`);
  await writeFile(
    join(dir, "status"),
    `Name:\tx\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\nGid:\t${p.gid}\t${p.gid}\t${p.gid}\t${p.gid}\n`,
  );
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
    await writeFile(
      join(root, "passwd"),
      "# comment\nroot:x:0:0::/root:/bin/sh\napp:x:1001:1002::/:/bin/false\nalias:x:1001:1002::/:/bin/false\n",
    );
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

  it("computes only the kinds the configured selectors use: no /proc for uid and gid, no names unless asked", async () => {
    await rm(join(proc, "4242"), { recursive: true, force: true });
    const table: [string[], string[]][] = [
      [
        ["unix:uid:1001", "unix:gid:1002"],
        ["unix:gid:1002", "unix:pid:4242", "unix:uid:1001"],
      ],
      [["unix:user:app"], ["unix:gid:1002", "unix:pid:4242", "unix:uid:1001", "unix:user:app"]],
      [["unix:group:apps"], ["unix:gid:1002", "unix:group:apps", "unix:pid:4242", "unix:uid:1001"]],
    ];
    for (const [configured, expected] of table) {
      // /proc/4242 is absent: an attestor that looked would fail on a process with a start time.
      const selectors = await attestUnix(creds, { ...options, kinds: selectorKindsOf(configured) });
      assert.deepEqual([...selectors].sort(), expected, configured.join(" "));
    }
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    const pathOnly = await attestUnix(creds, { ...options, kinds: selectorKindsOf([`unix:path:${exe}`]) });
    assert.deepEqual([...pathOnly].sort(), ["unix:gid:1002", `unix:path:${exe}`, "unix:pid:4242", "unix:uid:1001"]);
  });

  it("inspects a process once with a process cache, and again when its pid is reused (another start time)", async () => {
    const other = join(root, "bin", "other");
    await writeFile(other, "#!/bin/sh\necho other\n");
    const cached = { ...options, sha256: false, processCache: createProcessCache<Executable | undefined>() } satisfies AttestUnixOptions;
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    assert.ok((await attestUnix(creds, cached)).has(`unix:path:${exe}`));
    // The same process (pid and start time): what the first connection saw, /proc not read again.
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe: other });
    assert.ok((await attestUnix(creds, cached)).has(`unix:path:${exe}`));
    // The pid now names another process: it is inspected, never given the first one's path.
    await fakeProcess(proc, 4242, { startTime: "778", uid: 1001, gid: 1002, exe: other });
    const reused = await attestUnix({ ...creds, startTime: "778" }, cached);
    assert.ok(reused.has(`unix:path:${other}`), [...reused].join(" "));
    assert.ok(!reused.has(`unix:path:${exe}`));
  });

  it("inspects a cached process again when the kernel reports other ids for it", async () => {
    const cached = { ...options, sha256: false, processCache: createProcessCache<Executable | undefined>() } satisfies AttestUnixOptions;
    await fakeProcess(proc, 4242, { startTime: "777", uid: 1001, gid: 1002, exe });
    assert.ok((await attestUnix(creds, cached)).has(`unix:path:${exe}`));
    const asRoot = await attestUnix({ ...creds, uid: 0 }, cached);
    assert.ok(![...asRoot].some((s) => s.startsWith("unix:path:")), [...asRoot].join(" "));
  });

  it("keeps no process that had exited, and at most the cache's bound", async () => {
    const cache = createProcessCache<Executable | undefined>(2);
    const cached = { ...options, sha256: false, processCache: cache } satisfies AttestUnixOptions;
    await rm(join(proc, "4242"), { recursive: true, force: true });
    await attestUnix(creds, cached);
    assert.equal(cache.size, 0);
    for (const pid of [1, 2, 3]) {
      await fakeProcess(proc, pid, { startTime: "5", uid: 1001, gid: 1002, exe });
      assert.ok((await attestUnix({ ...creds, pid, startTime: "5" }, cached)).has(`unix:path:${exe}`));
    }
    assert.equal(cache.size, 2);
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

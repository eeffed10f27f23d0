/**
 * files: the files Tessera keeps and hands out, written so that a reader or a crash never sees
 * half a file. `writeFileAtomic` is the one atomic replace (temp file, exact mode, fsync, rename,
 * fsync of the directory) that the disk key manager, the embedded store, the agent and the CLI
 * share; `writeX509SvidFiles` writes an X.509-SVID as spiffe-helper's three PEM files.
 */
export { removeAtomicWriteLeftovers, syncDirectory, writeFileAtomic } from "./write-file-atomic.js";
export { DEFAULT_X509_SVID_FILE_NAMES, writeX509SvidFiles, type X509SvidFileNames, type X509SvidFiles } from "./write-x509-svid-files.js";

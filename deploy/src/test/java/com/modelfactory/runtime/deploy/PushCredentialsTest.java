package com.modelfactory.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build-image.sh --push: how credentials reach the builder. A stand-in `podman` on PATH records each call
 * (argv, its login store, what login read on stdin, whether REGISTRY_PASSWORD leaked into its
 * environment). The push to a real registry is proven by deploy/ci/registry-test.sh.
 */
class PushCredentialsTest {
    private static final String SCRIPT = "build-image.sh";
    private static final String PASSWORD = "s3cret-Pa55-word";
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;
    Path log;
    Map<String, String> env;

    @BeforeEach
    void fakePodman() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        log = dir.resolve("podman.log");
        Files.writeString(bin.resolve("podman"), """
                #!/usr/bin/env bash
                { printf 'argv:'; printf ' %s' "$@"; echo
                  echo "store:${REGISTRY_AUTH_FILE:-none}"
                  echo "password-env:${REGISTRY_PASSWORD+set}"; } >>"$FAKE_LOG"
                case "$1" in
                  login)
                    pw=$(cat); echo "stdin:$pw" >>"$FAKE_LOG"
                    [[ "$pw" == "$FAKE_PASSWORD" ]] || { echo "unauthorized" >&2; exit 125; }
                    echo '{"auths":{}}' >"$REGISTRY_AUTH_FILE"; echo "Login Succeeded!" ;;
                  push)
                    while [[ $# -gt 0 ]]; do [[ "$1" == --digestfile ]] && printf '%s' "$FAKE_DIGEST" >"$2"; shift; done ;;
                esac
                """);
        bin.resolve("podman").toFile().setExecutable(true);
        env = new HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH"), "FAKE_LOG", log.toString(),
                "FAKE_PASSWORD", PASSWORD, "FAKE_DIGEST", DIGEST, "TMPDIR", dir.toString()));
    }

    private Scripts.Result push(String stdin, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--no-build", "--builder", "podman", "--tag",
                "factory/tiny-cnn:1", "--push", "127.0.0.1:5999", "--insecure-registry"));
        args.addAll(List.of(extra));
        return Scripts.runWithInput(env, stdin, SCRIPT, args.toArray(String[]::new));
    }

    private List<String> calls(String prefix) throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void passwordFromStdinReachesLoginOnItsStdinOnly() throws Exception {
        Scripts.Result r = push(PASSWORD + "\n", "--registry-user", "ci", "--password-stdin");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("127.0.0.1:5999/factory/tiny-cnn@" + DIGEST + "\n", r.stdout(), "the digest, alone on stdout");
        assertEquals(List.of("stdin:" + PASSWORD), calls("stdin:"), "no trailing newline handed on");
        List<String> argv = calls("argv:");
        assertEquals(List.of(
                "argv: login --tls-verify=false --username ci --password-stdin 127.0.0.1:5999",
                "argv: tag factory/tiny-cnn:1 127.0.0.1:5999/factory/tiny-cnn:1",
                "argv: push --tls-verify=false --digestfile " + argv.get(2).split(" ")[4] + " 127.0.0.1:5999/factory/tiny-cnn:1"),
                argv);
        assertNoPasswordAnywhere(r);
        // login and push share a throwaway login store, gone afterwards
        List<String> stores = calls("store:");
        assertTrue(stores.get(0).startsWith("store:" + dir.resolve("model-runtime-login.")), stores.toString());
        assertEquals(stores.get(0), stores.get(2), "push uses the login's store");
        assertFalse(Files.exists(Path.of(stores.get(0).substring("store:".length()))), "login store left behind");
    }

    @Test
    void passwordFromTheEnvironmentIsNotInheritedByTheBuilder() throws Exception {
        env.put("REGISTRY_USER", "ci");
        env.put("REGISTRY_PASSWORD", PASSWORD);
        Scripts.Result r = push("");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(List.of("stdin:" + PASSWORD), calls("stdin:"));
        assertTrue(calls("password-env:").stream().allMatch(l -> l.equals("password-env:")),
                "REGISTRY_PASSWORD reached the builder's environment: " + calls("password-env:"));
        assertNoPasswordAnywhere(r);
    }

    @Test
    void aRefusedLoginStopsBeforeAnythingIsPushed() throws Exception {
        Scripts.Result r = push("wrong\n", "--registry-user", "ci", "--password-stdin");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("login to 127.0.0.1:5999 as ci failed"), r.stderr());
        assertTrue(calls("argv: push").isEmpty(), "pushed after a failed login");
    }

    @Test
    void withoutCredentialsTheBuildersOwnLoginIsUsed() throws Exception {
        Scripts.Result r = push("");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(calls("argv: login").isEmpty());
        assertTrue(calls("store:").stream().allMatch(l -> l.equals("store:none")), calls("store:").toString());
    }

    @Test
    void refusesAPasswordAsAnArgumentAndIncompleteCredentials() throws Exception {
        Scripts.Result asArgument = push("", "--password", PASSWORD);
        assertEquals(2, asArgument.exitCode());
        assertTrue(asArgument.stderr().contains("never an argument"), asArgument.stderr());
        env.put("REGISTRY_PASSWORD", PASSWORD);
        Scripts.Result noUser = push("");
        assertEquals(2, noUser.exitCode());
        assertTrue(noUser.stderr().contains("needs a user"), noUser.stderr());
        env.remove("REGISTRY_PASSWORD");
        Scripts.Result noPassword = push("", "--registry-user", "ci");
        assertEquals(2, noPassword.exitCode());
        assertTrue(noPassword.stderr().contains("without a password"), noPassword.stderr());
        assertFalse(Files.exists(log), "the builder was called");
    }

    private void assertNoPasswordAnywhere(Scripts.Result r) throws Exception {
        assertFalse(r.stdout().contains(PASSWORD) || r.stderr().contains(PASSWORD), "password in the output");
        assertTrue(calls("argv:").stream().noneMatch(l -> l.contains(PASSWORD)), "password in an argv");
    }
}

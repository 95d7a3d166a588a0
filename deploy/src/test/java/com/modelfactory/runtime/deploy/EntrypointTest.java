package com.modelfactory.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The image entrypoint's HOSTS handling and defaults, run against a scratch hosts file. */
class EntrypointTest {
    private static final String ENTRYPOINT = "image/entrypoint.sh";
    private static final String ORIGINAL = "127.0.0.1 localhost\n";

    @TempDir
    Path dir;
    Path hosts;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        hosts = dir.resolve("hosts");
        Files.writeString(hosts, ORIGINAL);
        Files.createDirectories(dir.resolve("home/config"));
        env = new HashMap<>(Map.of(
                "MODEL_RUNTIME_HOSTS_FILE", hosts.toString(),
                "MODEL_RUNTIME_HOME", dir.resolve("home").toString(),
                "MODEL_RUNTIME_USER", "root"));
    }

    @Test
    void appendsEveryEntryAsIpSpaceHostname() throws Exception {
        env.put("HOSTS", "10.0.0.5<->store.factory.local, 10.0.0.6<->db-1 ,fe80::1<->v6.local,");
        Scripts.Result r = Scripts.run(env, ENTRYPOINT, "--check-hosts-only");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(ORIGINAL + "10.0.0.5 store.factory.local\n10.0.0.6 db-1\nfe80::1 v6.local\n",
                Files.readString(hosts));
    }

    @Test
    void aSecondStartDoesNotDuplicateEntries() throws Exception {
        env.put("HOSTS", "10.0.0.5<->store.factory.local");
        assertEquals(0, Scripts.run(env, ENTRYPOINT, "--check-hosts-only").exitCode());
        assertEquals(0, Scripts.run(env, ENTRYPOINT, "--check-hosts-only").exitCode());
        assertEquals(ORIGINAL + "10.0.0.5 store.factory.local\n", Files.readString(hosts));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.5 store                      | expected IP<->hostname",
        "10.0.0.256<->store                  | is not an IPv4 or IPv6 address",
        "<->store                            | is not an IPv4 or IPv6 address",
        "store<->10.0.0.5                    | is not an IPv4 or IPv6 address",
        "10.0.0.5<->bad_name                 | is not a valid hostname",
        "10.0.0.5<->                         | is not a valid hostname",
        "10.0.0.5<->-leading-hyphen          | is not a valid hostname",
    })
    void rejectsAMalformedEntryAndWritesNothing(String bad, String message) throws Exception {
        env.put("HOSTS", "10.0.0.1<->good.local," + bad);
        Scripts.Result r = Scripts.run(env, ENTRYPOINT, "--check-hosts-only");
        assertEquals(64, r.exitCode());
        assertTrue(r.stderr().contains("malformed HOSTS entry '" + bad.strip() + "'") && r.stderr().contains(message),
                r.stderr());
        assertEquals(ORIGINAL, Files.readString(hosts), "nothing is written when one entry is bad");
    }

    @Test
    void deliveryDefaultsApplyOnlyWhereTheEnvironmentIsSilent() throws Exception {
        Files.writeString(dir.resolve("home/config/delivery.env"),
                "# comment\nMODEL_PATH=/models/model.onnx\nMODEL_CONFIG=/opt/model-runtime/config/model-config.yaml\n");
        Scripts.Result baked = Scripts.run(env, ENTRYPOINT, "printenv", "MODEL_PATH", "MODEL_CONFIG");
        assertEquals(0, baked.exitCode(), baked.stderr());
        assertEquals("/models/model.onnx\n/opt/model-runtime/config/model-config.yaml\n", baked.stdout());

        env.put("MODEL_PATH", "/data/other.onnx");
        Scripts.Result overridden = Scripts.run(env, ENTRYPOINT, "printenv", "MODEL_PATH");
        assertEquals("/data/other.onnx\n", overridden.stdout());
    }

    /** A stand-in launcher that prints how it was called: "launcher", then one argument per line. */
    private void fakeLauncher() throws Exception {
        Path launcher = Files.createDirectories(dir.resolve("home/bin")).resolve("model-server");
        Files.writeString(launcher, "#!/usr/bin/env bash\necho launcher\nfor a in \"$@\"; do echo \"$a\"; done\n");
        launcher.toFile().setExecutable(true);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no command: the server                  | ''                         | launcher",
        "options go to the server                | --port 6000                | launcher,--port,6000",
        "batch runs model-server batch           | batch --input /data        | launcher,batch,--input,/data",
        "the launcher by its name                | model-server batch --resume | launcher,batch,--resume",
    })
    void choosesTheLauncherForServerAndBatchCommands(String what, String args, String expected) throws Exception {
        fakeLauncher();
        String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
        Scripts.Result r = Scripts.run(env, ENTRYPOINT, argv);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(String.join("\n", expected.split(",")) + "\n", r.stdout(), what);
    }

    @Test
    void anyOtherCommandRunsAsIsWithOnlyItsOutputOnStdout() throws Exception {
        // As YMIR inspects images: `docker run IMAGE cat /img-man/manifest.yaml` must print just the file,
        // even when HOSTS makes the entrypoint talk.
        fakeLauncher();
        Path manifest = Files.writeString(dir.resolve("manifest.yaml"), "object_type: 1\n");
        env.put("HOSTS", "10.0.0.5<->store.factory.local");
        Scripts.Result r = Scripts.run(env, ENTRYPOINT, "cat", manifest.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("object_type: 1\n", r.stdout());
        assertTrue(r.stderr().contains("store.factory.local"), r.stderr());
    }

    @Test
    void refusesWhenHostsCannotBeWritten() throws Exception {
        env.put("MODEL_RUNTIME_HOSTS_FILE", dir.resolve("missing-dir/hosts").toString());
        env.put("HOSTS", "10.0.0.5<->store.factory.local");
        Scripts.Result r = Scripts.run(env, ENTRYPOINT, "--check-hosts-only");
        assertEquals(64, r.exitCode());
        assertTrue(r.stderr().contains("is not writable"), r.stderr());
    }
}

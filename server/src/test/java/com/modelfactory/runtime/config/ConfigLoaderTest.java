package com.modelfactory.runtime.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsApplyWithNothingSet() {
        RuntimeConfig c = ConfigLoader.load(new String[0], Map.of());
        assertEquals(5000, c.server().port());
        assertEquals(Device.AUTO, c.model().device());
        assertEquals(64L * 1024 * 1024, c.server().maxBodyBytes());
        assertEquals(null, c.model().location());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsYamlWhichBeatsDefaults() throws Exception {
        Path yaml = dir.resolve("model-config.yaml");
        Files.writeString(yaml, "port: 6000\nmax_batch_size: 4\nbatching:\n  queue_capacity: 9\n"
                + "model:\n  device: cpu\n  model_name: leaf\n");
        RuntimeConfig fromYaml = ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of());
        assertEquals(6000, fromYaml.server().port());
        assertEquals(4, fromYaml.batching().maxBatchSize().getAsInt());
        assertEquals(9, fromYaml.batching().queueCapacity(), "keys may be grouped in sections");
        assertEquals("leaf", fromYaml.model().name(), "a model: mapping is a section, not the model path");

        RuntimeConfig envWins = ConfigLoader.load(new String[] {"--config", yaml.toString()},
                Map.of("PORT", "7000", "MAX_BATCH_SIZE", "8"));
        assertEquals(7000, envWins.server().port());
        assertEquals(8, envWins.batching().maxBatchSize().getAsInt());

        RuntimeConfig flagWins = ConfigLoader.load(new String[] {"--config", yaml.toString(), "--port=8000"},
                Map.of("PORT", "7000"));
        assertEquals(8000, flagWins.server().port());
        assertEquals(Device.CPU, flagWins.model().device());
    }

    /** The machine facts engines use come from here, never from the engines reading the environment. */
    @Test
    void engineEnvironmentComesFromTheConfiguration() {
        RuntimeConfig c = ConfigLoader.load(new String[0], Map.of("MODEL_RUNTIME_NATIVE_DIR", "/opt/natives",
                "CUDA_VISIBLE_DEVICES", "-1", "DJL_CACHE_DIR", "/opt/djl"));
        assertEquals(Path.of("/opt/natives"), c.model().nativeCacheDir());
        assertEquals("-1", c.model().cudaVisibleDevices());
        assertEquals(Path.of("/opt/djl"), c.model().djlCacheDir());
        RuntimeConfig none = ConfigLoader.load(new String[0], Map.of());
        assertEquals(com.modelfactory.runtime.engine.NativeCache.defaultRoot(), none.model().nativeCacheDir());
        assertEquals(null, none.model().cudaVisibleDevices());
    }

    @Test
    void configBesideTheModelIsFoundWithoutBeingNamed() throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.write(model, new byte[] {1});
        Files.writeString(dir.resolve("model-config.yaml"), "max_batch_delay_ms: 7\n");
        RuntimeConfig c = ConfigLoader.load(new String[] {"--model", model.toString()}, Map.of());
        assertEquals(java.time.Duration.ofMillis(7), c.batching().maxBatchDelay());
    }

    @Test
    void unknownYamlKeysAreReportedNotFatal() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "port: 5001\nmax_btch_size: 4\n");
        RuntimeConfig c = ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("max_btch_size"));
    }

    @Test
    void invalidValuesStopStartUpNamingTheSetting() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[0], Map.of("PORT", "eighty")));
        assertTrue(e.getMessage().contains("PORT") && e.getMessage().contains("eighty"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--device", "tpu"}, Map.of()));
        assertTrue(e.getMessage().contains("cuda:N"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--max-batch-size", "-1"}, Map.of()));
        assertTrue(e.getMessage().contains("MAX_BATCH_SIZE"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--bogus", "1"}, Map.of()));
        assertTrue(e.getMessage().contains("--bogus"), e.getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", "/nonexistent.yaml"},
                Map.of()));
    }

    @Test
    void tensorSpecsFromYamlAndEnv() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "inputs:\n  - name: x\n    datatype: INT64\n    shape: [-1, 3]\nmean: [0.5, 0.4, 0.3]\n");
        RuntimeConfig c = ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of());
        assertEquals("x", c.model().inputs().get(0).name());
        assertEquals(DataType.INT64, c.model().inputs().get(0).dataType());
        assertArrayEquals(new long[] {-1, 3}, c.model().inputs().get(0).shape());
        assertArrayEquals(new float[] {0.5f, 0.4f, 0.3f}, c.image().mean());

        RuntimeConfig env = ConfigLoader.load(new String[0], Map.of("MODEL_INPUTS", "a:FP32:1x3x224x224,b",
                "MODEL_STORE_HEADERS", "Authorization:Bearer x,X-Team:vision"));
        assertArrayEquals(new long[] {1, 3, 224, 224}, env.model().inputs().get(0).shape());
        assertEquals(null, env.model().inputs().get(1).shape());
        assertEquals("Bearer x", env.store().headers().get("Authorization"));
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentName() {
        String help = ConfigLoader.help();
        for (Option o : Option.ALL) {
            assertTrue(help.contains(o.flag()) && help.contains(o.env()), o.key());
        }
    }

    @Test
    void sizesTakeUnits() {
        RuntimeConfig c = ConfigLoader.load(new String[] {"--max-body-bytes", "512k", "--max-unpacked-bytes", "1.5g"},
                Map.of());
        assertEquals(512L << 10, c.server().maxBodyBytes());
        assertEquals(3L << 29, c.store().maxUnpackedBytes());
        assertEquals(2L << 30, ConfigLoader.load(new String[0], Map.of("MAX_UNPACKED_BYTES", "2GiB")).store()
                .maxUnpackedBytes());
        assertEquals(67108864, ConfigLoader.load(new String[0], Map.of()).server().maxBodyBytes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--max-body-bytes", "lots"}, Map.of()));
        assertTrue(e.getMessage().contains("max_body_bytes") && e.getMessage().contains("64m"), e.getMessage());
    }

    @Test
    void tensorNamesMayHoldColonsInEveryForm() throws Exception {
        RuntimeConfig env = ConfigLoader.load(new String[0], Map.of("MODEL_OUTPUTS", "logits:0,probs:0:FP32,x:INT64:1x3"));
        assertEquals("logits:0", env.model().outputs().get(0).name());
        assertEquals("probs:0", env.model().outputs().get(1).name());
        assertEquals(DataType.FP32, env.model().outputs().get(1).dataType());
        assertEquals("x", env.model().outputs().get(2).name());
        assertArrayEquals(new long[] {1, 3}, env.model().outputs().get(2).shape());
        Path yaml = dir.resolve("names.yaml");
        Files.writeString(yaml, "outputs: [\"logits:0\"]\ninputs:\n  - name: \"images:0\"\n    datatype: UINT8\n"
                + "    shape: [-1, 224, 224, 3]\n");
        RuntimeConfig fromYaml = ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of());
        assertEquals("logits:0", fromYaml.model().outputs().get(0).name());
        assertEquals("images:0", fromYaml.model().inputs().get(0).name());
        assertEquals(DataType.UINT8, fromYaml.model().inputs().get(0).dataType());
    }

    @Test
    void automaticThreadAndWorkerCountsAreResolvedOnceForTheHost() {
        RuntimeConfig cpu8 = ConfigLoader.load(new String[0], Map.of(), new HostResources(8, false));
        assertTrue(cpu8.batching().threading().automatic(), "the layout is chosen at start-up by the model's cost");
        assertEquals(new Threading.Layout(2, 1), cpu8.batching().threading().light());
        assertEquals(new Threading.Layout(1, 8), cpu8.batching().threading().heavy());
        assertEquals(2, cpu8.batching().instances(), "first loaded with the light layout");
        assertEquals(1, cpu8.model().intraOpThreads());
        assertEquals(8, cpu8.batching().decoders());
        RuntimeConfig gpu = ConfigLoader.load(new String[0], Map.of(), new HostResources(8, true));
        assertEquals(1, gpu.batching().instances(), "one worker keeps a GPU busy");
        assertEquals(8, gpu.model().intraOpThreads());
        RuntimeConfig one = ConfigLoader.load(new String[0], Map.of(), new HostResources(1, false));
        assertEquals(1, one.batching().instances());
        assertEquals(2, one.batching().decoders());
        RuntimeConfig set = ConfigLoader.load(new String[] {"--instances", "3", "--intra-op-threads", "5"}, Map.of(),
                new HostResources(8, false));
        assertEquals(3, set.batching().instances());
        assertEquals(5, set.model().intraOpThreads());
        assertFalse(set.batching().threading().automatic(), "a set value fixes the layout");
        RuntimeConfig workersOnly = ConfigLoader.load(new String[] {"--instances", "4"}, Map.of(),
                new HostResources(8, false));
        assertEquals(new Threading.Layout(4, 2), workersOnly.batching().threading().heavy());
        assertFalse(gpu.batching().threading().automatic());
        assertTrue(cpu8.batching().maxBatchSize().isEmpty(), "0 = automatic, resolved after the warm-up");
    }
}

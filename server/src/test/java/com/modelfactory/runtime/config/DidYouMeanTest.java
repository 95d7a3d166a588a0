package com.modelfactory.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DidYouMeanTest {

    @Test
    void nearNamesAreSuggestedAndFarOnesAreNot() {
        assertEquals("color", DidYouMean.nearest("colour", Option.keys()));
        assertEquals("max_batch_size", DidYouMean.nearest("max_batch_sise", Option.keys()));
        assertEquals("--max-batch-size", DidYouMean.nearest("--max-batch", Option.flags()));
        assertEquals(null, DidYouMean.nearest("zebra_crossing", Option.keys()));
        assertEquals("", DidYouMean.hint("q", Option.keys()));
    }

    @Test
    void unknownYamlKeysAndFlagsSayWhatWasMeant(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("model-config.yaml");
        Files.writeString(yaml, "colour: bgr\nmax_batch_sise: 4\n");
        RuntimeConfig c = ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("'colour'") && w.contains("did you mean 'color'")),
                c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("did you mean 'max_batch_size'")), c.warnings().toString());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--max-batch-sise", "4"}, Map.of()));
        assertTrue(e.getMessage().contains("did you mean '--max-batch-size'"), e.getMessage());
    }
}

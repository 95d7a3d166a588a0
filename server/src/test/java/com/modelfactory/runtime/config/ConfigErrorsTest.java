package com.modelfactory.runtime.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every invalid value of a start is reported at once, each naming its setting; one alone reads as before. */
class ConfigErrorsTest {

    @Test
    void everyInvalidValueIsReportedAtOnce(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("model-config.yaml");
        Files.writeString(yaml, "max_batch_size: lots\nmax_batch_delay_ms: soon\nqueue_capacity: -3\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", yaml.toString(), "--port", "http"}, Map.of()));
        String m = e.getMessage();
        assertTrue(m.startsWith("4 configuration errors:"), m);
        for (String key : new String[] {"max_batch_size", "max_batch_delay_ms", "queue_capacity", "port"}) {
            assertTrue(m.contains("for " + key + " ("), key + " in: " + m);
        }
    }

    @Test
    void oneInvalidValueReadsAsBefore() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--port", "http"}, Map.of()));
        assertTrue(e.getMessage().startsWith("invalid value 'http' for port"), e.getMessage());
    }
}

package com.modelfactory.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {
    @Test
    void aMultiThreadedSessionDoesNotSpinUnlessConfigured() {
        assertEquals(Map.of("session.intra_op.allow_spinning", "0"), SessionSettings.withDefaults(Map.of(), 2));
        assertEquals(Map.of("session.intra_op.allow_spinning", "0"), SessionSettings.withDefaults(Map.of(), 0),
                "0 threads is ORT's every core");
        assertEquals(Map.of(), SessionSettings.withDefaults(Map.of(), 1), "one thread has no pool to spin");
        Map<String, String> asked = Map.of("session.intra_op.allow_spinning", "1", "ort.cpu_arena", "false");
        assertEquals(asked, SessionSettings.withDefaults(asked, 4), "what the configuration says stands");
    }
}

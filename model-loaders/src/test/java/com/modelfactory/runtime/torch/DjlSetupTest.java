package com.modelfactory.runtime.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.EngineEnvironment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DjlSetupTest {

    @Test
    void djlsEngineCacheIsTheConfiguredDjlCacheElseUnderTheNativeCache() {
        assertEquals(Path.of("/opt/natives/djl"), DjlSetup.engineCache(new EngineEnvironment(Path.of("/opt/natives"), null, null)));
        assertEquals(Path.of("/cache/djl-own"),
                DjlSetup.engineCache(new EngineEnvironment(Path.of("/opt/natives"), null, Path.of("/cache/djl-own"))));
    }
}

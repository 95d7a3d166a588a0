package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An image built with only some engines leaves the others' libraries out: such an engine is skipped, not a
 * failure for every model. The test class path registers {@link LibraryLeftOutEngine} (its library class does
 * not exist) beside the real engines.
 */
class EnginesLeftOutTest {
    /** An engine whose library is not on the class path. */
    public static final class LibraryLeftOutEngine implements Engine {
        @Override
        public String name() {
            return "left-out";
        }

        @Override
        public String libraryClass() {
            return "com.example.absent.EngineLibrary";
        }

        @Override
        public Set<ModelFormat> formats() {
            return Set.of(ModelFormat.ONNX);
        }

        @Override
        public LoadedModel load(ModelFormat format, LoadOptions options) {
            throw new AssertionError("an engine without its library must not be asked to load");
        }
    }

    @Test
    void anEngineWithoutItsLibraryIsSkippedAndTheOthersServe() throws Exception {
        List<String> names = Engines.available().stream().map(Engine::name).toList();
        assertFalse(names.contains("left-out"), names.toString());
        assertEquals("onnxruntime", Engines.forFormat(ModelFormat.ONNX).name());
    }
}

package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * COCO RLE against pycocotools' own encodings of committed masks (fixtures/vision/rle_cases.json, made
 * by fixtures/vision/generate.py): compressed counts, area and toBbox.
 */
class CocoRleTest {
    static final Path CASES = Path.of("src/test/fixtures/vision/rle_cases.json");

    @Test
    void encodesAsPycocotoolsDoes() throws Exception {
        JsonArray cases = new JsonObject(Files.readString(CASES)).getJsonArray("cases");
        assertEquals(true, cases.size() >= 10, "the fixture has its cases");
        for (int i = 0; i < cases.size(); i++) {
            JsonObject c = cases.getJsonObject(i);
            int h = c.getInteger("height");
            int w = c.getInteger("width");
            JsonArray bits = c.getJsonArray("mask");
            byte[] mask = new byte[h * w];
            for (int k = 0; k < mask.length; k++) {
                mask[k] = (byte) bits.getInteger(k).intValue();
            }
            String name = c.getString("name");
            Segment s = CocoRle.segment(mask, h, w, 0, "x", null);
            assertEquals(c.getJsonObject("rle").getString("counts"), s.counts(), name);
            assertEquals(c.getLong("area").longValue(), s.area(), name);
            JsonArray box = c.getJsonArray("bbox");
            int[] want = {box.getNumber(0).intValue(), box.getNumber(1).intValue(), box.getNumber(2).intValue(),
                    box.getNumber(3).intValue()};
            assertArrayEquals(want, s.bbox(), name);
            JsonArray runs = c.getJsonArray("uncompressed_counts");
            long[] counts = CocoRle.counts(mask, h, w);
            assertEquals(runs.size(), counts.length, name);
            for (int k = 0; k < counts.length; k++) {
                assertEquals(runs.getLong(k).longValue(), counts[k], name + " run " + k);
            }
        }
    }
}

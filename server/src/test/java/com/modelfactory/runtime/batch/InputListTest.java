package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input list: images by content, recursive, sorted by key; index lines as YMIR writes them. */
class InputListTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderIsWalkedRecursivelyAndImagesAreRecognisedByContent() throws Exception {
        Path dir = tmp.resolve("data");
        BatchFixtures.fixtureImages(dir.resolve("b"));
        Files.copy(BatchFixtures.FIXTURE_IMAGES.resolve("rgb64x48.jpg"), dir.resolve("a.bin"));
        Files.writeString(dir.resolve("b/labels.png"), "text, though named .png");
        Files.write(dir.resolve("empty.jpg"), new byte[0]);
        List<String> keys = InputList.of(dir).stream().map(InputItem::key).toList();
        assertEquals(List.of("a.bin", "b/cat32.png", "b/digit28.png", "b/no-extension", "b/rgb64x48.jpg",
                "b/rgb64x48.png", "b/rgba32.png"), keys);
        assertEquals(dir.resolve("b/cat32.png"), InputList.of(dir).get(1).file());
    }

    @Test
    void anIndexHasOnePathPerLineResolvedAgainstItsFolder() throws Exception {
        Path index = tmp.resolve("sub/candidate-index.tsv");
        Files.createDirectories(index.getParent());
        Files.writeString(index, "z/last.jpg\n/abs/first.png\tann/first.txt\n\n  \nz/last.jpg\r\nm/mid\n");
        List<InputItem> items = InputList.of(index);
        assertEquals(List.of("/abs/first.png", "m/mid", "z/last.jpg"), items.stream().map(InputItem::key).toList(),
                "sorted, first TAB field, blank lines skipped, a repeated path run once");
        assertEquals(Path.of("/abs/first.png"), items.get(0).file());
        assertEquals(index.getParent().resolve("m/mid"), items.get(1).file());
        Path assets = tmp.resolve("assets");
        assertEquals(assets.resolve("z/last.jpg"), InputList.fromIndex(index, assets).get(2).file(),
                "YMIR resolves relative lines against assets_dir");
    }

    @Test
    void headersOfEveryDecodedFormatAreImages() {
        byte[][] headers = {
            {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0},
            {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
            {'G', 'I', 'F', '8', '9', 'a'},
            {'B', 'M', 0, 0},
            {'I', 'I', 42, 0},
            {'M', 'M', 0, 42},
            {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'},
        };
        for (byte[] h : headers) {
            assertTrue(ImageFiles.isImageHeader(h, h.length));
        }
        byte[] wav = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
        assertTrue(!ImageFiles.isImageHeader(wav, wav.length) && !ImageFiles.isImageHeader(new byte[] {'B'}, 1));
    }
}

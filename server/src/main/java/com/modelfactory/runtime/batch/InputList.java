package com.modelfactory.runtime.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images of a batch run, sorted by key so every process (every shard, every resumed pod) sees the
 * same list in the same order: a folder walked recursively (symbolic links followed), keeping the files
 * whose content is an image (and those it cannot read, whose records say so), or an index file with
 * one path per line (YMIR's candidate-index.tsv: the first TAB-separated field; blank lines skipped).
 */
public final class InputList {
    private static final Logger log = LoggerFactory.getLogger(InputList.class);

    private InputList() {
    }

    /** A folder (recursive, images by content) or an index file, relative paths resolved against its folder. */
    public static List<InputItem> of(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            return fromDirectory(input);
        }
        if (!Files.isRegularFile(input)) {
            throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such folder or index file");
        }
        Path base = input.toAbsolutePath().getParent();
        return fromIndex(input, base);
    }

    /** Every image file under {@code dir}, keyed by its path relative to {@code dir} ('/'-separated). */
    public static List<InputItem> fromDirectory(Path dir) throws IOException {
        List<InputItem> items = new ArrayList<>();
        int skipped = 0;
        try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                if (isImageOrUnreadable(file)) {
                    items.add(new InputItem(key(dir.relativize(file)), file));
                } else {
                    skipped++;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (skipped > 0) {
            log.info("{}: {} file(s) are not images by their content and are skipped", dir, skipped);
        }
        items.sort(Comparator.comparing(InputItem::key));
        return items;
    }

    /**
     * One path per line (the first TAB-separated field), keyed by the line as written; relative paths are
     * resolved against {@code base}. A path listed twice is run once.
     */
    public static List<InputItem> fromIndex(Path index, Path base) throws IOException {
        Map<String, InputItem> items = new LinkedHashMap<>();
        int duplicates = 0;
        for (String line : Files.readAllLines(index)) {
            String key = line.split("\t", 2)[0].strip();
            if (key.isEmpty()) {
                continue;
            }
            Path p = Path.of(key);
            if (items.putIfAbsent(key, new InputItem(key, p.isAbsolute() ? p : base.resolve(p))) != null) {
                duplicates++;
            }
        }
        if (duplicates > 0) {
            log.warn("{}: {} path(s) are listed more than once; each is run once", index, duplicates);
        }
        List<InputItem> sorted = new ArrayList<>(items.values());
        sorted.sort(Comparator.comparing(InputItem::key));
        return sorted;
    }

    /** A file that cannot be read is kept: its record then says why, instead of it silently missing. */
    private static boolean isImageOrUnreadable(Path file) {
        try {
            return ImageFiles.looksLikeImage(file);
        } catch (IOException e) {
            return true;
        }
    }

    private static String key(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}

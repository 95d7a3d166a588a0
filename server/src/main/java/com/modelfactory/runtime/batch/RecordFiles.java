package com.modelfactory.runtime.batch;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The records of a tabular batch run: a CSV file (RFC 4180: a header row of field names, quoted fields with
 * "" for a quote, CRLF or LF) or JSON Lines (one object per line). Each record is keyed by its file's name and
 * its line ({@code data.csv:2} is the first data row), which is what its result says as {@code path} and what
 * resume and sharding go by.
 */
final class RecordFiles {
    /** One record: its key and its fields (strings from CSV, JSON values from JSON Lines). */
    record Row(String key, Map<String, Object> fields) {
    }

    private RecordFiles() {
    }

    /** Whether {@code input} is a record file rather than a folder or an index of images. */
    static boolean isRecordFile(Path input) {
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(input) && (name.endsWith(".csv") || name.endsWith(".jsonl")
                || name.endsWith(".ndjson"));
    }

    static List<Row> read(Path input) throws IOException {
        String name = input.getFileName().toString();
        return name.toLowerCase(Locale.ROOT).endsWith(".csv") ? csv(input, name) : jsonLines(input, name);
    }

    private static List<Row> jsonLines(Path input, String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                rows.add(new Row(name + ":" + (i + 1), new JsonObject(line).getMap()));
            } catch (DecodeException | ClassCastException e) {
                throw new IOException(name + " line " + (i + 1) + " is not a JSON object: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static List<Row> csv(Path input, String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            CsvReader reader = new CsvReader(in);
            List<String> header = reader.next();
            if (header == null) {
                throw new IOException(name + " is empty: a CSV input needs a header row of field names");
            }
            if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
                header.set(0, header.get(0).substring(1));
            }
            List<String> values;
            while ((values = reader.next()) != null) {
                if (values.size() == 1 && values.get(0).isEmpty()) {
                    continue; // a blank line
                }
                if (values.size() != header.size()) {
                    throw new IOException(name + " line " + reader.line() + " has " + values.size() + " fields but the "
                            + "header has " + header.size());
                }
                Map<String, Object> fields = new LinkedHashMap<>();
                for (int c = 0; c < header.size(); c++) {
                    fields.put(header.get(c), values.get(c).isEmpty() ? null : values.get(c));
                }
                rows.add(new Row(name + ":" + reader.line(), fields));
            }
        }
        return rows;
    }

    /** RFC 4180 records, one at a time; {@link #line()} is where the last one started (1-based). */
    static final class CsvReader {
        private final BufferedReader in;
        private int nextLine = 1;
        private int line;

        CsvReader(BufferedReader in) {
            this.in = in;
        }

        int line() {
            return line;
        }

        List<String> next() throws IOException {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            line = nextLine;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean inQuotes = false;
            while (true) {
                if (c < 0) {
                    if (inQuotes) {
                        throw new IOException("CSV line " + line + ": a quoted field is not closed");
                    }
                    fields.add(field.toString());
                    return fields;
                }
                char ch = (char) c;
                if (inQuotes) {
                    if (ch == '"') {
                        in.mark(1);
                        int n = in.read();
                        if (n == '"') {
                            field.append('"');
                        } else {
                            inQuotes = false;
                            in.reset();
                        }
                    } else {
                        if (ch == '\n') {
                            nextLine++;
                        }
                        field.append(ch);
                    }
                } else if (ch == '"' && field.isEmpty() && !quoted) {
                    inQuotes = true;
                    quoted = true;
                } else if (ch == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    quoted = false;
                } else if (ch == '\n' || ch == '\r') {
                    if (ch == '\r') {
                        in.mark(1);
                        if (in.read() != '\n') {
                            in.reset();
                        }
                    }
                    nextLine++;
                    fields.add(field.toString());
                    return fields;
                } else {
                    field.append(ch);
                }
                c = in.read();
            }
        }
    }
}

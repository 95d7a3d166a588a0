package com.modelfactory.runtime.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation cannot drift from the code: docs/configuration.md is the option table as --help prints it
 * (regenerate with {@code mvn -pl server test -Dtest=DocsTest -Ddocs.write=true}), every --flag the README and
 * docs/ mention is one --help knows, every relative link resolves, and no page points at ../shared (a clone has
 * no such folder).
 */
class DocsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--([a-z][a-z0-9-]+)");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]+)(#[^)]*)?\\)");
    /** Flags the pages mention that are not the runtime's: other tools' (curl, mvn, podman, kubectl, wrk, pip). */
    private static final Set<String> OTHER_TOOLS = Set.of("data-binary", "help", "rounds", "seconds", "out", "latency",
            "timeout", "insecure", "cacert", "cert", "key", "header", "form", "fail", "silent", "output", "request",
            "dry-run", "from-literal", "from-file", "namespace", "network", "rm", "name", "publish", "volume", "env",
            "device", "user", "restart", "no-cache", "build-arg", "tag", "file", "format", "log-level-engine",
            "index-url", "self-test", "resume", "tls-verify", "quick", "settle", "scheme", "http1.1", "http2",
            "http2-prior-knowledge", "compressed", "max-time", "local", "no-install-recommends", "workers",
            "variant", "context-only", "query-gpu", "engines");

    @Test
    void theConfigurationReferenceIsTheOptionTable() throws IOException {
        assumeTrue(Files.isDirectory(ROOT.resolve("docs")), "no docs folder beside the server module; skipping");
        Path file = ROOT.resolve("docs/configuration.md");
        String generated = reference();
        if (Boolean.getBoolean("docs.write")) {
            Files.writeString(file, generated);
        }
        assertEquals(generated, Files.readString(file), "docs/configuration.md is not the option table; regenerate: "
                + "mvn -pl server test -Dtest=DocsTest -Ddocs.write=true");
    }

    @Test
    void everyFlagThePagesMentionExists() throws IOException {
        assumeTrue(Files.isDirectory(ROOT.resolve("docs")), "no docs folder; skipping");
        Set<String> known = new TreeSet<>();
        Option.ALL.forEach(o -> known.add(o.flag().substring(2)));
        Set<String> unknown = new TreeSet<>();
        for (Path page : pages()) {
            Matcher m = FLAG.matcher(Files.readString(page));
            while (m.find()) {
                String flag = m.group(1);
                if (!known.contains(flag) && !OTHER_TOOLS.contains(flag)) {
                    unknown.add(ROOT.relativize(page) + ": --" + flag);
                }
            }
        }
        assertTrue(unknown.isEmpty(), "flags the docs mention that --help does not know: " + unknown);
        assertTrue(ConfigLoader.help().contains("server/bin/model-server"), "--help names the launcher the docs use");
    }

    @Test
    void linksResolveAndNoPagePointsAtShared() throws IOException {
        assumeTrue(Files.isDirectory(ROOT.resolve("docs")), "no docs folder; skipping");
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            String text = Files.readString(page);
            assertTrue(!text.contains("../shared"), page + " points at ../shared, which a clone does not have");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                if (!Files.exists(page.getParent().resolve(target).normalize())) {
                    broken.add(ROOT.relativize(page) + " -> " + target);
                }
            }
        }
        assertTrue(broken.isEmpty(), "links that do not resolve: " + broken);
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The option table as markdown, section by section (the order --help prints). */
    static String reference() {
        StringBuilder sb = new StringBuilder("# Configuration reference\n\n"
                + "Generated from the runtime's option table (`server/bin/model-server --help` prints the same); "
                + "DocsTest fails when the two differ. Settings come from defaults < `model-config.yaml` (beside the "
                + "model, or `--config`) < environment < flags. In `model-config.yaml` a setting is its key, at the "
                + "top level or under its section (`batching:`, `image:`, ...).\n");
        String section = "";
        for (Option o : Option.ALL) {
            if (!o.section().equals(section)) {
                section = o.section();
                sb.append("\n## ").append(section).append("\n\n| key | environment | flag | default | meaning |\n"
                        + "|---|---|---|---|---|\n");
            }
            sb.append("| `").append(o.key()).append("` | `").append(o.env()).append("` | `").append(o.flag())
                    .append("` | ").append(o.defaultValue() == null ? "" : "`" + o.defaultValue() + "`").append(" | ")
                    .append(o.help().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return sb.toString();
    }
}

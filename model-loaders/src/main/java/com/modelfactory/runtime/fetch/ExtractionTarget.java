package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder one archive is unpacked into: where each entry may go (never outside it), and links
 * materialised as copies once their targets exist, so no symbolic link is ever created that a later
 * entry could write through. Every byte goes through the {@link UnpackBudget}.
 */
final class ExtractionTarget {
    private final Path root;
    private final UnpackBudget budget;
    private final List<Path[]> pendingLinks = new ArrayList<>();

    ExtractionTarget(Path root, UnpackBudget budget) {
        this.root = root;
        this.budget = budget;
    }

    void directory(String name) throws IOException, UnsafeArchiveException {
        Optional<Path> dest = destination(name);
        if (dest.isPresent()) {
            Files.createDirectories(dest.get());
        }
    }

    /** @param declaredSize what the header says (-1 if nothing): refused early when already over the limit */
    void file(String name, InputStream in, long declaredSize) throws IOException, UnsafeArchiveException {
        Optional<Path> dest = destination(name);
        if (dest.isEmpty()) {
            return;
        }
        budget.declared(name, declaredSize);
        Files.createDirectories(dest.get().getParent());
        budget.copyEntry(in, dest.get(), name);
    }

    /** Symbolic links resolve against the link's folder; hard links (tar) name another entry. */
    void link(String name, String linkTarget, boolean symbolic) throws UnsafeArchiveException {
        Optional<Path> dest = destination(name);
        if (dest.isEmpty()) {
            return;
        }
        if (linkTarget == null || linkTarget.isEmpty()) {
            throw new UnsafeArchiveException("link " + name + " has no target");
        }
        String t = linkTarget.replace('\\', '/');
        if (isAbsolute(t)) {
            throw new UnsafeArchiveException("link " + name + " points to the absolute path " + linkTarget);
        }
        Path resolved = (symbolic ? dest.get().getParent() : root).resolve(t).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new UnsafeArchiveException("link " + name + " -> " + linkTarget + " points outside the archive");
        }
        pendingLinks.add(new Path[] {dest.get(), resolved});
    }

    /** Copies each link's target in its place, links to links included; a missing target is refused. */
    void resolveLinks() throws IOException, UnsafeArchiveException {
        boolean progress = true;
        while (!pendingLinks.isEmpty() && progress) {
            progress = false;
            for (Iterator<Path[]> it = pendingLinks.iterator(); it.hasNext(); ) {
                Path[] link = it.next();
                if (Files.exists(link[1], LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(link[0].getParent());
                    copyTree(link[1], link[0]);
                    it.remove();
                    progress = true;
                }
            }
        }
        if (!pendingLinks.isEmpty()) {
            throw new UnsafeArchiveException("link " + root.relativize(pendingLinks.get(0)[0]) + " -> "
                    + root.relativize(pendingLinks.get(0)[1]) + " points to nothing in the archive");
        }
    }

    private void copyTree(Path from, Path to) throws IOException, UnsafeArchiveException {
        if (to.startsWith(from)) {
            throw new UnsafeArchiveException("link " + root.relativize(to) + " points to a folder containing it");
        }
        if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(to);
            try (Stream<Path> children = Files.list(from)) {
                for (Path c : (Iterable<Path>) children::iterator) {
                    budget.countEntry();
                    copyTree(c, to.resolve(c.getFileName().toString()));
                }
            }
        } else {
            try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS)) {
                budget.copyLinked(in, to, root.relativize(to).toString());
            }
        }
    }

    /** Where an entry goes, or empty for noise that is not written (__MACOSX, AppleDouble ._ files). */
    private Optional<Path> destination(String rawName) throws UnsafeArchiveException {
        budget.countEntry();
        String name = rawName.replace('\\', '/');
        if (isAbsolute(name)) {
            throw new UnsafeArchiveException("archive entry " + rawName + " has an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UnsafeArchiveException("archive entry " + rawName + " escapes the target folder (..)");
            }
            if (part.indexOf('\0') >= 0) {
                throw new UnsafeArchiveException("archive entry " + rawName + " has a NUL character in its name");
            }
            parts.add(part);
        }
        if (parts.isEmpty() || parts.stream().anyMatch(p -> p.equals("__MACOSX") || p.startsWith("._"))) {
            return Optional.empty(); // "./" itself, or noise
        }
        Path dest = root.resolve(String.join("/", parts)).normalize();
        if (!dest.startsWith(root)) {
            throw new UnsafeArchiveException("archive entry " + rawName + " escapes the target folder");
        }
        return Optional.of(dest);
    }

    static boolean isAbsolute(String name) {
        return name.startsWith("/") || name.matches("^[A-Za-z]:.*");
    }
}

package dev.ferry.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The sorted names of the folders listed last, read again only when their directory changed. Reading a folder's
 * names stats every entry, so a folder of 100,000 objects listed a page (1,000) at a time cost 10 million stats:
 * the audit of one such folder took 54 s. A directory's mtime moves whenever an entry is created, removed or
 * renamed in it (a PUT writes a temporary file and renames it), so names read while it stood still stay right
 * until it moves. Kept only for a directory unchanged for {@link #QUIET} before the read: its mtime has the
 * filesystem's clock granularity (a few ms), and a change in the same tick as the read would not move it.
 */
final class FolderNames {
    static final Duration QUIET = Duration.ofSeconds(1);
    private static final int FOLDERS = 4;

    /** Reads a folder's names, as jclouds' storage strategy lists them. */
    @FunctionalInterface
    interface Reader {
        Iterable<String> names() throws IOException;
    }

    private record Listed(Path directory, FileTime modified, NavigableSet<String> names) {
    }

    private final Clock clock;
    private final Map<String, Listed> recent = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Listed> eldest) {
            return size() > FOLDERS;
        }
    };

    FolderNames(Clock clock) {
        this.clock = clock;
    }

    /**
     * The names {@code reader} gives for the listing {@code listing} of {@code directory} (unmodifiable): those of
     * the last read while the directory has not changed since.
     */
    NavigableSet<String> of(String listing, Path directory, Reader reader) throws IOException {
        FileTime before = modified(directory);
        Listed last;
        synchronized (recent) {
            last = recent.get(listing);
        }
        if (before != null && last != null && last.directory().equals(directory) && last.modified().equals(before)) {
            return last.names();
        }
        NavigableSet<String> names = new TreeSet<>();
        reader.names().forEach(names::add);
        NavigableSet<String> read = Collections.unmodifiableNavigableSet(names);
        boolean stillAndQuiet = before != null && before.equals(modified(directory))
                && before.toInstant().isBefore(clock.instant().minus(QUIET));
        if (stillAndQuiet) {
            synchronized (recent) {
                recent.put(listing, new Listed(directory, before, read));
            }
        }
        return read;
    }

    private static FileTime modified(Path directory) throws IOException {
        try {
            return Files.getLastModifiedTime(directory);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

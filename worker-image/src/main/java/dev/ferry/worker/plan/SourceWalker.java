package dev.ferry.worker.plan;

import dev.ferry.api.FileEntry;
import dev.ferry.worker.SourcePaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a directory of the source depth-first in {@link PathOrder}: each directory's entries sorted
 * by name, only one directory listing in memory per level. It emits regular files in scope with their
 * path relative to the base (the job's source path), size and mtime. Symbolic links are never
 * followed and, like special files, skipped with a warning until their policy is defined.
 */
public final class SourceWalker {
    private static final Logger LOG = LoggerFactory.getLogger(SourceWalker.class);

    /** Receives the files of the walk, in order. */
    public interface Visitor {
        void file(FileEntry entry) throws Exception;

        /** A directory that cannot be listed: its files are unknown, which planning must report. */
        void unreadableDirectory(String relativePath, IOException cause) throws Exception;
    }

    private final Path base;
    private final PathFilter filter;

    public SourceWalker(Path base, PathFilter filter) {
        this.base = base;
        this.filter = filter;
    }

    /**
     * Walks {@code directory} (relative to the base, empty for the base itself), emitting only files
     * after {@code floor.get()} (null: from the start). The floor is read again as the walk goes, so
     * a visitor may move it forward.
     */
    public void walk(String directory, Supplier<String> floor, Visitor visitor) throws Exception {
        walkDirectory(SourcePaths.relative(directory), floor, visitor);
    }

    private void walkDirectory(String dir, Supplier<String> floor, Visitor visitor) throws Exception {
        List<String> names = new ArrayList<>();
        Path absolute = dir.isEmpty() ? base : base.resolve(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(absolute)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            LOG.debug("directory {} vanished during the walk", dir);
            return;
        } catch (IOException e) {
            visitor.unreadableDirectory(dir, e);
            return;
        }
        names.sort(String::compareTo);
        for (String name : names) {
            String rel = dir.isEmpty() ? name : dir + "/" + name;
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(absolute.resolve(name), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue; // deleted since the listing
            }
            String after = floor.get();
            if (attrs.isDirectory()) {
                if (after == null || !PathOrder.wholeDirectoryBefore(rel, after)) {
                    walkDirectory(rel, floor, visitor);
                }
            } else if (attrs.isRegularFile()) {
                if ((after == null || PathOrder.compare(rel, after) > 0) && filter.includes(rel)) {
                    visitor.file(new FileEntry(rel, attrs.size(), attrs.lastModifiedTime().toMillis()));
                }
            } else if (attrs.isSymbolicLink()) {
                LOG.warn("skipping symbolic link {} (links are not migrated yet)", rel);
            } else {
                LOG.warn("skipping special file {} (not a regular file)", rel);
            }
        }
    }
}

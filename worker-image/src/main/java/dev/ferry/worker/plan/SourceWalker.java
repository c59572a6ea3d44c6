package dev.ferry.worker.plan;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.SymlinkPolicy;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.source.FileNames;
import dev.ferry.worker.source.SourcePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a directory of the source depth-first in {@link PathOrder}: each directory's entries sorted by
 * name, one listing per level, each holding at most {@code listingInMemory} names in memory however big
 * the directory ({@link DirectoryListing} spills sorted runs to local disk beyond that). Regular files in scope go to the visitor with their path
 * relative to the base (the job's source path), size and mtime; the visitor is asked before each
 * subdirectory is walked and may take it away (to a child Plan task). The walk policy:
 * <ul>
 *   <li>symbolic links ({@link Policy#symlinks}): {@code Skip} leaves each one out and reports it
 *       ({@link FailureCode#SYMLINK_SKIPPED}). {@code Follow} follows a link only when its target resolves
 *       inside the base — a link to a file becomes that file under the link's path (read from
 *       {@link FileEntry#target}), a link to a directory is walked as that directory — and a link back into
 *       a directory being walked is a loop ({@link FailureCode#SYMLINK_LOOP}) and is not followed.
 *       {@code Store} emits every link, never followed and whatever it points at, as an entry of kind
 *       {@link EntryKind#Symlink}: its text (readlink), the text's UTF-8 length as size, the link's own
 *       mtime;</li>
 *   <li>FIFOs, sockets and devices are reported ({@link FailureCode#SPECIAL_FILE});</li>
 *   <li>a name that is not UTF-8 is planned as a file in the marked form of {@link FileNames#of} without
 *       being opened (or walked, if it is a directory): its copy fails with
 *       {@link FailureCode#NAME_NOT_ENCODABLE};</li>
 *   <li>the base's top-level {@code .ferry} is reserved for the state prefix ({@link FailureCode#RESERVED_PATH});</li>
 *   <li>files younger than {@code minFileAge} are reported ({@link FailureCode#TOO_RECENT}); stored links and
 *       directory markers are not held back (a link is created whole, a marker holds no data);</li>
 *   <li>a directory with no entries at all produces nothing, unless {@link Policy#directoryMarkers}: then
 *       an entry of kind {@link EntryKind#Directory} at the directory's path, when that path is in scope of
 *       the globs as a file's path would be. The base of the job never gets one; the base of a child plan
 *       does, if it was emptied after its parent handed it off (its parent saw entries in it).</li>
 * </ul>
 * Entries at or before the checkpoint (the floor) are neither emitted nor reported again, and an entry
 * left out by the include/exclude globs is not reported at all.
 */
public final class SourceWalker {
    private static final Logger LOG = LoggerFactory.getLogger(SourceWalker.class);

    /** Receives the walk, in order. */
    public interface Visitor {
        /**
         * Any entry about to be looked at, emitted or not (globs may leave out almost everything of a
         * huge tree): the walk is moving.
         */
        default void examining(String relativePath) throws Exception {
        }

        void file(FileEntry entry) throws Exception;

        /**
         * A subdirectory about to be walked and how many entries it holds; false leaves it and its
         * subtree out of this walk (another Plan task walks it).
         */
        boolean enter(String relativePath, int entries) throws Exception;

        /** An entry left out by policy. */
        void skipped(String relativePath, FailureCode code, String detail) throws Exception;

        /** A directory that cannot be listed: its files are unknown, which planning must report. */
        void unreadableDirectory(String relativePath, IOException cause) throws Exception;
    }

    /**
     * What the walk takes: globs, links, markers of empty directories, and the newest mtime a file may
     * have (null: any).
     */
    public record Policy(PathFilter filter, SymlinkPolicy symlinks, boolean directoryMarkers, Instant newestMtime) {
        public static Policy all() {
            return new Policy(PathFilter.all(), SymlinkPolicy.Skip, false, null);
        }

        boolean followSymlinks() {
            return symlinks == SymlinkPolicy.Follow;
        }
    }

    private final Path base;
    private final Policy policy;
    private final int listingInMemory;
    private final Path spill;
    private Path realBase;

    public SourceWalker(Path base, Policy policy) {
        this(base, policy, DirectoryListing.DEFAULT_IN_MEMORY, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * @param listingInMemory names of one directory held in memory at most; beyond that, sorted runs go to
     *     {@code spill}
     */
    public SourceWalker(Path base, Policy policy, int listingInMemory, Path spill) {
        this.base = base;
        this.policy = policy;
        this.listingInMemory = listingInMemory;
        this.spill = spill;
    }

    /**
     * Walks {@code directory} (relative to the base, empty for the base itself), emitting only entries
     * after {@code floor.get()} (null: from the start). The floor is read again as the walk goes, so a
     * visitor may move it forward.
     */
    public void walk(String directory, Supplier<String> floor, Visitor visitor) throws Exception {
        String start = SourcePaths.relative(directory);
        Path absolute = start.isEmpty() ? base : base.resolve(start);
        try (DirectoryListing names = list(start, absolute, () -> null, visitor)) {
            if (names == null) {
                return;
            }
            Deque<Path> walking = policy.followSymlinks() ? realPathsDownTo(start) : null;
            if (names.isEmpty() && !start.isEmpty()) {
                // a child plan's directory, emptied after its parent saw entries in it and handed it off
                boolean link = Files.isSymbolicLink(absolute);
                if (!link || policy.followSymlinks()) {
                    marker(start, absolute, link ? absolute.toRealPath() : null, floor, visitor);
                }
            }
            walkEntries(start, absolute, names, floor, visitor, walking);
        }
    }

    private void walkEntries(String dir, Path absolute, Iterable<String> names, Supplier<String> floor, Visitor visitor,
                             Deque<Path> walking) throws Exception {
        for (String name : names) {
            String rel = dir.isEmpty() ? name : dir + "/" + name;
            visitor.examining(rel);
            Path path = absolute.resolve(name);
            if (dir.isEmpty() && StatePrefix.DIRECTORY.equals(name)) {
                if (!policy.filter().excludesEverythingBelow(rel)) { // excluded whole: left out silently, as asked
                    report(visitor, floor, rel, FailureCode.RESERVED_PATH,
                            "the name of Ferry's state prefix in the bucket; it is never migrated");
                }
                continue;
            }
            BasicFileAttributes attrs = attributes(path);
            if (attrs == null) {
                if (FileNames.hasReplacement(name)) {
                    unencodable(rel, floor, visitor);
                }
                continue; // deleted since the listing
            }
            Path real = null;
            String target = null;
            if (attrs.isSymbolicLink() && policy.symlinks() == SymlinkPolicy.Store) {
                storedLink(rel, path, attrs, floor, visitor);
                continue;
            }
            if (attrs.isSymbolicLink()) {
                Link link = policy.followSymlinks() ? follow(path) : new Link(null, null, FailureCode.SYMLINK_SKIPPED,
                        "symbolic link to " + linkText(path) + " (spec.source.symlinks is Skip)");
                if (link.skip() != null) {
                    if (policy.filter().includes(rel)) {
                        report(visitor, floor, rel, link.skip(), link.detail());
                    }
                    continue;
                }
                real = link.real();
                attrs = link.attrs();
                target = realBase().relativize(real).toString();
            }
            if (attrs.isDirectory()) {
                directory(rel, path, real, floor, visitor, walking);
            } else if (attrs.isRegularFile()) {
                file(rel, attrs, target, floor, visitor);
            } else if (policy.filter().includes(rel)) {
                report(visitor, floor, rel, FailureCode.SPECIAL_FILE, specialKind(path) + ": no bytes to store");
            }
        }
    }

    private void directory(String rel, Path path, Path real, Supplier<String> floor, Visitor visitor,
                           Deque<Path> walking) throws Exception {
        if (Checkpoint.coversWholeDirectory(rel, floor.get())) {
            return;
        }
        Path realDir = null;
        if (walking != null) {
            // a plain directory's real path is its parent's plus its name; only links need resolving
            realDir = real != null ? real : walking.peek().resolve(path.getFileName());
            if (walking.contains(realDir)) {
                report(visitor, floor, rel, FailureCode.SYMLINK_LOOP,
                        "leads back to " + realDir + ", a directory being walked");
                return;
            }
        }
        try (DirectoryListing children = list(rel, path, floor, visitor)) {
            if (children == null) {
                return;
            }
            if (children.isEmpty()) {
                marker(rel, path, real, floor, visitor);
            }
            if (policy.filter().excludesEverythingBelow(rel)) {
                return; // listed for its marker only: nothing below it can be in scope
            }
            if (!visitor.enter(rel, children.size())) {
                return;
            }
            if (walking != null) {
                walking.push(realDir);
            }
            try {
                walkEntries(rel, path, children, floor, visitor, walking);
            } finally {
                if (walking != null) {
                    walking.pop();
                }
            }
        }
    }

    private void file(String rel, BasicFileAttributes attrs, String target, Supplier<String> floor,
                      Visitor visitor) throws Exception {
        if (!Checkpoint.after(rel, floor.get()) || !policy.filter().includes(rel)) {
            return;
        }
        if (policy.newestMtime() != null && attrs.lastModifiedTime().toInstant().isAfter(policy.newestMtime())) {
            visitor.skipped(rel, FailureCode.TOO_RECENT, "modified at " + attrs.lastModifiedTime()
                    + ", after " + policy.newestMtime() + " (spec.source.minFileAge)");
            return;
        }
        FileEntry entry = new FileEntry(rel, attrs.size(), attrs.lastModifiedTime().toMillis());
        entry.target = target;
        visitor.file(entry);
    }

    /**
     * An entry whose name is not UTF-8 (listed in the marked form of {@link FileNames#of}, which opens
     * nothing): planned as it is, file or directory, so that the copy fails it by its name
     * ({@link FailureCode#NAME_NOT_ENCODABLE}) and the job's failure report names it. Leaving it out would
     * lose it without a word; its size and mtime are unknown (0).
     */
    private void unencodable(String rel, Supplier<String> floor, Visitor visitor) throws Exception {
        if (Checkpoint.after(rel, floor.get()) && policy.filter().includes(rel)) {
            visitor.file(new FileEntry(rel, 0, 0));
        }
    }

    /**
     * The marker entry of an empty directory ({@link Policy#directoryMarkers}), at the directory's own
     * position in the walk order: before anything that may appear in it later, so a checkpoint at the
     * marker never covers its contents.
     *
     * @param real where the directory really is when it is itself a followed link (the copy reads it
     *             there, as a followed link to a file is read at its target), else null
     */
    private void marker(String rel, Path path, Path real, Supplier<String> floor, Visitor visitor) throws Exception {
        if (!policy.directoryMarkers() || !Checkpoint.after(rel, floor.get()) || !policy.filter().includes(rel)) {
            return;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(real != null ? real : path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return; // deleted since the listing
        }
        FileEntry entry = new FileEntry(rel, 0, attrs.lastModifiedTime().toMillis());
        entry.kind = EntryKind.Directory;
        entry.target = real == null ? null : realBase().relativize(real).toString();
        visitor.file(entry);
    }

    /** A link emitted as itself ({@link SymlinkPolicy#Store}): never followed, whatever it points at. */
    private void storedLink(String rel, Path path, BasicFileAttributes attrs, Supplier<String> floor, Visitor visitor)
            throws Exception {
        if (!Checkpoint.after(rel, floor.get()) || !policy.filter().includes(rel)) {
            return;
        }
        String text;
        try {
            text = Files.readSymbolicLink(path).toString();
        } catch (NoSuchFileException e) {
            return; // deleted since the listing
        } catch (IOException e) {
            report(visitor, floor, rel, FailureCode.SYMLINK_BROKEN, "cannot read the link: " + e);
            return;
        }
        FileEntry entry = new FileEntry(rel, text.getBytes(StandardCharsets.UTF_8).length,
                attrs.lastModifiedTime().toMillis());
        entry.kind = EntryKind.Symlink;
        entry.linkTarget = text;
        visitor.file(entry);
    }

    private static void report(Visitor visitor, Supplier<String> floor, String rel, FailureCode code, String detail)
            throws Exception {
        if (Checkpoint.after(rel, floor.get())) {
            // one per entry (a tree may hold millions of links): the plan's status counts and samples them
            LOG.debug("leaving out {}: {} ({})", rel, code, detail);
            visitor.skipped(rel, code, detail);
        }
    }

    /**
     * The sorted names in a directory; null when it vanished or cannot be read (reported unless at or
     * before the floor: a resumed walk reported it already).
     */
    private DirectoryListing list(String rel, Path absolute, Supplier<String> floor, Visitor visitor)
            throws Exception {
        try {
            return DirectoryListing.read(absolute, listingInMemory, spill);
        } catch (NoSuchFileException e) {
            LOG.debug("directory {} vanished during the walk", rel);
            return null;
        } catch (IOException e) {
            if (Checkpoint.after(rel, floor.get())) {
                visitor.unreadableDirectory(rel, e);
            }
            return null;
        }
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Where a followed link leads: its real target and that target's attributes, or why it is not followed. */
    private record Link(Path real, BasicFileAttributes attrs, FailureCode skip, String detail) {
    }

    private Link follow(Path link) throws IOException {
        Path real;
        try {
            real = link.toRealPath();
        } catch (NoSuchFileException e) {
            return new Link(null, null, FailureCode.SYMLINK_BROKEN, "symbolic link to " + linkText(link) + ", which does not exist");
        } catch (FileSystemLoopException e) {
            return new Link(null, null, FailureCode.SYMLINK_LOOP, "a chain of symbolic links that never ends");
        } catch (FileSystemException e) {
            boolean loop = e.getReason() != null && e.getReason().contains("symbolic link");
            return new Link(null, null, loop ? FailureCode.SYMLINK_LOOP : FailureCode.SYMLINK_BROKEN,
                    (loop ? "a chain of symbolic links that never ends: " : "cannot resolve: ") + e.getMessage());
        }
        if (!real.startsWith(realBase())) {
            return new Link(null, null, FailureCode.SYMLINK_OUTSIDE_SOURCE,
                    "symbolic link to " + real + ", outside the source path " + realBase());
        }
        BasicFileAttributes attrs = attributes(real);
        if (attrs == null) {
            return new Link(null, null, FailureCode.SYMLINK_BROKEN, "symbolic link to " + real + ", which vanished");
        }
        return new Link(real, attrs, null, null);
    }

    /** The real paths of the directories from the base down to {@code start}: a link to any of them is a loop. */
    private Deque<Path> realPathsDownTo(String start) throws IOException {
        Deque<Path> walking = new ArrayDeque<>();
        walking.push(realBase());
        if (!start.isEmpty()) {
            Path p = base;
            for (String segment : start.split("/")) {
                p = p.resolve(segment);
                walking.push(p.toRealPath());
            }
        }
        return walking;
    }

    private Path realBase() throws IOException {
        if (realBase == null) {
            realBase = base.toRealPath();
        }
        return realBase;
    }

    private static String linkText(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "(unreadable target)";
        }
    }

    /** Names the kind of a special file from its mode bits where the platform has them. */
    private static String specialKind(Path path) {
        try {
            int type = ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO";
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "not a regular file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "not a regular file";
        }
    }
}
